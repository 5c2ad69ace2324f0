import type { UrlPattern } from './options.js';

/** Strips the scheme so that `'api.example.com/users/*'` matches both http and https URLs. */
function withoutScheme(url: string): string {
  const index = url.indexOf('://');
  return index === -1 ? url : url.slice(index + 3);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a URL pattern into a predicate over absolute URLs.
 *
 * - A RegExp is tested against the whole absolute URL.
 * - A glob string is matched against the URL without its scheme (`host/path?query`), anchored at the
 *   start: `*` matches any run of characters except `/`, `**` any run at all. A glob also matches URLs
 *   that continue past it with `/` or `?`, so `'api.example.com/users'` covers `/users/1` and `/users?page=2`.
 */
export function compileUrlPattern(pattern: UrlPattern): (url: string) => boolean {
  if (pattern instanceof RegExp) {
    const regexp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    return (url) => regexp.test(url);
  }
  const body = withoutScheme(pattern)
    .split('**')
    .map((part) => part.split('*').map(escapeRegExp).join('[^/]*'))
    .join('.*');
  const regexp = new RegExp(`^${body}(?:[/?].*)?$`);
  return (url) => regexp.test(withoutScheme(url));
}

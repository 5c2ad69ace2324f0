/**
 * Invalidation after unsafe requests (RFC 9111 §4.4).
 */
import { isUnsafeMethod } from './status.js';
import type { Headers } from './types.js';

function parseUrl(value: string, base?: string): URL | undefined {
  try {
    return base === undefined ? new URL(value) : new URL(value, base);
  } catch {
    return undefined;
  }
}

/** Absolute form without the fragment (fragments never reach the server nor the cache key). */
function href(url: URL): string {
  url.hash = '';
  return url.href;
}

/**
 * §4.4: the URLs whose stored responses must be invalidated after `method` got `status`.
 * - "A cache MUST invalidate the target URI ... when a non-error status code is received in
 *   response to an unsafe request method (including methods whose safety is unknown)";
 *   non-error means 2xx or 3xx here;
 * - Location and Content-Location "are candidates for invalidation" (MAY, taken), resolved
 *   against the request URL; but "a cache MUST NOT trigger an invalidation ... if the origin ...
 *   of the URI to be invalidated differs from that of the target URI".
 * Returns absolute URLs, de-duplicated, request URL first. A request URL that does not parse as
 * an absolute URL is returned as given (it must still be invalidated), with no other targets.
 */
export function invalidationTargets(method: string, status: number, requestUrl: string, resHeaders: Headers): string[] {
  if (!isUnsafeMethod(method) || status < 200 || status > 399) return [];
  const target = parseUrl(requestUrl);
  if (target === undefined) return [requestUrl];

  const targets = [href(target)];
  for (const field of ['location', 'content-location']) {
    const value = resHeaders[field];
    if (value === undefined || value.trim() === '') continue;
    const candidate = parseUrl(value.trim(), target.href);
    if (candidate === undefined || candidate.origin !== target.origin) continue;
    const absolute = href(candidate);
    if (!targets.includes(absolute)) targets.push(absolute);
  }
  return targets;
}

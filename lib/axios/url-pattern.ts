import type { UrlPattern } from './options.js';

/** Strips the scheme so that `'api.example.com/users/*'` matches both http and https URLs. */
function withoutScheme(url: string): string {
  const index = url.indexOf('://');
  return index === -1 ? url : url.slice(index + 3);
}

/** One step of a glob: a literal character, `*` (any run without `/`) or `**` (any run at all). */
type GlobToken = { readonly kind: 'literal'; readonly char: string } | { readonly kind: 'segment' } | { readonly kind: 'any' };

const SEGMENT: GlobToken = { kind: 'segment' };
const ANY: GlobToken = { kind: 'any' };

/** Splits a glob into tokens; `**` is read before `*`, so `***` is `**` then `*`. */
function globTokens(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob.charAt(i);
    if (char !== '*') tokens.push({ kind: 'literal', char });
    else if (glob.charAt(i + 1) === '*') {
      tokens.push(ANY);
      i++;
    } else tokens.push(SEGMENT);
  }
  return tokens;
}

/**
 * Matches `text` against the glob tokens by running all the positions the glob could be at in step, one
 * character at a time (a Thompson-style NFA): O(text length × glob length) time whatever the glob, where
 * a backtracking RegExp such as `^.*\/.*\/.*…x` takes exponential time on a long URL that does not match.
 * Accepts when the whole glob matched a prefix of `text` followed by nothing, `/` or `?`.
 */
function matchGlob(tokens: readonly GlobToken[], text: string): boolean {
  const m = tokens.length;
  let current = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  // A star may match nothing: a position on a star also stands on the token after it.
  const close = (states: Uint8Array): void => {
    for (let i = 0; i < m; i++) if (states[i] === 1 && tokens[i]?.kind !== 'literal') states[i + 1] = 1;
  };
  current[0] = 1;
  close(current);
  for (let k = 0; k < text.length; k++) {
    const char = text.charAt(k);
    // The glob covers URLs that continue past it with `/` or `?`.
    if (current[m] === 1 && (char === '/' || char === '?')) return true;
    next.fill(0);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (current[i] !== 1) continue;
      const token = tokens[i];
      if (token === undefined) continue;
      if (token.kind === 'any' || (token.kind === 'segment' && char !== '/')) next[i] = 1;
      else if (token.kind === 'literal' && token.char === char) next[i + 1] = 1;
      else continue;
      alive = true;
    }
    if (!alive) return false;
    close(next);
    [current, next] = [next, current];
  }
  return current[m] === 1;
}

/**
 * Compiles a URL pattern into a predicate over absolute URLs.
 *
 * - A RegExp is tested against the whole absolute URL.
 * - A glob string is matched against the URL without its scheme (`host/path?query`), anchored at the
 *   start: `*` matches any run of characters except `/`, `**` any run at all. A glob also matches URLs
 *   that continue past it with `/` or `?`, so `'api.example.com/users'` covers `/users/1` and `/users?page=2`.
 *   Matching takes time proportional to the URL length times the glob length, never more.
 */
export function compileUrlPattern(pattern: UrlPattern): (url: string) => boolean {
  if (pattern instanceof RegExp) {
    const regexp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    return (url) => regexp.test(url);
  }
  // The literal part before the first wildcard is compared at once; only the rest runs through the matcher.
  const glob = withoutScheme(pattern);
  const star = glob.indexOf('*');
  const literal = star === -1 ? glob : glob.slice(0, star);
  const tokens = globTokens(glob.slice(literal.length));
  return (url) => {
    const text = withoutScheme(url);
    return text.startsWith(literal) && matchGlob(tokens, text.slice(literal.length));
  };
}

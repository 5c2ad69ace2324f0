/**
 * Freshness lifetime and age (RFC 9111 §4.2.1 - §4.2.3, §5.1).
 */
import { DELTA_SECONDS_MAX, parseCacheControl, parseDeltaSeconds } from './cache-control.js';
import { parseHttpDate } from './http-date.js';
import { HEURISTICALLY_CACHEABLE_STATUSES } from './status.js';
import type { PolicyOptions, ResponseFacts, StoredFacts } from './types.js';

const SECOND_MS = 1000;
/** Upper bound of a heuristic freshness lifetime (the classic 24 h cap, cf. RFC 9111 §4.2.2 / Warning 113). */
const HEURISTIC_MAX_MS = 24 * 60 * 60 * SECOND_MS;
/** Fraction of (Date - Last-Modified) used as heuristic freshness (§4.2.2: "A typical setting ... 10%"). */
const HEURISTIC_FRACTION = 0.1;

/**
 * The Age field in seconds (RFC 9111 §5.1): undefined when absent, 'invalid' when it is not a single
 * non-negative integer. Node keeps only the first of several Age lines; fetch joins them with ", ", which
 * reads as a list, and so as invalid (stale), as the cache-tests suite expects.
 */
export function parseAgeSeconds(value: string | undefined): number | 'invalid' | undefined {
  if (value === undefined) return undefined;
  // §5.1: a value that "contains a list or something other than a non-negative integer" is invalid, and the
  // response SHOULD be considered stale (not uncacheable: with a validator it is kept and revalidated).
  if (value.includes(',')) return 'invalid';
  return parseDeltaSeconds(value) ?? 'invalid';
}

/** date_value of §4.2.3: the Date field, or the receive time when absent or invalid (RFC 9110 §6.6.1). */
function dateValue(res: ResponseFacts | StoredFacts): number | undefined {
  const date = parseHttpDate(res.headers['date']);
  if (date !== undefined) return date;
  return 'responseTime' in res ? res.responseTime : undefined;
}

/**
 * RFC 9111 §4.2.2: heuristic freshness, only for heuristically cacheable statuses or `public`
 * responses: 10% of the time since Last-Modified, at most 24 h; 0 without a usable Last-Modified.
 */
function heuristicFreshnessMs(res: ResponseFacts | StoredFacts, isPublic: boolean): number {
  if (!HEURISTICALLY_CACHEABLE_STATUSES.has(res.status) && !isPublic) return 0;
  const lastModified = parseHttpDate(res.headers['last-modified']);
  const date = dateValue(res);
  if (lastModified === undefined || date === undefined || date <= lastModified) return 0;
  return Math.min(HEURISTIC_MAX_MS, Math.floor((date - lastModified) * HEURISTIC_FRACTION));
}

/** True when the response carries explicit freshness that applies to this cache (§4.2.1 first three rules). */
export function hasExplicitFreshness(res: ResponseFacts, opts: PolicyOptions): boolean {
  const cc = parseCacheControl(res.headers['cache-control']);
  return (opts.shared && cc.sMaxage !== undefined) || cc.maxAge !== undefined || res.headers['expires'] !== undefined;
}

/**
 * freshness_lifetime of RFC 9111 §4.2.1, in ms. Takes the first match of: s-maxage (shared
 * cache only), max-age, Expires minus Date, then `opts.ttlMs`, then the §4.2.2 heuristic.
 * With `opts.cacheControl === false` it is `opts.ttlMs ?? 0`.
 * Pass a {@link StoredFacts} when you have it: its responseTime stands in for a missing Date.
 */
export function freshnessLifetimeMs(stored: ResponseFacts | StoredFacts, opts: PolicyOptions): number {
  if (!opts.cacheControl) return opts.ttlMs ?? 0;
  // §5.1: an invalid Age field value: "a cache SHOULD consider the response to be stale" (not ignored as if
  // absent; the cache-tests age-parse-float, -negative and -nonnumeric cases require stale). It stays
  // storable and, with a validator, is kept for revalidation (see storeExpiryAt).
  if (parseAgeSeconds(stored.headers['age']) === 'invalid') return 0;

  const cc = parseCacheControl(stored.headers['cache-control']);
  // §4.2.1: "If the cache is shared and the s-maxage response directive ... is present, use its value"
  if (opts.shared && cc.sMaxage !== undefined) return cc.sMaxage * SECOND_MS;
  // §4.2.1: "If the max-age response directive ... is present, use its value"
  if (cc.maxAge !== undefined) return cc.maxAge * SECOND_MS;

  const expiresField = stored.headers['expires'];
  if (expiresField !== undefined) {
    // §5.3: "A cache recipient MUST interpret invalid date formats, especially the value "0", as
    // representing a time in the past (i.e., "already expired")." Two Expires lines joined with
    // ", " do not parse either, which is the §4.2.1 "considered stale" option for duplicates.
    const expiresAt = parseHttpDate(expiresField);
    const date = dateValue(stored);
    if (expiresAt === undefined || date === undefined) return 0;
    return Math.max(0, expiresAt - date);
  }

  if (opts.ttlMs !== undefined) return opts.ttlMs;
  // §4.2.2: "A cache MUST NOT use heuristics to determine freshness when an explicit expiration
  // time is present in the stored response" (all explicit cases returned above).
  return heuristicFreshnessMs(stored, cc.public);
}

/**
 * current_age of RFC 9111 §4.2.3, in ms:
 *   apparent_age = max(0, response_time - date_value)
 *   response_delay = response_time - request_time
 *   corrected_age_value = age_value + response_delay
 *   corrected_initial_age = max(apparent_age, corrected_age_value)
 *   resident_time = now - response_time
 *   current_age = corrected_initial_age + resident_time
 * A missing Date gives apparent_age 0; a missing or invalid Age gives age_value 0.
 */
export function currentAgeMs(stored: StoredFacts, now: number): number {
  const date = parseHttpDate(stored.headers['date']);
  const apparentAgeMs = date === undefined ? 0 : Math.max(0, stored.responseTime - date);
  const ageSeconds = parseAgeSeconds(stored.headers['age']);
  const ageValueMs = typeof ageSeconds === 'number' ? ageSeconds * SECOND_MS : 0;
  const responseDelayMs = stored.responseTime - stored.requestTime;
  // §4.2.3: "A cache MUST interpret this value relative to the time the request was initiated".
  const correctedAgeValueMs = ageValueMs + responseDelayMs;
  const correctedInitialAgeMs = Math.max(apparentAgeMs, correctedAgeValueMs);
  const residentTimeMs = now - stored.responseTime;
  return Math.max(0, correctedInitialAgeMs + residentTimeMs);
}

/** The Age field value to send with a cached response (§5.1): whole seconds, at most 2^31. */
export function ageHeaderValue(ageMs: number): string {
  if (!(ageMs > 0)) return '0';
  return String(Math.min(DELTA_SECONDS_MAX, Math.floor(ageMs / SECOND_MS)));
}

/**
 * May a stored response answer this request, and for how long is it worth keeping?
 * (RFC 9111 §4, §4.2.4, §5.2; RFC 5861 stale-while-revalidate / stale-if-error; RFC 8246 immutable)
 */
import { DELTA_SECONDS_MAX, parseCacheControl, requestDirectives } from './cache-control.js';
import { currentAgeMs, freshnessLifetimeMs } from './freshness.js';
import type { CacheDirectives, PolicyOptions, RequestFacts, ReuseDecision, StoredFacts } from './types.js';
import { varyNames } from './vary.js';

const SECOND_MS = 1000;
/** Default of {@link PolicyOptions.retainForRevalidationMs}: one hour. */
const DEFAULT_RETAIN_FOR_REVALIDATION_MS = 60 * 60 * SECOND_MS;
/** §1.2.2: 2^31 seconds stands for "infinity"; no record is kept longer than that. */
const MAX_KEEP_MS = DELTA_SECONDS_MAX * SECOND_MS;
/**
 * The longest stale window (stale-while-revalidate / stale-if-error) that extends how long a record is
 * kept past the end of its freshness: 7 days. It caps an infinite window (`staleIfError: true`,
 * `staleWhileRevalidate: true`) and the windows a response's own directives ask for, so a store under
 * a no-eviction policy (Redis `noeviction`) does not keep such records for 68 years (2^31 s). A finite
 * number of ms the user configures is honoured as given. Past this, a stale-if-error answer is no longer
 * possible because the record is gone: RFC 5861 §4 makes serving stale on error a permission, never a duty.
 */
export const MAX_STALE_RETENTION_MS = 7 * 24 * 60 * 60 * SECOND_MS;

const NO_DIRECTIVES = parseCacheControl(undefined);

/** The response directives that apply: none when the user told us to ignore Cache-Control. */
function responseDirectives(stored: StoredFacts, opts: PolicyOptions): CacheDirectives {
  return opts.cacheControl ? parseCacheControl(stored.headers['cache-control']) : NO_DIRECTIVES;
}

/**
 * §4.2.4: "A cache MUST NOT generate a stale response if it is prohibited by an explicit in-protocol
 * directive (e.g., by a "no-cache" cache directive, a "must-revalidate" cache-response-directive,
 * or an applicable "s-maxage" or "proxy-revalidate" cache-response-directive)".
 */
function staleForbidden(cc: CacheDirectives, opts: PolicyOptions): boolean {
  return cc.noCache === true || cc.mustRevalidate || (opts.shared && (cc.proxyRevalidate || cc.sMaxage !== undefined));
}

function secondsToMs(seconds: number | undefined): number {
  return seconds === undefined ? 0 : seconds * SECOND_MS;
}

/**
 * RFC 9111 §4 / §4.2.4: decides how a stored response (whose URL, method and Vary-selected
 * request headers already match) may answer `req` at time `now`.
 *
 * Choices (see docs/semantics.md):
 * - request `no-cache` (or `Pragma: no-cache` without Cache-Control) always revalidates, even an
 *   immutable response: it is the explicit override RFC 8246 §2 leaves to the user ("force reload");
 * - request `max-age` is not applied to a fresh `immutable` response (RFC 8246: clients SHOULD NOT
 *   revalidate during freshness, which is what a normal reload's `max-age=0` asks for);
 * - stale inside both a stale-while-revalidate window and a request max-stale: 'stale-while-revalidate'
 *   wins, since it serves the same response and also refreshes it.
 */
export function decideReuse(req: RequestFacts, stored: StoredFacts, now: number, opts: PolicyOptions): ReuseDecision {
  // §4.1: "A Vary header field value containing a member "*" always fails to match."
  if (varyNames(stored.headers) === '*') return { action: 'unusable', reason: 'Vary: *' };

  const ageMs = currentAgeMs(stored, now);
  const reqCc = requestDirectives(req.headers);
  const resCc = responseDirectives(stored, opts);

  // §5.2.1.4: the client "prefers [a] stored response not be used to satisfy the request without
  // successful validation on the origin server".
  if (reqCc.noCache !== false) return { action: 'revalidate', ageMs, reason: 'request no-cache' };
  // §5.2.2.4: bare no-cache: the response "MUST NOT be used to satisfy any other request without
  // forwarding it for validation".
  if (resCc.noCache === true) return { action: 'revalidate', ageMs, reason: 'response no-cache' };

  const lifetimeMs = freshnessLifetimeMs(stored, opts);
  // §4.2: "response_is_fresh = (freshness_lifetime > current_age)"
  const fresh = lifetimeMs > ageMs;

  if (fresh) {
    // §5.2.1.1: max-age: the client "prefers a response whose age is less than or equal to" it.
    if (reqCc.maxAge !== undefined && ageMs > reqCc.maxAge * SECOND_MS && !resCc.immutable) {
      return { action: 'revalidate', ageMs, reason: 'older than request max-age' };
    }
    // §5.2.1.3: min-fresh: "still be fresh for at least the specified number of seconds".
    if (reqCc.minFresh !== undefined && lifetimeMs - ageMs < reqCc.minFresh * SECOND_MS) {
      return { action: 'revalidate', ageMs, reason: 'fresh for less than request min-fresh' };
    }
    return { action: 'fresh', ageMs };
  }

  const stalenessMs = ageMs - lifetimeMs;
  if (staleForbidden(resCc, opts)) return { action: 'revalidate', ageMs, reason: 'stale and must be revalidated' };
  if (reqCc.maxAge !== undefined && ageMs > reqCc.maxAge * SECOND_MS) {
    return { action: 'revalidate', ageMs, reason: 'older than request max-age' };
  }

  // RFC 5861 §3: stale-while-revalidate lets a cache serve stale while it revalidates in the background.
  const swrMs = Math.max(secondsToMs(resCc.staleWhileRevalidate), opts.staleWhileRevalidateMs ?? 0);
  if (swrMs > 0 && stalenessMs <= swrMs) return { action: 'stale-while-revalidate', ageMs };

  // §5.2.1.2: max-stale: the client "will accept a response that has exceeded its freshness lifetime
  // by no more than the specified number of seconds" (any amount when bare).
  if (reqCc.maxStale !== undefined && stalenessMs <= reqCc.maxStale * SECOND_MS) {
    return { action: 'stale-within-max-stale', ageMs };
  }
  return { action: 'revalidate', ageMs, reason: 'stale' };
}

/**
 * RFC 5861 §4 stale-if-error: may the stored response answer `req` because the origin failed
 * (network error or 5xx)? Allowed within the largest of the response's and the request's
 * `stale-if-error`, the request's `max-stale` (§4.2.4, "explicitly permitted by the client") and
 * `opts.staleIfErrorMs`; never when a directive forbids serving stale (§4.2.4: no-cache,
 * must-revalidate, shared proxy-revalidate / s-maxage) or the request says no-cache.
 */
export function canServeStaleOnError(req: RequestFacts, stored: StoredFacts, now: number, opts: PolicyOptions): boolean {
  if (varyNames(stored.headers) === '*') return false;
  const reqCc = requestDirectives(req.headers);
  // §5.2.1.4: the client "prefers a stored response not be used ... without successful validation",
  // and §4.2.4 forbids a stale response that "a "no-cache" cache directive" prohibits.
  if (reqCc.noCache !== false) return false;
  const resCc = responseDirectives(stored, opts);
  if (staleForbidden(resCc, opts)) return false;

  const windowMs = Math.max(
    secondsToMs(resCc.staleIfError),
    secondsToMs(reqCc.staleIfError),
    secondsToMs(reqCc.maxStale),
    opts.staleIfErrorMs ?? 0,
  );
  if (!(windowMs > 0)) return false;
  const stalenessMs = Math.max(0, currentAgeMs(stored, now) - freshnessLifetimeMs(stored, opts));
  return stalenessMs <= windowMs;
}

/**
 * The epoch ms after which a store may drop the record: end of freshness plus the largest stale
 * window that could still serve it (stale-while-revalidate / stale-if-error, from the response or
 * `opts`), and, when the response has a validator (ETag or Last-Modified), at least
 * `opts.retainForRevalidationMs` (default 1 h) past the end of freshness so it can be revalidated.
 * Stale windows from response directives and infinite configured ones count for at most
 * {@link MAX_STALE_RETENTION_MS} (7 days); a finite configured window counts in full.
 * Never earlier than `stored.responseTime`, never later than 2^31 s after it (§1.2.2 "infinity").
 */
export function storeExpiryAt(stored: StoredFacts, opts: PolicyOptions): number {
  const resCc = responseDirectives(stored, opts);
  const initialAgeMs = currentAgeMs(stored, stored.responseTime);
  const freshUntil = stored.responseTime - initialAgeMs + freshnessLifetimeMs(stored, opts);

  let staleWindowMs = 0;
  // §4.2.4: no stale window at all when a directive forbids serving stale.
  if (!staleForbidden(resCc, opts)) {
    // RFC 5861 §3 / §4: the response's own windows, capped (they come from the network).
    const directiveMs = Math.max(secondsToMs(resCc.staleWhileRevalidate), secondsToMs(resCc.staleIfError));
    const configuredMs = Math.max(opts.staleWhileRevalidateMs ?? 0, opts.staleIfErrorMs ?? 0);
    staleWindowMs = Math.max(
      Math.min(directiveMs, MAX_STALE_RETENTION_MS),
      Number.isFinite(configuredMs) ? configuredMs : MAX_STALE_RETENTION_MS,
    );
  }
  let keepUntil = freshUntil + staleWindowMs;

  const hasValidator = stored.headers['etag'] !== undefined || stored.headers['last-modified'] !== undefined;
  if (hasValidator) {
    keepUntil = Math.max(keepUntil, freshUntil + (opts.retainForRevalidationMs ?? DEFAULT_RETAIN_FOR_REVALIDATION_MS));
  }
  return Math.min(stored.responseTime + MAX_KEEP_MS, Math.max(stored.responseTime, keepUntil));
}

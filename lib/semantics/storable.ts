/**
 * May this response be stored? (RFC 9111 §3, §3.5)
 */
import { parseCacheControl } from './cache-control.js';
import { hasExplicitFreshness } from './freshness.js';
import { HEURISTICALLY_CACHEABLE_STATUSES, UNDERSTOOD_STATUSES, isFinalStatus, isUnsafeMethod } from './status.js';
import type { PolicyOptions, RequestFacts, ResponseFacts, StorabilityVerdict } from './types.js';

const STORABLE: StorabilityVerdict = { storable: true };

function no(reason: string): StorabilityVerdict {
  return { storable: false, reason };
}

/**
 * RFC 9111 §3: "A cache MUST NOT store a response to a request unless" every condition holds.
 * The axios layer decides which methods the user opted into; here any safe method and POST are
 * accepted, every other unsafe method (PUT, DELETE, PATCH, unknown ...) is refused.
 */
export function storability(req: RequestFacts, res: ResponseFacts, opts: PolicyOptions): StorabilityVerdict {
  const method = req.method.toUpperCase();
  // §3: "the request method is understood by the cache"
  if (isUnsafeMethod(method) && method !== 'POST') return no(`method ${method} is not cacheable`);

  // §3: "the response status code is final"
  if (!isFinalStatus(res.status)) return no(`status ${res.status} is not final`);
  // §3: "if the response status code is 206 or 304 ... the cache understands the response status code";
  // ranges are not implemented (§3.3), and a 304 only ever updates an existing entry (§4.3.4).
  if (res.status === 206) return no('status 206 (ranges are not supported)');
  if (res.status === 304) return no('status 304 only updates a stored response');
  if (opts.statuses !== undefined && !opts.statuses.includes(res.status)) {
    return no(`status ${res.status} is not in the configured statuses`);
  }

  const reqCc = parseCacheControl(req.headers['cache-control']);
  // §5.2.1.5: "a cache MUST NOT store any part of either this request or any response to it"
  if (reqCc.noStore) return no('request Cache-Control no-store');

  const cc = parseCacheControl(res.headers['cache-control']);
  // §5.2.2.3: must-understand limits caching to caches that understand the status code ...
  if (cc.mustUnderstand && !UNDERSTOOD_STATUSES.has(res.status)) {
    return no(`Cache-Control must-understand with status ${res.status}`);
  }
  // §3: "the no-store cache directive is not present in the response"; §5.2.2.3: caches "SHOULD
  // ignore the no-store directive in responses that contain both directives and a status code
  // that the cache understands".
  if (cc.noStore && !cc.mustUnderstand) return no('Cache-Control no-store');

  // §3: "if the cache is shared: the private response directive is either not present or allows
  // a shared cache to store a modified response" (the qualified form; see headersToStore).
  if (opts.shared && cc.private === true) return no('Cache-Control private in a shared cache');

  // §3.5: "A shared cache MUST NOT use a cached response to a request with an Authorization header
  // field ... unless" must-revalidate, public or s-maxage is present.
  if (opts.shared && req.headers['authorization'] !== undefined) {
    if (!opts.cacheControl || !(cc.mustRevalidate || cc.public || cc.sMaxage !== undefined)) {
      return no('Authorization in a shared cache without public, must-revalidate or s-maxage');
    }
  }

  if (!opts.cacheControl) {
    // Freshness comes from configuration only: store when a ttl is configured or the status is
    // one a cache may keep without explicit freshness.
    if (opts.ttlMs !== undefined || HEURISTICALLY_CACHEABLE_STATUSES.has(res.status)) return STORABLE;
    return no(`status ${res.status} needs a ttl when Cache-Control is ignored`);
  }

  // §3: "the response contains at least one of" ...
  if (
    cc.public ||
    (!opts.shared && cc.private !== false) ||
    hasExplicitFreshness(res, opts) ||
    HEURISTICALLY_CACHEABLE_STATUSES.has(res.status) ||
    // Out-of-band configuration: the user's ttl plays the part of an explicit lifetime.
    opts.ttlMs !== undefined ||
    // Stored, but "MUST NOT be used ... without ... validation" (§5.2.2.4) on every reuse.
    cc.noCache === true
  ) {
    return STORABLE;
  }
  return no(`status ${res.status} has no explicit freshness and is not heuristically cacheable`);
}

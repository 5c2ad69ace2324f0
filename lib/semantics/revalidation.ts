/**
 * Validation: building the conditional request and applying a 304 (RFC 9111 §4.3).
 */
import { emptyFields } from './field-names.js';
import { stripHopByHop } from './headers.js';
import { parseHttpDate } from './http-date.js';
import type { Headers, ResponseFacts } from './types.js';

/**
 * §4.3.1: the precondition fields for validating `stored`: If-None-Match from its ETag and
 * If-Modified-Since from its Last-Modified. Both are sent when both exist (RFC 9110 §8.8.1: a
 * client SHOULD send the entity tag and MAY also send Last-Modified; the server gives
 * If-None-Match precedence). An unparseable Last-Modified is not a usable validator.
 */
export function conditionalHeaders(stored: ResponseFacts): Record<string, string> {
  const out: Record<string, string> = {};
  const etag = stored.headers['etag']?.trim();
  if (etag !== undefined && etag !== '') out['if-none-match'] = etag;
  const lastModified = stored.headers['last-modified'];
  if (lastModified !== undefined && parseHttpDate(lastModified) !== undefined) {
    out['if-modified-since'] = lastModified.trim();
  }
  return out;
}

interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

/** Parses one entity-tag (RFC 9110 §8.8.3): `"xyz"` or `W/"xyz"`; lenient about missing quotes. */
function parseEntityTag(value: string | undefined): EntityTag | undefined {
  if (value === undefined) return undefined;
  let text = value.trim();
  if (text === '') return undefined;
  const weak = /^w\//i.test(text);
  if (weak) text = text.slice(2);
  return { weak, opaque: text };
}

/** RFC 9110 §8.8.3.2 strong comparison: both strong and identical opaque tags. */
export function strongEtagMatch(a: string | undefined, b: string | undefined): boolean {
  const x = parseEntityTag(a);
  const y = parseEntityTag(b);
  return x !== undefined && y !== undefined && !x.weak && !y.weak && x.opaque === y.opaque;
}

/** RFC 9110 §8.8.3.2 weak comparison: identical opaque tags, weakness ignored. */
export function weakEtagMatch(a: string | undefined, b: string | undefined): boolean {
  const x = parseEntityTag(a);
  const y = parseEntityTag(b);
  return x !== undefined && y !== undefined && x.opaque === y.opaque;
}

function sameLastModified(a: string | undefined, b: string | undefined): boolean {
  const x = parseHttpDate(a);
  return x !== undefined && x === parseHttpDate(b);
}

/**
 * §4.3.4: does this 304 select (update) the stored response?
 * - the 304 has an ETag (strong or weak): it must match the stored ETag under the weak comparison of
 *   RFC 9110 §8.8.3.2 (`W/"x"` and `"x"` weakly match). This is deliberately wider than the strong-only
 *   reading of §4.3.4 ("that strong validator identifies the selected representation"): the 304 answers
 *   an If-None-Match built from the stored ETag, and RFC 9110 §13.1.2 says the origin evaluates it with
 *   the weak comparison, so a 304 carrying `"x"` states that the stored `W/"x"` is still current. nginx
 *   with gzip does exactly this (weak ETag on the compressed 200, strong one on the 304); refusing it
 *   would refetch in full every time. An ETag that does not weakly match is still refused;
 * - otherwise a Last-Modified: it must correspond to the stored one;
 * - no validator at all: applies. The RFC requires the stored response to lack validators too,
 *   but this cache only sends conditionals built from the stored response's own validators
 *   (see {@link conditionalHeaders}), so a validator-less 304 can only be answering those.
 */
export function notModifiedApplies(stored: ResponseFacts, notModified: ResponseFacts): boolean {
  const newEtag = notModified.headers['etag'];
  // RFC 9110 §8.8.3.2 weak comparison (see above for why not the strong one).
  if (parseEntityTag(newEtag) !== undefined) return weakEtagMatch(stored.headers['etag'], newEtag);
  const newLastModified = notModified.headers['last-modified'];
  if (newLastModified !== undefined) return sameLastModified(stored.headers['last-modified'], newLastModified);
  return true;
}

/**
 * Fields of a 304 that never replace stored ones (§3.2): Content-Length ("The Content-Length
 * header field" is excepted), and fields describing the stored body as received, which axios
 * has already decoded (§3.2 lets caches that store processed content omit those: Content-Encoding,
 * Content-Range), and Content-MD5, a digest of the stored body: §3.2 lets a cache omit "those
 * fields necessary to assure integrity of the stored response", and a 304 carries no body to match it.
 */
const NOT_UPDATED_FIELDS: ReadonlySet<string> = new Set(['content-length', 'content-encoding', 'content-range', 'content-md5']);

/**
 * §3.2 / §4.3.4: the stored fields updated with the 304's: "add each header field in the provided
 * response to the stored response, replacing field values that are already present", except the
 * fields excepted from storage (§3.1: hop-by-hop, proxy) and those in {@link NOT_UPDATED_FIELDS}.
 */
export function mergeNotModified(stored: Headers, notModified: Headers): Record<string, string> {
  // No prototype: a field named `__proto__` or `constructor` is merged like any other.
  const merged = emptyFields();
  for (const [name, value] of Object.entries(stored)) merged[name.toLowerCase()] = value;
  // stripHopByHop already drops the hop-by-hop and proxy fields (and its names are lower-case).
  for (const [name, value] of Object.entries(stripHopByHop(notModified))) {
    if (!NOT_UPDATED_FIELDS.has(name)) merged[name] = value;
  }
  return merged;
}

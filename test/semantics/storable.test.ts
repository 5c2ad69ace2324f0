import { expect } from 'chai';
import { storability } from '../../lib/semantics/index.js';
import type { PolicyOptions } from '../../lib/semantics/index.js';

const PRIVATE_CACHE: PolicyOptions = { shared: false, cacheControl: true };
const SHARED_CACHE: PolicyOptions = { shared: true, cacheControl: true };
const DATE = 'Sun, 06 Nov 1994 08:49:37 GMT';

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly reqHeaders?: Record<string, string>;
  readonly status?: number;
  readonly resHeaders?: Record<string, string>;
  readonly opts?: PolicyOptions;
  /** undefined: storable; a string: not storable, with a reason containing it. */
  readonly refusedFor?: string;
}

const cases: readonly Case[] = [
  // §3 method
  { name: 'stores a plain 200 to GET, a heuristically cacheable status (§4.2.2)' },
  { name: 'stores a 200 to HEAD', method: 'HEAD' },
  { name: 'stores a 200 to POST once the caller opted the method in', method: 'POST', resHeaders: { 'cache-control': 'max-age=60' } },
  { name: 'refuses PUT, an unsafe method', method: 'PUT', refusedFor: 'method PUT' },
  { name: 'refuses DELETE, an unsafe method', method: 'DELETE', refusedFor: 'method DELETE' },
  { name: 'refuses a method of unknown safety', method: 'PURGE', refusedFor: 'method PURGE' },
  // §3 status
  { name: 'refuses a 1xx, which is not final (§3)', status: 103, refusedFor: 'not final' },
  { name: 'refuses 206 because ranges are not supported (§3.3)', status: 206, refusedFor: '206' },
  { name: 'refuses 304 as a new entry (§4.3.4 updates instead)', status: 304, refusedFor: '304' },
  { name: 'refuses a status outside 100-599', status: 999, refusedFor: 'not final' },
  { name: 'stores a 404, which is heuristically cacheable', status: 404 },
  { name: 'stores a 410, which is heuristically cacheable', status: 410 },
  { name: 'stores a 501, which is heuristically cacheable', status: 501 },
  { name: 'refuses a bare 302, which needs explicit freshness', status: 302, refusedFor: 'no explicit freshness' },
  { name: 'refuses a bare 500', status: 500, refusedFor: 'no explicit freshness' },
  { name: 'stores a 302 with max-age', status: 302, resHeaders: { 'cache-control': 'max-age=60' } },
  { name: 'stores a 307 with Expires (even an invalid one: the field is present)', status: 307, resHeaders: { expires: '0' } },
  { name: 'stores a 500 marked public', status: 500, resHeaders: { 'cache-control': 'public' } },
  { name: 'stores a 302 given a configured ttl', status: 302, opts: { ...PRIVATE_CACHE, ttlMs: 1000 } },
  { name: 'stores a 303 with no-cache, to be revalidated on each use', status: 303, resHeaders: { 'cache-control': 'no-cache' } },
  { name: 'refuses a status outside the configured statuses', status: 404, opts: { ...PRIVATE_CACHE, statuses: [200] }, refusedFor: 'configured statuses' },
  { name: 'stores a status inside the configured statuses', status: 203, opts: { ...PRIVATE_CACHE, statuses: [200, 203] } },
  { name: 'does not widen the RFC through the configured statuses', status: 302, opts: { ...PRIVATE_CACHE, statuses: [302] }, refusedFor: 'no explicit freshness' },
  // §5.2.2.5 / §5.2.1.5 no-store
  { name: 'refuses a response with no-store (§3 MUST NOT)', resHeaders: { 'cache-control': 'max-age=60, no-store' }, refusedFor: 'Cache-Control no-store' },
  { name: 'refuses when the request says no-store (§5.2.1.5)', reqHeaders: { 'cache-control': 'no-store' }, refusedFor: 'request Cache-Control no-store' },
  { name: 'lets must-understand override no-store for an understood status (§5.2.2.3)', resHeaders: { 'cache-control': 'no-store, must-understand, max-age=60' } },
  { name: 'refuses must-understand with a status it does not understand', status: 418, resHeaders: { 'cache-control': 'no-store, must-understand, max-age=60' }, refusedFor: 'must-understand' },
  // §5.2.2.7 private
  { name: 'refuses private in a shared cache (§3)', resHeaders: { 'cache-control': 'private, max-age=60' }, opts: SHARED_CACHE, refusedFor: 'private' },
  { name: 'stores private in a private cache', resHeaders: { 'cache-control': 'private, max-age=60' } },
  { name: 'stores a 302 marked private in a private cache (§5.2.2.7 "even if ... not otherwise heuristically cacheable")', status: 302, resHeaders: { 'cache-control': 'private' } },
  { name: 'stores a qualified private in a shared cache, minus the named fields', resHeaders: { 'cache-control': 'private="set-cookie"' }, opts: SHARED_CACHE },
  // §3.5 Authorization
  { name: 'refuses a response to an Authorization request in a shared cache (§3.5)', reqHeaders: { authorization: 'Bearer x' }, resHeaders: { 'cache-control': 'max-age=60' }, opts: SHARED_CACHE, refusedFor: 'Authorization' },
  { name: 'stores an authorised response marked public in a shared cache', reqHeaders: { authorization: 'Bearer x' }, resHeaders: { 'cache-control': 'public' }, opts: SHARED_CACHE },
  { name: 'stores an authorised response with must-revalidate in a shared cache', reqHeaders: { authorization: 'Bearer x' }, resHeaders: { 'cache-control': 'must-revalidate, max-age=5' }, opts: SHARED_CACHE },
  { name: 'stores an authorised response with s-maxage in a shared cache', reqHeaders: { authorization: 'Bearer x' }, resHeaders: { 'cache-control': 's-maxage=5' }, opts: SHARED_CACHE },
  { name: 'stores an authorised response in a private cache', reqHeaders: { authorization: 'Bearer x' } },
  // §3 "at least one of"
  { name: 'counts s-maxage as explicit freshness in a shared cache', status: 302, resHeaders: { 'cache-control': 's-maxage=10' }, opts: SHARED_CACHE },
  { name: 'does not count s-maxage in a private cache', status: 302, resHeaders: { 'cache-control': 's-maxage=10' }, refusedFor: 'no explicit freshness' },
  // cacheControl: false
  { name: 'still refuses no-store when Cache-Control is ignored', resHeaders: { 'cache-control': 'no-store' }, opts: { ...PRIVATE_CACHE, cacheControl: false, ttlMs: 1000 }, refusedFor: 'no-store' },
  { name: 'still refuses a request no-store when Cache-Control is ignored', reqHeaders: { 'cache-control': 'no-store' }, opts: { ...PRIVATE_CACHE, cacheControl: false, ttlMs: 1000 }, refusedFor: 'no-store' },
  { name: 'stores a 302 with max-age=0 when Cache-Control is ignored and a ttl is set', status: 302, resHeaders: { 'cache-control': 'max-age=0' }, opts: { ...PRIVATE_CACHE, cacheControl: false, ttlMs: 1000 } },
  { name: 'refuses a 302 when Cache-Control is ignored and no ttl is set', status: 302, resHeaders: { 'cache-control': 'max-age=60' }, opts: { ...PRIVATE_CACHE, cacheControl: false }, refusedFor: 'needs a ttl' },
];

describe('storability (RFC 9111 §3, §3.5)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const verdict = storability(
        { method: c.method ?? 'GET', headers: c.reqHeaders ?? {} },
        { status: c.status ?? 200, headers: { date: DATE, ...c.resHeaders } },
        c.opts ?? PRIVATE_CACHE,
      );
      if (c.refusedFor === undefined) {
        expect(verdict).to.deep.equal({ storable: true });
      } else {
        expect(verdict.storable).to.equal(false);
        if (!verdict.storable) expect(verdict.reason).to.contain(c.refusedFor);
      }
    });
  }
});

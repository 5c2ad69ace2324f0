import { expect } from 'chai';
import fc from 'fast-check';
import { canServeStaleOnError, decideReuse, storeExpiryAt } from '../../lib/semantics/index.js';
import { MAX_STALE_RETENTION_MS } from '../../lib/semantics/reuse.js';
import type { PolicyOptions } from '../../lib/semantics/index.js';
import type { StoredFacts } from '../../lib/semantics/types.js';

const PRIVATE_CACHE: PolicyOptions = { shared: false, cacheControl: true };
const SHARED_CACHE: PolicyOptions = { shared: true, cacheControl: true };
const T0 = Date.UTC(2024, 0, 10, 12, 0, 0);
const S = 1000;
const H = 3600 * S;

function stored(headers: Record<string, string>, status = 200): StoredFacts {
  return { status, headers: { date: new Date(T0).toUTCString(), ...headers }, requestTime: T0, responseTime: T0 };
}

interface ReuseCase {
  readonly name: string;
  readonly res: Record<string, string>;
  readonly req?: Record<string, string>;
  /** seconds after the response was received */
  readonly afterS: number;
  readonly opts?: PolicyOptions;
  readonly action: 'fresh' | 'stale-within-max-stale' | 'stale-while-revalidate' | 'revalidate' | 'unusable';
  readonly reason?: string;
}

const cases: readonly ReuseCase[] = [
  { name: 'serves a response younger than max-age as fresh (§4.2)', res: { 'cache-control': 'max-age=60' }, afterS: 59, action: 'fresh' },
  { name: 'revalidates a response whose age equals its lifetime (fresh needs lifetime > age)', res: { 'cache-control': 'max-age=60' }, afterS: 60, action: 'revalidate', reason: 'stale' },
  { name: 'revalidates a stale response with no stale allowance (§4.2.4 MUST NOT)', res: { 'cache-control': 'max-age=60' }, afterS: 600, action: 'revalidate' },
  { name: 'reports Vary: * as unusable (§4.1)', res: { 'cache-control': 'max-age=60', vary: 'Accept, *' }, afterS: 1, action: 'unusable' },
  // request directives
  { name: 'revalidates a fresh response when the request says no-cache (§5.2.1.4)', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'no-cache' }, afterS: 1, action: 'revalidate', reason: 'request no-cache' },
  { name: 'revalidates when the request has Pragma: no-cache and no Cache-Control (§5.4)', res: { 'cache-control': 'max-age=60' }, req: { pragma: 'no-cache' }, afterS: 1, action: 'revalidate' },
  { name: 'revalidates when the request says max-age=0', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'max-age=0' }, afterS: 1, action: 'revalidate', reason: 'request max-age' },
  { name: 'serves fresh when the request max-age is not exceeded (§5.2.1.1)', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'max-age=10' }, afterS: 10, action: 'fresh' },
  { name: 'revalidates when older than the request max-age', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'max-age=10' }, afterS: 11, action: 'revalidate' },
  { name: 'revalidates when not fresh for min-fresh more seconds (§5.2.1.3)', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'min-fresh=30' }, afterS: 31, action: 'revalidate', reason: 'min-fresh' },
  { name: 'serves fresh when min-fresh is still met', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'min-fresh=30' }, afterS: 30, action: 'fresh' },
  { name: 'serves stale inside the request max-stale, flagged stale (§5.2.1.2)', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'max-stale=30' }, afterS: 90, action: 'stale-within-max-stale' },
  { name: 'revalidates beyond the request max-stale', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'max-stale=30' }, afterS: 91, action: 'revalidate' },
  { name: 'serves stale of any age for a bare max-stale', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'max-stale' }, afterS: 1e6, action: 'stale-within-max-stale' },
  { name: 'refuses max-stale when the response says must-revalidate (§5.2.2.2)', res: { 'cache-control': 'max-age=60, must-revalidate' }, req: { 'cache-control': 'max-stale' }, afterS: 61, action: 'revalidate' },
  { name: 'applies the request max-age even inside max-stale', res: { 'cache-control': 'max-age=60' }, req: { 'cache-control': 'max-stale, max-age=30' }, afterS: 61, action: 'revalidate' },
  // response no-cache
  { name: 'revalidates a bare response no-cache on every use (§5.2.2.4 MUST NOT)', res: { 'cache-control': 'no-cache, max-age=600' }, afterS: 0, action: 'revalidate', reason: 'response no-cache' },
  { name: 'serves a qualified no-cache response while fresh (fields already dropped at storage)', res: { 'cache-control': 'no-cache="set-cookie", max-age=600' }, afterS: 1, action: 'fresh' },
  { name: 'refuses max-stale for a bare no-cache response', res: { 'cache-control': 'no-cache' }, req: { 'cache-control': 'max-stale' }, afterS: 1, action: 'revalidate' },
  // stale-while-revalidate (RFC 5861)
  { name: 'serves stale while revalidating inside the response stale-while-revalidate', res: { 'cache-control': 'max-age=60, stale-while-revalidate=30' }, afterS: 90, action: 'stale-while-revalidate' },
  { name: 'revalidates beyond the stale-while-revalidate window', res: { 'cache-control': 'max-age=60, stale-while-revalidate=30' }, afterS: 91, action: 'revalidate' },
  { name: 'uses the configured stale-while-revalidate window', res: { 'cache-control': 'max-age=60' }, opts: { ...PRIVATE_CACHE, staleWhileRevalidateMs: 10 * S }, afterS: 70, action: 'stale-while-revalidate' },
  { name: 'takes the larger of the response and configured windows', res: { 'cache-control': 'max-age=60, stale-while-revalidate=100' }, opts: { ...PRIVATE_CACHE, staleWhileRevalidateMs: 10 * S }, afterS: 150, action: 'stale-while-revalidate' },
  { name: 'never serves stale while revalidating under must-revalidate (§4.2.4)', res: { 'cache-control': 'max-age=60, stale-while-revalidate=30, must-revalidate' }, afterS: 70, action: 'revalidate' },
  { name: 'never serves stale under proxy-revalidate in a shared cache (§5.2.2.8)', res: { 'cache-control': 'max-age=60, stale-while-revalidate=30, proxy-revalidate' }, opts: SHARED_CACHE, afterS: 70, action: 'revalidate' },
  { name: 'ignores proxy-revalidate in a private cache', res: { 'cache-control': 'max-age=60, stale-while-revalidate=30, proxy-revalidate' }, afterS: 70, action: 'stale-while-revalidate' },
  { name: 'never serves stale under s-maxage in a shared cache (§5.2.2.10)', res: { 'cache-control': 's-maxage=60, stale-while-revalidate=30' }, opts: SHARED_CACHE, afterS: 70, action: 'revalidate' },
  { name: 'prefers stale-while-revalidate to max-stale when both allow stale', res: { 'cache-control': 'max-age=60, stale-while-revalidate=30' }, req: { 'cache-control': 'max-stale' }, afterS: 70, action: 'stale-while-revalidate' },
  // immutable (RFC 8246)
  { name: 'serves a fresh immutable response despite a reload max-age=0 (RFC 8246)', res: { 'cache-control': 'max-age=600, immutable' }, req: { 'cache-control': 'max-age=0' }, afterS: 1, action: 'fresh' },
  { name: 'revalidates a fresh immutable response on an explicit request no-cache', res: { 'cache-control': 'max-age=600, immutable' }, req: { 'cache-control': 'no-cache' }, afterS: 1, action: 'revalidate' },
  { name: 'revalidates a stale immutable response', res: { 'cache-control': 'max-age=600, immutable' }, afterS: 601, action: 'revalidate' },
  // heuristic freshness and configuration
  { name: 'serves heuristically fresh responses (§4.2.2)', res: { 'last-modified': new Date(T0 - 10 * H).toUTCString() }, afterS: 3599, action: 'fresh' },
  { name: 'serves fresh within the ttl when Cache-Control is ignored', res: { 'cache-control': 'no-cache, max-age=0' }, opts: { ...PRIVATE_CACHE, cacheControl: false, ttlMs: 10 * S }, afterS: 5, action: 'fresh' },
  { name: 'still honours a request no-cache when Cache-Control is ignored', res: {}, req: { 'cache-control': 'no-cache' }, opts: { ...PRIVATE_CACHE, cacheControl: false, ttlMs: 10 * S }, afterS: 5, action: 'revalidate' },
  { name: 'counts the Age the response arrived with (§4.2.3)', res: { 'cache-control': 'max-age=60', age: '50' }, afterS: 10, action: 'revalidate' },
];

describe('decideReuse (RFC 9111 §4, §4.2.4, §5.2.1; RFC 5861; RFC 8246)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const decision = decideReuse({ method: 'GET', headers: c.req ?? {} }, stored(c.res), T0 + c.afterS * S, c.opts ?? PRIVATE_CACHE);
      expect(decision.action).to.equal(c.action);
      if (decision.action === 'revalidate' && c.reason !== undefined) expect(decision.reason).to.contain(c.reason);
      if (decision.action !== 'unusable') expect(decision.ageMs).to.be.at.least(c.afterS * S);
    });
  }
});

describe('canServeStaleOnError (RFC 5861 §4, RFC 9111 §4.2.4)', () => {
  const cases: readonly [string, Record<string, string>, Record<string, string>, number, PolicyOptions, boolean][] = [
    ['serves stale inside the response stale-if-error when the origin fails', { 'cache-control': 'max-age=60, stale-if-error=600' }, {}, 600, PRIVATE_CACHE, true],
    ['refuses beyond the response stale-if-error window', { 'cache-control': 'max-age=60, stale-if-error=600' }, {}, 661, PRIVATE_CACHE, false],
    ['serves stale inside a request stale-if-error', { 'cache-control': 'max-age=60' }, { 'cache-control': 'stale-if-error=100' }, 150, PRIVATE_CACHE, true],
    ['serves stale inside a request max-stale (§4.2.4 "permitted by the client")', { 'cache-control': 'max-age=60' }, { 'cache-control': 'max-stale=100' }, 150, PRIVATE_CACHE, true],
    ['serves stale inside the configured staleIfErrorMs', { 'cache-control': 'max-age=60' }, {}, 100, { ...PRIVATE_CACHE, staleIfErrorMs: 60 * S }, true],
    ['serves stale of any age with staleIfErrorMs Infinity', { 'cache-control': 'max-age=60' }, {}, 1e7, { ...PRIVATE_CACHE, staleIfErrorMs: Infinity }, true],
    ['refuses without any stale-if-error allowance', { 'cache-control': 'max-age=60' }, {}, 61, PRIVATE_CACHE, false],
    ['never serves stale under must-revalidate (§4.2.4 MUST NOT)', { 'cache-control': 'max-age=60, must-revalidate, stale-if-error=600' }, {}, 100, { ...PRIVATE_CACHE, staleIfErrorMs: Infinity }, false],
    ['never serves stale for a bare no-cache response (§4.2.4 MUST NOT)', { 'cache-control': 'no-cache, stale-if-error=600' }, {}, 100, PRIVATE_CACHE, false],
    ['never serves stale under proxy-revalidate in a shared cache', { 'cache-control': 'max-age=60, proxy-revalidate, stale-if-error=600' }, {}, 100, SHARED_CACHE, false],
    ['serves a still-fresh response when the origin fails', { 'cache-control': 'max-age=60, stale-if-error=1' }, {}, 10, PRIVATE_CACHE, true],
    ['refuses a Vary: * response', { 'cache-control': 'max-age=60, stale-if-error=600', vary: '*' }, {}, 100, PRIVATE_CACHE, false],
    ['never serves stale when the request says no-cache (§4.2.4 MUST NOT, §5.2.1.4)', { 'cache-control': 'max-age=60, stale-if-error=600' }, { 'cache-control': 'no-cache' }, 100, { ...PRIVATE_CACHE, staleIfErrorMs: Infinity }, false],
    ['never serves stale when the request sends Pragma: no-cache without Cache-Control (§5.4)', { 'cache-control': 'max-age=60, stale-if-error=600' }, { pragma: 'no-cache' }, 100, PRIVATE_CACHE, false],
  ];
  for (const [name, res, req, afterS, opts, expected] of cases) {
    it(name, () => {
      expect(canServeStaleOnError({ method: 'GET', headers: req }, stored(res), T0 + afterS * S, opts)).to.equal(expected);
    });
  }
});

describe('storeExpiryAt (retention: freshness + stale windows + revalidation)', () => {
  const cases: readonly [string, StoredFacts, PolicyOptions, number][] = [
    ['keeps a response without validator until the end of freshness', stored({ 'cache-control': 'max-age=60' }), PRIVATE_CACHE, T0 + 60 * S],
    ['subtracts the age the response arrived with', stored({ 'cache-control': 'max-age=60', age: '20' }), PRIVATE_CACHE, T0 + 40 * S],
    ['adds the largest response stale window', stored({ 'cache-control': 'max-age=60, stale-while-revalidate=30, stale-if-error=300' }), PRIVATE_CACHE, T0 + 360 * S],
    ['adds the configured stale windows', stored({ 'cache-control': 'max-age=60' }), { ...PRIVATE_CACHE, staleIfErrorMs: 500 * S }, T0 + 560 * S],
    ['adds no stale window under must-revalidate', stored({ 'cache-control': 'max-age=60, must-revalidate, stale-if-error=300' }), PRIVATE_CACHE, T0 + 60 * S],
    ['keeps a response with an ETag one hour past freshness by default', stored({ 'cache-control': 'max-age=60', etag: '"v1"' }), PRIVATE_CACHE, T0 + 60 * S + H],
    ['keeps a response with Last-Modified for the configured retention', stored({ 'cache-control': 'max-age=60', 'last-modified': 'Sun, 06 Nov 1994 08:49:37 GMT' }), { ...PRIVATE_CACHE, retainForRevalidationMs: 10 * S }, T0 + 70 * S],
    ['lets a stale window longer than the retention win', stored({ 'cache-control': 'max-age=60, stale-if-error=7200', etag: '"v1"' }), PRIVATE_CACHE, T0 + 60 * S + 2 * H],
    ['gives a zero-lifetime response without validator or window its receive time', stored({ 'cache-control': 'no-cache' }), PRIVATE_CACHE, T0],
    ['never goes below the receive time for a response that arrived stale', stored({ 'cache-control': 'max-age=10', age: '100' }), PRIVATE_CACHE, T0],
    ['caps an infinite configured stale-if-error window at seven days past freshness', stored({ 'cache-control': 'max-age=60' }), { ...PRIVATE_CACHE, staleIfErrorMs: Infinity }, T0 + 60 * S + 7 * 24 * H],
    ['caps an infinite configured stale-while-revalidate window at seven days past freshness', stored({ 'cache-control': 'max-age=60', etag: '"v1"' }), { ...PRIVATE_CACHE, staleWhileRevalidateMs: Infinity }, T0 + 60 * S + 7 * 24 * H],
    ['caps a response stale-if-error of 2^31 seconds at seven days past freshness', stored({ 'cache-control': 'max-age=60, stale-if-error=2147483648' }), PRIVATE_CACHE, T0 + 60 * S + 7 * 24 * H],
    ['keeps a finite configured stale window longer than seven days as given', stored({ 'cache-control': 'max-age=60' }), { ...PRIVATE_CACHE, staleIfErrorMs: 30 * 24 * H }, T0 + 60 * S + 30 * 24 * H],
    ['uses the ttl when Cache-Control is ignored', stored({ 'cache-control': 'max-age=600' }), { ...PRIVATE_CACHE, cacheControl: false, ttlMs: 5 * S }, T0 + 5 * S],
  ];
  for (const [name, facts, opts, expected] of cases) {
    it(name, () => {
      expect(storeExpiryAt(facts, opts)).to.equal(expected);
    });
  }

  it('documents the stale retention cap as seven days', () => {
    expect(MAX_STALE_RETENTION_MS).to.equal(7 * 24 * H);
  });

  it('never keeps a record past freshness longer than the cap for any response directives and infinite windows', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10 ** 6 }),
        fc.nat({ max: 2 ** 32 }),
        fc.nat({ max: 2 ** 32 }),
        fc.boolean(),
        fc.boolean(),
        (maxAge, swr, sie, infiniteSwr, infiniteSie) => {
          const facts = stored({ 'cache-control': `max-age=${maxAge}, stale-while-revalidate=${swr}, stale-if-error=${sie}` });
          const opts: PolicyOptions = {
            ...PRIVATE_CACHE,
            ...(infiniteSwr ? { staleWhileRevalidateMs: Infinity } : {}),
            ...(infiniteSie ? { staleIfErrorMs: Infinity } : {}),
          };
          const pastFreshnessMs = storeExpiryAt(facts, opts) - (T0 + maxAge * S);
          expect(pastFreshnessMs).to.be.at.most(MAX_STALE_RETENTION_MS);
        },
      ),
    );
  });
});

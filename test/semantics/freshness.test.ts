import { expect } from 'chai';
import { ageHeaderValue, currentAgeMs, decideReuse, freshnessLifetimeMs, storeExpiryAt } from '../../lib/semantics/index.js';
import { parseAgeSeconds } from '../../lib/semantics/freshness.js';
import type { PolicyOptions } from '../../lib/semantics/index.js';
import type { StoredFacts } from '../../lib/semantics/types.js';

const PRIVATE_CACHE: PolicyOptions = { shared: false, cacheControl: true };
const SHARED_CACHE: PolicyOptions = { shared: true, cacheControl: true };
const T0 = Date.UTC(2024, 0, 10, 12, 0, 0);
const httpDate = (at: number): string => new Date(at).toUTCString();
const S = 1000;
const H = 3600 * S;

function stored(headers: Record<string, string>, status = 200, requestTime = T0, responseTime = T0): StoredFacts {
  return { status, headers, requestTime, responseTime };
}

describe('freshnessLifetimeMs (RFC 9111 §4.2.1, §4.2.2)', () => {
  const cases: readonly [string, StoredFacts, PolicyOptions, number][] = [
    ['uses s-maxage first in a shared cache', stored({ 'cache-control': 's-maxage=30, max-age=60' }), SHARED_CACHE, 30 * S],
    ['ignores s-maxage in a private cache', stored({ 'cache-control': 's-maxage=30, max-age=60' }), PRIVATE_CACHE, 60 * S],
    ['prefers max-age over Expires', stored({ 'cache-control': 'max-age=60', date: httpDate(T0), expires: httpDate(T0 + H) }), PRIVATE_CACHE, 60 * S],
    ['prefers s-maxage over Expires in a shared cache', stored({ 'cache-control': 's-maxage=5', date: httpDate(T0), expires: httpDate(T0 + H) }), SHARED_CACHE, 5 * S],
    ['uses Expires minus Date', stored({ date: httpDate(T0), expires: httpDate(T0 + 2 * H) }), PRIVATE_CACHE, 2 * H],
    ['uses Expires minus the receive time without Date', stored({ expires: httpDate(T0 + H) }, 200, T0 - S, T0), PRIVATE_CACHE, H],
    ['uses Expires minus Date even with clock skew (§4.2.1 "not vulnerable to clock skew")', stored({ date: httpDate(T0 - 10 * H), expires: httpDate(T0 - 9 * H) }), PRIVATE_CACHE, H],
    ['treats an invalid Expires as already expired (§5.3 MUST)', stored({ date: httpDate(T0), expires: '0' }), PRIVATE_CACHE, 0],
    ['treats an Expires before Date as zero lifetime', stored({ date: httpDate(T0), expires: httpDate(T0 - H) }), PRIVATE_CACHE, 0],
    ['treats two Expires lines as stale (§4.2.1)', stored({ date: httpDate(T0), expires: `${httpDate(T0 + H)}, ${httpDate(T0 + 2 * H)}` }), PRIVATE_CACHE, 0],
    ['treats a non-integer max-age as stale (§4.2.1)', stored({ 'cache-control': 'max-age=1.5', date: httpDate(T0), expires: httpDate(T0 + H) }), PRIVATE_CACHE, 0],
    ['treats an invalid Age as stale (§5.1 SHOULD)', stored({ 'cache-control': 'max-age=60', age: 'soon' }), PRIVATE_CACHE, 0],
    ['uses the ttl when there is no explicit freshness', stored({ 'last-modified': httpDate(T0 - 100 * H) }), { ...PRIVATE_CACHE, ttlMs: 5000 }, 5000],
    ['does not let the ttl override explicit freshness', stored({ 'cache-control': 'max-age=60' }), { ...PRIVATE_CACHE, ttlMs: 5000 }, 60 * S],
    ['uses the ttl for everything when Cache-Control is ignored', stored({ 'cache-control': 'max-age=60' }), { ...PRIVATE_CACHE, cacheControl: false, ttlMs: 5000 }, 5000],
    ['is zero when Cache-Control is ignored and no ttl is set', stored({ 'cache-control': 'max-age=60' }), { ...PRIVATE_CACHE, cacheControl: false }, 0],
    ['takes 10% of Date minus Last-Modified as heuristic freshness (§4.2.2)', stored({ date: httpDate(T0), 'last-modified': httpDate(T0 - 10 * H) }), PRIVATE_CACHE, H],
    ['caps heuristic freshness at 24 hours', stored({ date: httpDate(T0), 'last-modified': httpDate(T0 - 1000 * H) }), PRIVATE_CACHE, 24 * H],
    ['uses the receive time for the heuristic without Date', stored({ 'last-modified': httpDate(T0 - 10 * H) }), PRIVATE_CACHE, H],
    ['gives a heuristic lifetime to a public 302', stored({ 'cache-control': 'public', date: httpDate(T0), 'last-modified': httpDate(T0 - 10 * H) }, 302), PRIVATE_CACHE, H],
    ['gives no heuristic lifetime to a 302 (not heuristically cacheable)', stored({ date: httpDate(T0), 'last-modified': httpDate(T0 - 10 * H) }, 302), PRIVATE_CACHE, 0],
    ['gives no heuristic when Last-Modified is after Date', stored({ date: httpDate(T0), 'last-modified': httpDate(T0 + H) }), PRIVATE_CACHE, 0],
    ['is zero with neither explicit freshness, ttl nor Last-Modified', stored({ date: httpDate(T0) }), PRIVATE_CACHE, 0],
    ['treats an exponent-notation max-age as invalid, so stale (§4.2.1)', stored({ 'cache-control': 'max-age=1e99' }), PRIVATE_CACHE, 0],
    ['clamps a max-age above 2^31 seconds to 2^31 (§1.2.2 MUST)', stored({ 'cache-control': 'max-age=9999999999' }), PRIVATE_CACHE, 2147483648 * S],
  ];
  for (const [name, facts, opts, expected] of cases) {
    it(name, () => {
      expect(freshnessLifetimeMs(facts, opts)).to.equal(expected);
    });
  }
});

describe('currentAgeMs (RFC 9111 §4.2.3)', () => {
  const cases: readonly [string, StoredFacts, number, number][] = [
    ['is the resident time for a response without Date or Age', stored({}, 200, T0, T0), T0 + 5 * S, 5 * S],
    ['adds the apparent age when Date is in the past', stored({ date: httpDate(T0 - 10 * S) }), T0, 10 * S],
    ['replaces a negative apparent age with zero (Date in the future)', stored({ date: httpDate(T0 + 60 * S) }), T0 + S, S],
    ['adds the Age value and the response delay (corrected_age_value)', stored({ age: '30' }, 200, T0 - 2 * S, T0), T0, 32 * S],
    ['takes the larger of apparent age and corrected age value', stored({ age: '5', date: httpDate(T0 - 20 * S) }, 200, T0 - S, T0), T0 + S, 21 * S],
    ['uses the corrected age value when it exceeds the apparent age', stored({ age: '50', date: httpDate(T0 - 20 * S) }, 200, T0 - S, T0), T0 + S, 52 * S],
    ['treats a list-valued Age as invalid, a zero age_value (§5.1)', stored({ age: '7, 100' }), T0, 0],
    ['treats an invalid Age as zero age_value', stored({ age: '-3' }), T0 + S, S],
    ['never returns a negative age', stored({}), T0 - 10 * S, 0],
  ];
  for (const [name, facts, now, expected] of cases) {
    it(name, () => {
      expect(currentAgeMs(facts, now)).to.equal(expected);
    });
  }
});

describe('parseAgeSeconds and ageHeaderValue (RFC 9111 §5.1)', () => {
  it('reads absent, valid, listed and invalid Age values', () => {
    expect(parseAgeSeconds(undefined)).to.equal(undefined);
    expect(parseAgeSeconds('12')).to.equal(12);
    expect(parseAgeSeconds('3, 4')).to.equal('invalid');
    expect(parseAgeSeconds('1.5')).to.equal('invalid');
    expect(parseAgeSeconds('')).to.equal('invalid');
  });

  const cases: readonly [number, string][] = [
    [0, '0'], [999, '0'], [1000, '1'], [61_500, '61'], [-5, '0'], [1e20, '2147483648'], [Number.NaN, '0'],
  ];
  for (const [ageMs, header] of cases) {
    it(`sends ${header} as the Age of a response ${ageMs} ms old (whole seconds, at most 2^31)`, () => {
      expect(ageHeaderValue(ageMs)).to.equal(header);
    });
  }
});

describe('an invalid Age field (RFC 9111 §5.1: "a cache SHOULD consider the response to be stale")', () => {
  const invalidAges: readonly [string, string][] = [
    ['a fraction', '1.5'],
    ['a negative number', '-1'],
    ['garbage', 'abc'],
    ['an empty value', ''],
    ['a list whose first member is invalid', 'abc, 5'],
  ];
  for (const [what, age] of invalidAges) {
    it(`reads ${what} (${JSON.stringify(age)}) as invalid, stale, with age_value 0, and keeps it for revalidation when it has an ETag`, () => {
      const facts = stored({ 'cache-control': 'max-age=3600', etag: '"v1"', age });
      expect(parseAgeSeconds(age)).to.equal('invalid');
      expect(freshnessLifetimeMs(facts, PRIVATE_CACHE)).to.equal(0);
      expect(currentAgeMs(facts, T0 + S)).to.equal(S);
      expect(storeExpiryAt(facts, PRIVATE_CACHE)).to.equal(T0 + H);
      expect(decideReuse({ method: 'GET', headers: {} }, facts, T0 + S, PRIVATE_CACHE).action).to.equal('revalidate');
    });
  }

  it('considers a response stale when its Age is a list, even of valid members (§5.1: "it contains a list")', () => {
    expect(freshnessLifetimeMs(stored({ 'cache-control': 'max-age=3600', age: '5, 5' }), PRIVATE_CACHE)).to.equal(0);
  });
});

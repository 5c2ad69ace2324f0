import { expect } from 'chai';
import { parseCacheControl } from '../../lib/semantics/index.js';
import { parsePragmaNoCache, requestDirectives } from '../../lib/semantics/cache-control.js';
import type { CacheDirectives } from '../../lib/semantics/types.js';

type Expected = { readonly [K in keyof CacheDirectives]?: CacheDirectives[K] | undefined };
type Case = readonly [name: string, value: string | undefined, expected: Expected];

describe('parseCacheControl (RFC 9111 §5.2, §1.2.2, §4.2.1)', () => {
  const cases: readonly Case[] = [
    ['reads nothing from an absent field', undefined, { noStore: false, noCache: false, private: false, public: false }],
    ['reads max-age in delta-seconds', 'max-age=60', { maxAge: 60 }],
    ['compares directive names case-insensitively (§5.2)', 'Max-Age=60, NO-STORE', { maxAge: 60, noStore: true }],
    ['tolerates whitespace around names, equals signs and commas', '  max-age = 60 ,  public ', { maxAge: 60, public: true }],
    ['accepts the quoted-string form of a delta-seconds argument (§5.2)', 'max-age="120"', { maxAge: 120 }],
    ['reads s-maxage separately from max-age', 's-maxage=10, max-age=5', { sMaxage: 10, maxAge: 5 }],
    ['keeps commas inside a quoted field list together', 'private="set-cookie, x-user", max-age=5', { private: ['set-cookie', 'x-user'], maxAge: 5 }],
    ['lower-cases the field names of a qualified no-cache', 'no-cache="Set-Cookie"', { noCache: ['set-cookie'] }],
    ['reads a bare no-cache as true', 'no-cache', { noCache: true }],
    ['lets a bare no-cache win over a qualified one (most restrictive, §4.2.1)', 'no-cache="x-a", no-cache', { noCache: true }],
    ['merges the lists of repeated qualified private directives', 'private="a", private="b, a"', { private: ['a', 'b'] }],
    ['treats an empty qualified list as the bare directive', 'private=""', { private: true }],
    ['makes a conflicting duplicate max-age stale (§4.2.1)', 'max-age=60, max-age=3600', { maxAge: 0 }],
    ['keeps a duplicate max-age that repeats the same value', 'max-age=60, max-age=60', { maxAge: 60 }],
    ['makes a conflicting duplicate s-maxage stale (§4.2.1)', 's-maxage=1, s-maxage=2', { sMaxage: 0 }],
    ['keeps the first occurrence of a duplicate stale-while-revalidate', 'stale-while-revalidate=30, stale-while-revalidate=90', { staleWhileRevalidate: 30 }],
    ['treats a negative max-age as invalid and therefore stale (§4.2.1)', 'max-age=-5', { maxAge: 0 }],
    ['treats a non-integer max-age as stale (§4.2.1 example)', 'max-age=1.5', { maxAge: 0 }],
    ['treats a garbage max-age as stale', 'max-age=soon', { maxAge: 0 }],
    ['treats a max-age without argument as stale', 'max-age', { maxAge: 0 }],
    ['clamps a huge delta-seconds to 2^31 (§1.2.2 MUST)', 'max-age=99999999999999999999', { maxAge: 2147483648 }],
    ['keeps a delta-seconds just under the clamp as it is', 'max-age=2147483647', { maxAge: 2147483647 }],
    ['reads a bare max-stale as any staleness (§5.2.1.2)', 'max-stale', { maxStale: Infinity }],
    ['reads max-stale with a value', 'max-stale=30', { maxStale: 30 }],
    ['ignores a garbage max-stale value', 'max-stale=abc', { maxStale: undefined }],
    ['ignores a negative min-fresh', 'min-fresh=-1', { minFresh: undefined }],
    ['reads min-fresh', 'min-fresh=20', { minFresh: 20 }],
    ['reads the RFC 5861 extensions', 'stale-while-revalidate=30, stale-if-error=600', { staleWhileRevalidate: 30, staleIfError: 600 }],
    ['ignores a garbage stale-if-error', 'stale-if-error=x', { staleIfError: undefined }],
    ['reads every boolean directive', 'no-store, public, must-revalidate, proxy-revalidate, must-understand, immutable, only-if-cached, no-transform', {
      noStore: true, public: true, mustRevalidate: true, proxyRevalidate: true, mustUnderstand: true, immutable: true, onlyIfCached: true, noTransform: true,
    }],
    ['ignores unknown directives and stray commas', ',,foo=bar, , baz, max-age=3,', { maxAge: 3, noStore: false }],
    ['survives an unterminated quote', 'private="a, max-age=5', { private: ['a', 'max-age=5'], maxAge: undefined }],
    ['unescapes backslashes in a quoted argument', 'no-cache="x-\\a"', { noCache: ['x-a'] }],
  ];

  for (const [name, value, expected] of cases) {
    it(name, () => {
      const parsed = parseCacheControl(value);
      for (const [key, want] of Object.entries(expected)) {
        expect(parsed[key as keyof CacheDirectives], `${key} of ${String(value)}`).to.deep.equal(want);
      }
    });
  }
});

describe('parsePragmaNoCache (RFC 9111 §5.4)', () => {
  const cases: readonly [string, Record<string, string>, boolean][] = [
    ['counts Pragma: no-cache when the request has no Cache-Control', { pragma: 'no-cache' }, true],
    ['matches the no-cache token case-insensitively among others', { pragma: 'foo, No-Cache' }, true],
    ['ignores Pragma when the request also has Cache-Control', { pragma: 'no-cache', 'cache-control': 'max-age=60' }, false],
    ['ignores other Pragma tokens', { pragma: 'no-store' }, false],
    ['is false without Pragma', {}, false],
  ];
  for (const [name, headers, expected] of cases) {
    it(name, () => {
      expect(parsePragmaNoCache(headers)).to.equal(expected);
    });
  }

  it('folds Pragma: no-cache into the request directives as a bare no-cache', () => {
    expect(requestDirectives({ pragma: 'no-cache' }).noCache).to.equal(true);
    expect(requestDirectives({ pragma: 'no-cache', 'cache-control': 'max-stale' }).noCache).to.equal(false);
  });
});

/**
 * Field names come from the network: none of them, `__proto__` and `constructor` included, may read or
 * write a plain object's prototype, and no parser may throw on any field value.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { decideReuse, headersToStore, mergeNotModified, parseCacheControl, storability, varyNames, varyValues } from '../../lib/semantics/index.js';
import { HOP_BY_HOP_FIELDS, stripHopByHop } from '../../lib/semantics/headers.js';
import { varyMatches } from '../../lib/semantics/vary.js';
import type { PolicyOptions } from '../../lib/semantics/index.js';

const PRIVATE_CACHE: PolicyOptions = { shared: false, cacheControl: true };
const SHARED_CACHE: PolicyOptions = { shared: true, cacheControl: true };
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];
const T0 = Date.UTC(2024, 0, 10, 12, 0, 0);

const fieldName = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 12 }));
const fieldValueText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 8 })), { maxLength: 5 }).map((parts) => parts.join(', ')),
  fc.array(fc.constantFrom(...PROTOTYPE_NAMES, 'no-cache', 'private', 'max-age'), { maxLength: 4 }).map((names) => names.map((name) => `${name}=1`).join(', ')),
);
/** Header maps as the layers above build them: own data properties (Object.fromEntries never sets a prototype). */
const headerMap = fc.array(fc.tuple(fieldName, fieldValueText), { maxLength: 6 }).map((entries) => Object.fromEntries(entries) as Record<string, string>);

const DIRECTIVE_KEYS = new Set([
  'maxAge', 'sMaxage', 'maxStale', 'minFresh', 'staleWhileRevalidate', 'staleIfError', 'noStore', 'noCache', 'private',
  'public', 'mustRevalidate', 'proxyRevalidate', 'mustUnderstand', 'immutable', 'onlyIfCached', 'noTransform',
]);

function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(OBJECT_PROTOTYPE_NAMES);
  expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
}
const OBJECT_PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

describe('field names that collide with Object.prototype', () => {
  it('parses any Cache-Control value into known directives only, without throwing', () => {
    fc.assert(
      fc.property(fieldValueText, (value) => {
        const directives = parseCacheControl(value);
        for (const key of Object.keys(directives)) expect(DIRECTIVE_KEYS.has(key), key).to.equal(true);
        expect(Object.getPrototypeOf(directives)).to.equal(Object.prototype);
        for (const list of [directives.noCache, directives.private]) {
          if (typeof list !== 'boolean') for (const name of list) expect(name).to.be.a('string');
        }
        expectPrototypeUntouched();
      }),
    );
  });

  it('reads Vary names and request values as strings or null for any names, without throwing', () => {
    fc.assert(
      fc.property(fieldValueText, headerMap, (vary, request) => {
        const names = varyNames({ vary });
        if (names === '*') return;
        const values = varyValues(names, request);
        names.forEach((name, i) => {
          const value = values[i];
          if (!Object.hasOwn(request, name) && !Object.keys(request).some((key) => key.toLowerCase() === name)) expect(value).to.equal(null);
          else expect(value === null || typeof value === 'string').to.equal(true);
        });
        expect(varyMatches(names, values, request)).to.equal(true);
        expectPrototypeUntouched();
      }),
    );
  });

  it('keeps every non-hop-by-hop field of any name when stripping, storing and merging headers', () => {
    fc.assert(
      fc.property(headerMap, headerMap, (stored, notModified) => {
        const connection = Object.entries(stored).find(([name]) => name.toLowerCase() === 'connection')?.[1] ?? '';
        const dropped = new Set([...HOP_BY_HOP_FIELDS, ...connection.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '')]);
        const stripped = stripHopByHop(stored);
        for (const name of Object.keys(stored)) {
          const lower = name.toLowerCase();
          expect(Object.hasOwn(stripped, lower), lower).to.equal(!dropped.has(lower));
        }
        const merged = mergeNotModified(stripped, notModified);
        for (const name of Object.keys(stripped)) expect(Object.hasOwn(merged, name), name).to.equal(true);
        for (const out of [stripped, headersToStore({ status: 200, headers: stored }, SHARED_CACHE), merged]) {
          for (const name of Object.keys(out)) expect(out[name]).to.be.a('string');
        }
        expectPrototypeUntouched();
      }),
    );
  });

  const nastyValues = ['__proto__', 'constructor', 'toString, __proto__', 'hasOwnProperty, Accept'];
  for (const vary of nastyValues) {
    it(`stores and reuses a response with Vary: ${vary} for a request without those fields`, () => {
      const stored = { status: 200, headers: { 'cache-control': 'max-age=60', vary, date: new Date(T0).toUTCString() }, requestTime: T0, responseTime: T0 };
      expect(storability({ method: 'GET', headers: {} }, stored, PRIVATE_CACHE)).to.deep.equal({ storable: true });
      const names = varyNames(stored.headers);
      expect(names).to.not.equal('*');
      if (names === '*') return;
      const recorded = varyValues(names, {});
      expect(recorded.every((value) => value === null)).to.equal(true);
      expect(varyMatches(names, recorded, { accept: 'text/html' })).to.equal(!vary.includes('Accept'));
      expect(decideReuse({ method: 'GET', headers: {} }, stored, T0 + 1000, PRIVATE_CACHE).action).to.equal('fresh');
    });
  }

  it('ignores unknown directives named after Object.prototype properties', () => {
    const directives = parseCacheControl('__proto__=1, constructor, toString="x", max-age=60, no-cache="__proto__, constructor"');
    expect(directives.maxAge).to.equal(60);
    expect(directives.noCache).to.deep.equal(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(directives)).to.equal(Object.prototype);
  });

  it('drops the fields a qualified no-cache names, even __proto__ and constructor, and keeps the rest', () => {
    const headers = Object.fromEntries([
      ['cache-control', 'no-cache="__proto__, constructor"'],
      ['__proto__', 'a'],
      ['constructor', 'b'],
      ['toString', 'c'],
    ]) as Record<string, string>;
    const out = headersToStore({ status: 200, headers }, PRIVATE_CACHE);
    expect(Object.keys(out).sort()).to.deep.equal(['cache-control', 'tostring']);
  });

  it('keeps fields named __proto__ and constructor as ordinary fields when storing and merging', () => {
    const headers = Object.fromEntries([['__proto__', 'a'], ['Constructor', 'b']]) as Record<string, string>;
    const stored = headersToStore({ status: 200, headers }, PRIVATE_CACHE);
    expect([Object.hasOwn(stored, '__proto__'), stored['constructor']]).to.deep.equal([true, 'b']);
    const merged = mergeNotModified(stored, Object.fromEntries([['constructor', 'c']]));
    expect([merged['__proto__'], merged['constructor']]).to.deep.equal(['a', 'c']);
  });
});

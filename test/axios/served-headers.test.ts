import axios, { AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse } from 'axios';
import { expect } from 'chai';
import fc from 'fast-check';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheRecord } from '../../lib/record.js';
import type { CacheStore } from '../../lib/stores/store.js';
import { FakeClock } from './helpers.js';

/**
 * A store that answers a new record object on every read, as a store that decodes its entries does (Redis, MongoDB),
 * with the stored headers replaced by `headers` when the test sets them: another write of the same key.
 */
class DecodingStore implements CacheStore {
  readonly #inner = new MemoryStore();
  headers: Record<string, string> | undefined;

  get(key: string): CacheRecord | undefined {
    const record = this.#inner.getSync(key);
    if (record === undefined) return undefined;
    const headers = Object.create(null) as Record<string, string>;
    for (const [name, value] of Object.entries(this.headers ?? record.headers)) headers[name] = value;
    return { ...record, headers };
  }

  set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    return this.#inner.set(key, record, expiresAt);
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }
}

function cachedOverDecodingStore(): { api: ReturnType<typeof axios.create>; store: DecodingStore } {
  const adapter: AxiosAdapter = (config) => {
    const response: AxiosResponse = { data: 'body', status: 200, statusText: 'OK', headers: new AxiosHeaders({ 'cache-control': 'max-age=600' }), config, request: {} };
    return Promise.resolve(response);
  };
  const store = new DecodingStore();
  const api = axios.create({ baseURL: 'http://api.test', adapter });
  attachCache(api, { store, now: new FakeClock().now });
  return { api, store };
}

/**
 * What a hit's headers must be: the stored headers as AxiosHeaders makes them and axios' transformResponse step then
 * normalises them, without the Age the hit adds.
 */
function asAxiosMakesThem(headers: Record<string, string>): Record<string, unknown> {
  return { ...new AxiosHeaders(headers).normalize(false).toJSON() };
}

function withoutAge(response: AxiosResponse): Record<string, unknown> {
  const { age, ...rest } = (response.headers as AxiosHeaders).toJSON();
  expect(age).to.be.a('string');
  return { ...rest };
}

describe('the headers of a hit on a store that decodes a new record per read', () => {
  it('are each read\'s own stored headers, when another write of the key changed them', async () => {
    const { api, store } = cachedOverDecodingStore();
    await api.get('/a');
    store.headers = { 'cache-control': 'max-age=600', etag: '"v1"' };
    const first = await api.get('/a');
    store.headers = { 'cache-control': 'max-age=600', etag: '"v2"' };
    const second = await api.get('/a');
    store.headers = { 'cache-control': 'max-age=600', etag: '"v2"', 'x-version': '2' };
    const third = await api.get('/a');
    expect(withoutAge(first)).to.deep.equal({ 'cache-control': 'max-age=600', etag: '"v1"' });
    expect(withoutAge(second)).to.deep.equal({ 'cache-control': 'max-age=600', etag: '"v2"' });
    expect(withoutAge(third)).to.deep.equal({ 'cache-control': 'max-age=600', etag: '"v2"', 'x-version': '2' });
  });

  it('are normalised as AxiosHeaders normalises them when a later write holds a value it would change', async () => {
    const { api, store } = cachedOverDecodingStore();
    await api.get('/a');
    await api.get('/a');
    store.headers = { 'cache-control': 'max-age=600', 'x-padded': '  spaced\u0001  ' };
    const hit = await api.get('/a');
    expect(withoutAge(hit)).to.deep.equal(asAxiosMakesThem(store.headers));
  });

  it('equal what AxiosHeaders makes of the stored headers, for any sequence of writes of one key', async () => {
    const name = fc.oneof(fc.constantFrom('etag', 'content-type', 'x-a', 'Upper-Case', ' padded'), fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/));
    const value = fc.oneof(fc.constantFrom('"v1"', '"v2"', ' lead', 'trail\t', 'a\u0000b', ''), fc.string({ maxLength: 12 }));
    const headers = fc.dictionary(name, value, { maxKeys: 5 }).map((set) => ({ ...set, 'cache-control': 'max-age=600' }));
    await fc.assert(
      fc.asyncProperty(fc.array(headers, { minLength: 1, maxLength: 4 }), async (writes) => {
        const { api, store } = cachedOverDecodingStore();
        await api.get('/a');
        for (const written of writes) {
          store.headers = written;
          const hit = await api.get('/a');
          expect(hit.cacheInfo?.status).to.equal('hit');
          expect(withoutAge(hit)).to.deep.equal(asAxiosMakesThem(written));
        }
      }),
      { numRuns: 200 },
    );
  });
});

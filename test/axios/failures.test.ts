import axios from 'axios';
import type { AxiosAdapter } from 'axios';
import { expect } from 'chai';
import { attachCache, CorruptEntryError, MemoryStore } from '../../lib/index.js';
import type { CacheRecord, CacheStore } from '../../lib/index.js';

function countingOrigin() {
  let calls = 0;
  const adapter: AxiosAdapter = (config) => {
    calls += 1;
    return Promise.resolve({ data: `"answer ${calls}"`, status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} });
  };
  return { adapter, get calls() { return calls; } };
}

class ThrowingStore implements CacheStore {
  get(): Promise<CacheRecord | undefined> { return Promise.reject(new Error('store is down')); }
  set(): Promise<void> { return Promise.reject(new Error('store is down')); }
  delete(): Promise<void> { return Promise.reject(new Error('store is down')); }
}

class HangingStore implements CacheStore {
  get(): Promise<CacheRecord | undefined> { return new Promise(() => undefined); }
  set(): Promise<void> { return new Promise(() => undefined); }
  delete(): Promise<void> { return new Promise(() => undefined); }
}

describe('attachCache: a failing store never fails a request', () => {
  it('answers from the origin and emits an error event when the store throws', async () => {
    const origin = countingOrigin();
    const api = axios.create({ adapter: origin.adapter });
    const cache = attachCache(api, { store: new ThrowingStore() });
    const errors: string[] = [];
    cache.on('error', (event) => errors.push(`${event.operation}: ${event.error.message}`));
    const res = await api.get('http://x.test/a');
    expect(res.data).to.equal('answer 1');
    expect(res.fromCache).to.equal(false);
    expect(errors[0]).to.match(/^get: .*store is down/);
    expect(cache.stats().errors).to.be.greaterThan(0);
  });

  it('gives up on a store that hangs after storeTimeoutMs and goes to the origin', async () => {
    const origin = countingOrigin();
    const api = axios.create({ adapter: origin.adapter });
    const cache = attachCache(api, { store: new HangingStore(), storeTimeoutMs: 50 });
    const codes: string[] = [];
    cache.on('error', (event) => codes.push((event.error as Error & { code: string }).code));
    const res = await api.get('http://x.test/slow');
    expect(res.data).to.equal('answer 1');
    expect(codes).to.include('ECACHE_TIMEOUT');
  });

  it('treats an undecodable entry as a miss with an error event, and caches again afterwards', async () => {
    const origin = countingOrigin();
    const store = new MemoryStore();
    const api = axios.create({ adapter: origin.adapter });
    const cache = attachCache(api, { store });
    await api.get('http://x.test/c');
    const key = 'GET http://x.test/c';
    const original = await store.get(key);
    // Another version's record, as a store would find after an upgrade.
    await store.set(key, { ...original!, v: 99 } as unknown as CacheRecord, Date.now() + 60_000);
    // The store reads the foreign record once as corrupt (deleting it), as the remote stores do.
    let corruptOnce = true;
    store.getSync = (k: string) => {
      const record = MemoryStore.prototype.getSync.call(store, k);
      if (corruptOnce && record && (record as { v: number }).v !== 1) {
        corruptOnce = false;
        MemoryStore.prototype.delete.call(store, k).catch(() => undefined);
        throw new CorruptEntryError(k, 'format version 99');
      }
      return record;
    };
    const errors: string[] = [];
    cache.on('error', (event) => errors.push((event.error as Error & { code: string }).code));
    const res = await api.get('http://x.test/c');
    expect(res.fromCache).to.equal(false);
    expect(errors).to.deep.equal(['ECACHE_CORRUPT']);
    expect((await api.get('http://x.test/c')).fromCache).to.equal(true);
  });

  it('does not let a throwing event listener break the request', async () => {
    const origin = countingOrigin();
    const api = axios.create({ adapter: origin.adapter });
    const cache = attachCache(api);
    cache.on('miss', () => {
      throw new Error('listener bug');
    });
    const res = await api.get('http://x.test/l');
    expect(res.status).to.equal(200);
  });

  it('delivers the response, unstored, with an error event when the filter or ttl callback throws', async () => {
    for (const options of [{ filter: () => { throw new Error('filter bug'); } }, { ttl: () => { throw new Error('ttl bug'); } }]) {
      const origin = countingOrigin();
      const api = axios.create({ adapter: origin.adapter });
      const cache = attachCache(api, options);
      const errors: string[] = [];
      cache.on('error', (event) => errors.push(event.error.message));
      const first = await api.get('http://x.test/cb');
      const second = await api.get('http://x.test/cb');
      expect([first.data, second.data, second.fromCache]).to.deep.equal(['answer 1', 'answer 2', false]);
      expect(errors).to.have.length(2);
      expect(errors[0]).to.match(/bug/);
    }
  });

  it('keeps answering when the debug logger throws', async () => {
    const origin = countingOrigin();
    const api = axios.create({ adapter: origin.adapter });
    attachCache(api, { debug: () => { throw new Error('logger bug'); } });
    await api.get('http://x.test/log');
    const hit = await api.get('http://x.test/log');
    expect([hit.data, hit.fromCache]).to.deep.equal(['answer 1', true]);
  });
});

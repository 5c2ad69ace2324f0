import axios, { CanceledError } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheEventMap, CacheEventName } from '../../lib/index.js';
import { FRESH, managedInstance, nock, ORIGIN, resetNock, serve } from './helpers.js';
import { forEachStore } from './stores.js';

type Seen = Array<{ readonly name: CacheEventName; readonly event: CacheEventMap[CacheEventName] }>;

const ALL_EVENTS: readonly CacheEventName[] = ['hit', 'miss', 'stale', 'revalidated', 'stored', 'deleted', 'bypass', 'error'];

describe('cache events, stats and the debug log', function () {
  this.timeout(30_000);
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  forEachStore((setup) => {
    async function observed(options: Parameters<typeof managedInstance>[1] = {}) {
      const managed = await managedInstance(setup, options);
      const seen: Seen = [];
      for (const name of ALL_EVENTS) managed.cache.on(name, (event) => seen.push({ name, event }));
      return { ...managed, seen, names: () => seen.map((s) => s.name) };
    }

    it('emits miss and stored, then hit, each carrying the key, URL and method', async () => {
      const { api, seen, names } = await observed();
      serve('/users?q=paris');
      await api.get('/users?q=paris');
      await api.get('/users', { params: { q: 'paris' } });
      expect(names()).to.deep.equal(['miss', 'stored', 'hit']);
      for (const { event } of seen) {
        expect(event.key).to.equal(`GET ${ORIGIN}/users?q=paris`);
        expect(event.url).to.equal(`${ORIGIN}/users?q=paris`);
        expect(event.method).to.equal('GET');
      }
      expect((seen[1]?.event as CacheEventMap['stored']).expiresAt).to.be.greaterThan(0);
    });

    it('emits stored once, after the first miss, when concurrent callers share one origin call', async () => {
      const { api, names } = await observed();
      serve('/shared');
      await Promise.all([api.get('/shared'), api.get('/shared')]);
      expect(names()).to.deep.equal(['miss', 'stored', 'miss']);
    });

    it('counts hits, misses, stores and the hit ratio since attach', async () => {
      const { api, cache } = await observed();
      serve('/a');
      serve('/b');
      await api.get('/a');
      await api.get('/a');
      await api.get('/a');
      await api.get('/b');
      const stats = cache.stats();
      expect(stats).to.include({ hits: 2, misses: 2, stores: 2, staleServed: 0, revalidations: 0, errors: 0 });
      expect(stats.hitRatio).to.equal(0.5);
    });

    it('emits stale with the reason when it serves stale inside stale-if-error because the origin answers 503', async () => {
      const { api, cache, clock, seen, names } = await observed({ staleIfError: true });
      serve('/s', { ...FRESH, etag: '"1"' });
      await api.get('/s');
      clock.advance(61_000);
      nock(ORIGIN).get('/s').reply(503);
      const response = await api.get('/s');
      expect(response.fromCache).to.equal(true);
      expect(names()).to.include('stale');
      expect((seen.find((s) => s.name === 'stale')?.event as CacheEventMap['stale']).reason).to.equal('origin 503');
      expect(cache.stats().staleServed).to.equal(1);
    });

    it('emits revalidated when the origin answers 304 to a conditional request', async () => {
      const { api, cache, clock, names } = await observed();
      serve('/r', { ...FRESH, etag: '"1"' });
      await api.get('/r');
      clock.advance(61_000);
      nock(ORIGIN).get('/r').matchHeader('if-none-match', '"1"').reply(304, '', { 'cache-control': 'max-age=60', etag: '"1"' });
      await api.get('/r');
      expect(names()).to.include('revalidated');
      expect(cache.stats().revalidations).to.equal(1);
    });

    it('emits bypass with the reason for a request with cache: false', async () => {
      const { api, cache, seen } = await observed();
      serve('/x');
      await api.get('/x', { cache: false });
      expect(seen.map((s) => s.name)).to.deep.equal(['bypass']);
      expect((seen[0]?.event as CacheEventMap['bypass']).reason).to.equal('cache: false');
      expect(cache.stats().bypasses).to.equal(1);
    });

    it('emits deleted for entries removed by cache.delete()', async () => {
      const { api, cache, seen } = await observed();
      serve('/d');
      await api.get('/d');
      await cache.delete({ url: '/d' });
      const deleted = seen.filter((s) => s.name === 'deleted');
      expect(deleted).to.have.length(1);
      expect(deleted[0]?.event).to.deep.include({ key: `GET ${ORIGIN}/d`, url: `${ORIGIN}/d`, method: 'GET', reason: 'cache.delete()' });
    });

    it('turns an undecodable entry into a miss plus an error event, and the request still succeeds', async () => {
      const { api, cache, store, seen } = await observed();
      serve('/c');
      await api.get('/c');
      await setup.corrupt(store, `GET ${ORIGIN}/c`);
      serve('/c');
      const response = await api.get('/c');
      expect(response.status).to.equal(200);
      expect(response.fromCache).to.equal(false);
      const error = seen.find((s) => s.name === 'error')?.event as CacheEventMap['error'] | undefined;
      expect(error?.key).to.equal(`GET ${ORIGIN}/c`);
      expect((error?.error as { code?: string } | undefined)?.code).to.equal('ECACHE_CORRUPT');
      expect(cache.stats().errors).to.equal(1);
    });

    it('isolates a listener that throws: the request and the other listeners go on', async () => {
      const { api, cache, names } = await observed();
      cache.on('miss', () => {
        throw new Error('listener bug');
      });
      serve('/t');
      const response = await api.get('/t');
      expect(response.status).to.equal(200);
      expect(names()).to.deep.equal(['miss', 'stored']);
    });

    it('stops calling a listener removed with off()', async () => {
      const { api, cache } = await managedInstance(setup);
      let hits = 0;
      const listener = (): void => {
        hits += 1;
      };
      cache.on('hit', listener);
      serve('/o');
      await api.get('/o');
      await api.get('/o');
      cache.off('hit', listener);
      await api.get('/o');
      expect(hits).to.equal(1);
    });

    it('explains each decision through the debug logger', async () => {
      const messages: string[] = [];
      const { api, clock } = await managedInstance(setup, { debug: (message) => messages.push(message), staleIfError: true });
      serve('/n', { 'cache-control': 'no-store' });
      await api.get('/n');
      serve('/m', { ...FRESH, etag: '"1"' });
      await api.get('/m');
      await api.get('/m');
      clock.advance(61_000);
      nock(ORIGIN).get('/m').reply(503);
      await api.get('/m');
      expect(messages).to.include.members(['miss: no entry', 'not stored: Cache-Control no-store', 'stored', 'hit: fresh', 'served stale: origin 503']);
    });
  });
});

describe('the stored event of a shared origin call', () => {
  it('names the URL and method of what was stored, not those of whichever caller was answered first (callers share a key option)', async () => {
    const pending: Array<{ config: InternalAxiosRequestConfig; resolve: (response: AxiosResponse) => void }> = [];
    let calls = 0;
    const adapter: AxiosAdapter = (config) =>
      new Promise<AxiosResponse>((resolve, reject) => {
        calls += 1;
        pending.push({ config, resolve });
        config.signal?.addEventListener?.('abort', () => reject(new CanceledError(undefined, undefined, config)));
      });
    const api = axios.create({ baseURL: 'http://origin.test', adapter });
    const cache = attachCache(api, { key: () => 'one-resource' });
    const stored: Array<CacheEventMap['stored']> = [];
    cache.on('stored', (event) => stored.push(event));
    const turn = (): Promise<unknown> => new Promise((resolve) => setImmediate(resolve));
    const controller = new AbortController();
    const first = api.get('/a', { signal: controller.signal }).catch(() => undefined);
    await turn();
    const second = api.get('/b', { signal: new AbortController().signal });
    await turn();
    controller.abort(); // the caller that started the call leaves; /b is answered first
    await first;
    for (const { config, resolve } of pending.splice(0)) resolve({ data: 'x', status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} });
    await second;
    expect(calls).to.equal(1);
    const record = await cache.store.get('one-resource');
    expect(record?.url).to.equal('http://origin.test/a');
    expect(stored.map((event) => [event.key, event.url, event.method])).to.deep.equal([['one-resource', 'http://origin.test/a', 'GET']]);
  });

  it('is emitted even when every caller left before the store write finished (the entry is stored and counted)', async () => {
    class SlowWrites extends MemoryStore {
      override async set(...args: Parameters<MemoryStore['set']>): ReturnType<MemoryStore['set']> {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return super.set(...args);
      }
    }
    const adapter: AxiosAdapter = (config) => Promise.resolve({ data: 'x', status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} });
    const api = axios.create({ baseURL: 'http://origin.test', adapter });
    const cache = attachCache(api, { store: new SlowWrites() });
    const names: string[] = [];
    for (const name of ['miss', 'stored', 'hit'] as const) cache.on(name, () => names.push(name));
    const left = await api.get('/a', { timeout: 30 }).then(() => 'answered', (error: { code?: string }) => error.code);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await api.get('/a');
    expect([left, again.data, cache.stats().stores]).to.deep.equal(['ECONNABORTED', 'x', 1]);
    expect(names).to.deep.equal(['stored', 'hit']);
  });

  it('is emitted once, after the miss, for a caller that could have left and stayed', async () => {
    const adapter: AxiosAdapter = (config) => Promise.resolve({ data: 'x', status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} });
    const api = axios.create({ baseURL: 'http://origin.test', adapter });
    const cache = attachCache(api);
    const names: string[] = [];
    for (const name of ['miss', 'stored'] as const) cache.on(name, () => names.push(name));
    await api.get('/a', { timeout: 5_000, signal: new AbortController().signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(names).to.deep.equal(['miss', 'stored']);
  });
});

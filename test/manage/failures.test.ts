import axios from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheEventMap, CacheRecord, CacheStore } from '../../lib/index.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { missingServer, startPrivateRedis } from '../support/servers.js';
import type { PrivateServer } from '../support/servers.js';
import { nock, ORIGIN, resetNock, serve } from './helpers.js';
import { storeOver } from '../support/store-over.js';

/** A remote-like store (not inMemory, so timeouts apply) whose reads take `delayMs`. */
class SlowStore implements CacheStore {
  readonly inner = new MemoryStore();
  constructor(private readonly delayMs: number) {}
  get(key: string): Promise<CacheRecord | undefined> {
    return new Promise((resolve) => setTimeout(() => resolve(this.inner.get(key)), this.delayMs));
  }
  set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    return this.inner.set(key, record, expiresAt);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

describe('store failures seen through events', function () {
  this.timeout(30_000);
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('reports a store read that outlives storeTimeoutMs as an error event with code ECACHE_TIMEOUT, and answers from the origin', async () => {
    const api = axios.create({ baseURL: ORIGIN });
    const cache = attachCache(api, { store: new SlowStore(300), storeTimeoutMs: 20 });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    serve('/slow');
    const response = await api.get('/slow');
    expect(response.status).to.equal(200);
    expect(errors.map((e) => [e.operation, (e.error as { code?: string }).code])).to.deep.include(['get', 'ECACHE_TIMEOUT']);
    expect(cache.stats().errors).to.be.greaterThan(0);
  });

  it('cache.clear() on a store without clear() rejects with a StoreTimeoutError once its listing stops answering, with an error event, instead of waiting forever', async () => {
    const inner = new MemoryStore();
    const store = storeOver(inner, {
      keys: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => undefined) }) }),
    });
    const cache = attachCache(axios.create({ baseURL: ORIGIN }), { store, storeTimeoutMs: 30 });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    const failure = await cache.clear().then(() => undefined, (error: unknown) => error);
    expect((failure as { code?: string } | undefined)?.code).to.equal('ECACHE_TIMEOUT');
    expect(errors.map((event) => [event.operation, (event.error as { code?: string }).code])).to.deep.equal([['keys', 'ECACHE_TIMEOUT']]);
  });

  it('cache.clear() on a store without clear() rejects with a StoreTimeoutError when a deletion hangs, naming its key in the error event', async () => {
    const inner = new MemoryStore();
    const store = storeOver(inner, { delete: () => new Promise<never>(() => undefined), keys: () => inner.keys() });
    const api = axios.create({ baseURL: ORIGIN });
    const cache = attachCache(api, { store, storeTimeoutMs: 30 });
    serve('/one');
    await api.get('/one');
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    const failure = await cache.clear().then(() => undefined, (error: unknown) => error);
    expect((failure as { code?: string } | undefined)?.code).to.equal('ECACHE_TIMEOUT');
    expect(errors.map((event) => [event.operation, event.key, (event.error as { code?: string }).code])).to.deep.equal([['delete', `GET ${ORIGIN}/one`, 'ECACHE_TIMEOUT']]);
  });

  /** A store whose one key cannot be deleted (`deletion`), and whose listing's close (its cursor release) does `close`. */
  const closingStore = (deletion: () => Promise<never>, close: () => Promise<never>): CacheStore => {
    return storeOver(new MemoryStore(), {
      delete: deletion,
      keys: () => {
        let given = false;
        return {
          [Symbol.asyncIterator]: () => ({
            next: () => Promise.resolve(given ? { done: true as const, value: undefined } : ((given = true), { done: false as const, value: `GET ${ORIGIN}/one` })),
            return: close,
          }),
        };
      },
    });
  };

  it('cache.clear() on a store without clear() rejects with a StoreTimeoutError when a deletion hangs, even if closing its listing hangs too', async () => {
    const hang = (): Promise<never> => new Promise<never>(() => undefined);
    const cache = attachCache(axios.create(), { store: closingStore(hang, hang), storeTimeoutMs: 30 });
    const outcome = await Promise.race([
      cache.clear().then(() => 'resolved', (error: unknown) => (error as { code?: string }).code ?? 'rejected'),
      new Promise<string>((resolve) => setTimeout(() => resolve('still pending after 2 s'), 2000)),
    ]);
    expect(outcome).to.equal('ECACHE_TIMEOUT');
  });

  it('cache.clear() on a store without clear() reports a failed deletion once, not again when closing its listing fails too', async () => {
    const lost = (): Promise<never> => Promise.reject(new Error('connection lost'));
    const cache = attachCache(axios.create(), { store: closingStore(lost, lost), storeTimeoutMs: 30 });
    const operations: string[] = [];
    cache.on('error', (event) => operations.push(event.operation ?? '?'));
    const failure = await cache.clear().then(() => undefined, (error: unknown) => error);
    expect((failure as Error | undefined)?.message).to.contain('connection lost');
    expect(operations).to.deep.equal(['delete']);
  });

  describe('with a Redis that goes away', function () {
    let server: PrivateServer | undefined;

    before(async function () {
      this.timeout(30_000);
      server = await startPrivateRedis();
      if (server === undefined) missingServer(this, 'redis-server (for a private outage server)');
    });

    after(async function () {
      await server?.dispose();
    });

    it('serves requests from the origin with error events, and rejects management calls, while Redis is down', async () => {
      const store = new RedisStore({ url: server!.url, prefix: 'ahc-outage' });
      const api = axios.create({ baseURL: ORIGIN });
      const cache = attachCache(api, { store, storeTimeoutMs: 2000 });
      const errors: Array<CacheEventMap['error']> = [];
      cache.on('error', (event) => errors.push(event));
      try {
        serve('/up');
        await api.get('/up');
        expect(await cache.has('/up')).to.equal(true);
        await server!.stop();
        serve('/down');
        const response = await api.get('/down');
        expect(response.status).to.equal(200);
        expect(response.fromCache).to.equal(false);
        expect(errors.length).to.be.greaterThan(0);
        const before = errors.length;
        const failure = await cache.delete({ tag: 'any' }).then(() => undefined, (e: unknown) => e);
        expect(failure).to.be.instanceOf(Error);
        expect(errors.length).to.be.greaterThan(before);
      } finally {
        await store.close();
      }
    });
  });
});

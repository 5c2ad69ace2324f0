import { execFile, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import axios from 'axios';
import { expect } from 'chai';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { MongoClient, type Db } from 'mongodb';
import { StoreClosedError } from '../../lib/errors.js';
import { attachCache } from '../../lib/index.js';
import { MemoryStore } from '../../lib/stores/memory.js';
import { MongoStore } from '../../lib/stores/mongodb.js';
import { RedisStore, type RedisClientLike } from '../../lib/stores/redis.js';
import type { StoreEvent } from '../../lib/stores/store.js';
import type { CacheRecord } from '../../lib/record.js';
import { TieredStore, type FarStore } from '../../lib/stores/tiered.js';
import { CODEC_VERSION } from '../../lib/stores/codec.js';
import { withoutNock } from '../support/real-http.js';
import { missingServer, sharedMongoUrl, sharedRedisUrl, sparePort, startPrivateRedis, uniqueName } from '../support/servers.js';
import { makeRecord } from './fixtures.js';
import { runStoreContract, type StoreHarness, type TestClock } from './store-contract.js';

const root = resolve(import.meta.dirname, '../..');
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Resolves once `check()` is true; rejects after `timeoutMs`. */
async function eventually(check: () => boolean, what: string, timeoutMs = 2000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(2);
  }
  return Date.now() - started;
}

/**
 * Reads `key` until the read fills the near tier: a read that overlaps an announcement of the key (the write that
 * stored it, still on its way) fills nothing, by design.
 */
async function hold(store: TieredStore, key: string): Promise<void> {
  const started = Date.now();
  while (store.peekSync(key) === undefined) {
    if (Date.now() - started > 2000) throw new Error(`${key} never held near`);
    await store.get(key);
    await sleep(2);
  }
}

/** A client whose duplicate() connects to `url` instead: the subscriber then lives or dies apart from the far store. */
function subscribingElsewhere(client: Redis, url: string): RedisClientLike {
  return new Proxy({} as RedisClientLike, {
    get(_target, property) {
      if (property === 'duplicate') return () => new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 }).on('error', () => undefined);
      const value: unknown = Reflect.get(client, property, client);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
    },
  });
}

describe('TieredStore', function () {
  describe('options', function () {
    const far = (): RedisStore => new RedisStore({ url: 'redis://127.0.0.1:1', redisOptions: { lazyConnect: true } });

    it('refuses a near tier that is not a MemoryStore, a far tier held in this process, and a bad nearMaxAgeMs, naming the option', async function () {
      const redis = far();
      try {
        expect(() => new TieredStore({ far: redis, near: {} as MemoryStore })).to.throw(TypeError, /option near must be a MemoryStore/);
        expect(() => new TieredStore({ far: new MemoryStore() })).to.throw(TypeError, /option far must be a store shared by every process/);
        expect(() => new TieredStore({ far: { get: () => undefined } as never })).to.throw(TypeError, /option far .* has no set\(\)/);
        expect(() => new TieredStore({ far: redis, nearMaxAgeMs: 0.5 })).to.throw(TypeError, /option nearMaxAgeMs/);
        expect(() => new TieredStore({ far: redis, nearMaxAgeMS: 10 } as never)).to.throw(TypeError, /Did you mean "nearMaxAgeMs"/);
      } finally {
        await redis.close();
      }
    });
  });

  describe('over the shared redis-server', function () {
    withoutNock(); // the attachCache test talks to a real origin on 127.0.0.1
    let url: string;
    let raw: Redis;
    const opened: Array<{ close(): Promise<unknown> }> = [];

    before(async function () {
      const found = await sharedRedisUrl();
      if (found === undefined) missingServer(this, 'Redis');
      url = found;
      raw = new Redis(url);
    });

    after(async function () {
      await raw?.quit();
    });

    afterEach(async function () {
      for (const each of opened.splice(0).reverse()) await each.close();
    });

    const harness = (clock: TestClock): Promise<StoreHarness> => {
      const prefix = uniqueName('ahc-tiered');
      const far = new RedisStore({ client: raw, prefix, now: clock.now });
      const store = new TieredStore({ far, near: new MemoryStore({ now: clock.now }), now: clock.now });
      const neighbours: RedisStore[] = [];
      return Promise.resolve({
        store,
        rawHas: async (key: string) => (await raw.exists(`${prefix}:${key}`)) === 1,
        // Corruption comes from outside every TieredStore: as if heard on the channel, the near copy goes too.
        corrupt: async (key: string) => {
          await raw.set(`${prefix}:${key}`, Buffer.from([0xac, 0x48, CODEC_VERSION, 0, 1, 2]), 'PX', 60_000);
          await store.near.delete(key);
        },
        makeNeighbour: () => {
          const neighbour = new RedisStore({ client: raw, prefix: `${prefix}-neighbour`, now: clock.now });
          neighbours.push(neighbour);
          return Promise.resolve(new TieredStore({ far: neighbour, now: clock.now }));
        },
        listingsFollowBackEndClock: 'the far tier is a RedisStore: keys are written with the time left (PX)',
        teardown: async () => {
          await store.close();
          for (const each of [far, ...neighbours]) await new RedisStore({ client: raw, prefix: each.prefix }).clear();
        },
      });
    };

    // No makePeer: a peer's change reaches this store's near tier within the channel's bound, not at once (tested below).
    runStoreContract('TieredStore over RedisStore', harness);

    /** A TieredStore over its own connection to the shared Redis, as another process would have it. */
    const tiered = (prefix: string, nearMaxAgeMs = 60_000, connectionName?: string): TieredStore => {
      const client = new Redis(url, connectionName === undefined ? {} : { connectionName });
      const far = new RedisStore({ client, prefix });
      const store = new TieredStore({ far, nearMaxAgeMs });
      opened.push({ close: () => client.quit() }, far, store, { close: () => far.clear() });
      return store;
    };
    const up = async (...stores: TieredStore[]): Promise<void> => {
      await eventually(() => stores.every((store) => store.listening), 'subscribed');
    };

    it('serves a near hit synchronously (peekSync) and fills the near tier on a far hit', async function () {
      const prefix = uniqueName('ahc-tiered');
      const a = tiered(prefix);
      const b = tiered(prefix);
      await up(a, b);
      const now = Date.now();
      await a.set('k', makeRecord('k', now), now + 60_000);
      expect(b.peekSync('k')).to.equal(undefined);
      // The writer keeps its own copy near, unless the channel emptied the near tier meanwhile (which it may always do).
      await hold(a, 'k');
      expect(a.peekSync('k')?.key).to.equal('k');
      expect((await b.get('k'))?.key).to.equal('k');
      await hold(b, 'k');
      expect(b.peekSync('k')?.key).to.equal('k');
    });

    it('fills the near tier after a far hit has answered, and not at all when the key changes in between', async function () {
      const prefix = uniqueName('ahc-tiered');
      const a = tiered(prefix);
      await up(a);
      const now = Date.now();
      await a.set('k', makeRecord('k', now), now + 60_000);
      await a.near.delete('k');
      expect((await a.get('k'))?.key).to.equal('k');
      expect(a.peekSync('k')).to.equal(undefined); // not yet: the fill waits for the event loop's next turn
      await new Promise((turn) => setImmediate(turn));
      expect(a.peekSync('k')?.key).to.equal('k');

    });

    it('keeps a far read out of the near tier when the key changes before the fill', async function () {
      // A far tier that answers at once, so this store's own delete drops the key before the event loop's next turn.
      const records = new Map<string, CacheRecord>();
      const listed = <T>(items: Iterator<T>): AsyncIterable<T> => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(items.next()) }) });
      const far: FarStore = {
        get: (key) => records.get(key),
        set: (key, record) => void records.set(key, record),
        delete: (key) => void records.delete(key),
        clear: () => records.clear(),
        keys: () => listed(records.keys()),
        entries: () => listed(records.values()),
        count: () => Promise.resolve(records.size),
      };
      const store = new TieredStore({ far, nearMaxAgeMs: 60_000 });
      const now = Date.now();
      records.set('k', makeRecord('k', now));
      expect((await store.get('k'))?.key).to.equal('k');
      await store.delete('k');
      await new Promise((turn) => setImmediate(turn));
      expect(store.peekSync('k')).to.equal(undefined);
      await store.close();
    });

    it('removes the near copy in another store when one writes, deletes or clears, and never its own on its own write', async function () {
      const prefix = uniqueName('ahc-tiered');
      const a = tiered(prefix);
      const b = tiered(prefix);
      await up(a, b);
      const now = Date.now();
      await a.set('k', makeRecord('k', now, { body: { type: 'text', text: 'first' } }), now + 60_000);
      await hold(b, 'k');

      await a.set('k', makeRecord('k', now, { body: { type: 'text', text: 'second' } }), now + 60_000);
      await eventually(() => b.peekSync('k') === undefined, 'the write reaching the other near tier');
      expect((await b.get('k'))?.body).to.deep.equal({ type: 'text', text: 'second' });
      await sleep(50);
      expect(a.peekSync('k')?.body, 'its own announcement is ignored').to.deep.equal({ type: 'text', text: 'second' });

      await a.delete('k');
      await eventually(() => b.peekSync('k') === undefined, 'the delete reaching the other near tier');
      expect(await b.get('k')).to.equal(undefined);

      await b.set('j', makeRecord('j', now), now + 60_000);
      await hold(a, 'j');
      await b.clear();
      await eventually(() => a.peekSync('j') === undefined, 'the clear reaching the other near tier');
    });

    it('deleteMany drops its own and the other store\'s near copies of exactly those keys', async function () {
      const prefix = uniqueName('ahc-tiered');
      const a = tiered(prefix);
      const b = tiered(prefix);
      await up(a, b);
      const now = Date.now();
      for (const key of ['x', 'y', 'z']) {
        await a.set(key, makeRecord(key, now), now + 60_000);
        await hold(b, key);
      }
      await a.deleteMany(['x', 'y', 'never-there']);
      expect([a.peekSync('x'), a.peekSync('y')]).to.deep.equal([undefined, undefined]);
      await eventually(() => b.peekSync('x') === undefined && b.peekSync('y') === undefined, 'the deletions reaching the other near tier');
      expect([await b.get('x'), await b.get('y')]).to.deep.equal([undefined, undefined]);
      expect(a.peekSync('z')?.key).to.equal('z');
      expect(b.peekSync('z')?.key).to.equal('z');
    });

    it('empties its near tier when its subscriber connection is killed, and hears changes again once resubscribed', async function () {
      const prefix = uniqueName('ahc-tiered');
      const name = uniqueName('ahc-tiered-sub');
      const a = tiered(prefix, 60_000, name);
      const b = tiered(prefix);
      await up(a, b);
      const now = Date.now();
      await b.set('k', makeRecord('k', now), now + 60_000);
      await hold(a, 'k');

      const list = await raw.client('LIST') as string;
      const subscriber = list.split('\n').find((line) => line.includes(` name=${name} `) && / sub=[1-9]/.test(line));
      const id = /\bid=(\d+)/.exec(subscriber ?? '')?.[1];
      expect(id, 'the subscriber connection, by its name').to.be.a('string');
      await raw.client('KILL', 'ID', id ?? '');
      await eventually(() => a.peekSync('k') === undefined, 'the near tier emptied when the channel went down');

      // Resubscribed (ioredis reconnects at once): a change is heard again.
      await up(a);
      await hold(a, 'k');
      await b.set('k', makeRecord('k', now, { body: { type: 'text', text: 'after' } }), now + 60_000);
      await eventually(() => a.peekSync('k') === undefined, 'a change heard after resubscribing');
      expect((await a.get('k'))?.body).to.deep.equal({ type: 'text', text: 'after' });
    });

    it('while its channel is down, serves a near entry at most nearMaxAgeMs, then reads the far tier again', async function () {
      const prefix = uniqueName('ahc-tiered');
      let current = Date.now();
      const clock = (): number => current;
      const client = new Redis(url);
      const nowhere = `redis://127.0.0.1:${await sparePort()}`;
      const far = new RedisStore({ client: subscribingElsewhere(client, nowhere), prefix, now: clock });
      const a = new TieredStore({ far, nearMaxAgeMs: 500, now: clock });
      const writer = tiered(prefix);
      opened.push({ close: () => client.quit() }, a);
      await writer.set('k', makeRecord('k', current, { body: { type: 'text', text: 'old' } }), current + 60_000);
      expect((await a.get('k'))?.body).to.deep.equal({ type: 'text', text: 'old' });
      await writer.set('k', makeRecord('k', current, { body: { type: 'text', text: 'new' } }), current + 60_000);
      await sleep(100);
      // Unheard (the channel is down): the old body is still served, for at most nearMaxAgeMs.
      current += 499;
      expect(a.peekSync('k')?.body).to.deep.equal({ type: 'text', text: 'old' });
      current += 1;
      expect(a.peekSync('k')).to.equal(undefined);
      expect((await a.get('k'))?.body).to.deep.equal({ type: 'text', text: 'new' });
    });

    it('a far write that fails rejects and leaves no near copy, and the cache keeps answering', async function () {
      const prefix = uniqueName('ahc-tiered');
      const client = new Redis(url);
      const far = new RedisStore({ client, prefix });
      const store = new TieredStore({ far });
      opened.push({ close: () => client.quit() }, store);
      await up(store);
      const now = Date.now();
      await store.set('k', makeRecord('k', now), now + 60_000);
      expect(store.peekSync('k')).to.not.equal(undefined);
      await far.close(); // the far tier now fails every operation
      const failed = await store.set('k', makeRecord('k', now), now + 60_000).then(() => undefined, (error: unknown) => error);
      expect(failed).to.be.instanceOf(StoreClosedError);
      expect(store.peekSync('k')).to.equal(undefined);
      await new RedisStore({ client: raw, prefix }).clear();
    });

    it('declares the channel down when the server goes silent (heartbeat unanswered) and empties the near tier', async function () {
      this.timeout(30_000);
      const server = await startPrivateRedis();
      if (server === undefined) missingServer(this, 'redis-server (for a private instance)');
      try {
        const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
        client.on('error', () => undefined);
        const far = new RedisStore({ client, prefix: 'silent' });
        const store = new TieredStore({ far, nearMaxAgeMs: 400 });
        const errors: StoreEvent[] = [];
        store.onEvent((event) => errors.push(event));
        await sleep(300);
        const now = Date.now();
        await store.set('k', makeRecord('k', now), now + 60_000);
        await sleep(250);
        expect(store.peekSync('k'), 'up: the entry lives past nearMaxAgeMs/2').to.not.equal(undefined);
        server.pause();
        // A paused server keeps its connections open: only the heartbeat can tell.
        await eventually(() => store.peekSync('k') === undefined && !store.listening, 'the near tier emptied', 3000);
        server.resume();
        await store.close();
        client.disconnect();
      } finally {
        await server.dispose();
      }
    });

    it('declares the channel down when its subscription stops delivering though the connection stays up (its own heartbeat unheard)', async function () {
      const prefix = uniqueName('ahc-tiered');
      const client = new Redis(url);
      let deaf = false;
      // The subscriber connection stays up and answers PING, but messages no longer reach the channel.
      const deafening: RedisClientLike = new Proxy({} as RedisClientLike, {
        get(_target, property) {
          if (property === 'duplicate') {
            return () => {
              const subscriber = client.duplicate();
              const on = subscriber.on.bind(subscriber);
              return Object.assign(subscriber, {
                on: (event: string, listener: (...args: unknown[]) => void) => on(event, event === 'message' ? (...args: unknown[]) => {
                  if (!deaf) listener(...args);
                } : listener),
              });
            };
          }
          const value: unknown = Reflect.get(client, property, client);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
        },
      });
      const far = new RedisStore({ client: deafening, prefix });
      const store = new TieredStore({ far, nearMaxAgeMs: 300 });
      opened.push({ close: () => client.quit() }, store, { close: () => far.clear() });
      await up(store);
      const now = Date.now();
      await store.set('k', makeRecord('k', now), now + 60_000);
      expect(store.peekSync('k')).to.not.equal(undefined);
      deaf = true;
      await eventually(() => !store.listening && store.peekSync('k') === undefined, 'down once its heartbeat went unheard', 1500);
      deaf = false;
      await up(store);
    });

    it('announces again a change whose PUBLISH failed while the channel stayed up, and announces everything once the backlog is older than nearMaxAgeMs', async function () {
      const prefix = uniqueName('ahc-tiered');
      const client = new Redis(url);
      let failPublish = false;
      const flaky: RedisClientLike = new Proxy({} as RedisClientLike, {
        get(_target, property) {
          if (property === 'publish') {
            return (...args: [string, string]) => failPublish ? Promise.reject(new Error('publish timed out (simulated)')) : client.publish(...args);
          }
          const value: unknown = Reflect.get(client, property, client);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
        },
      });
      const far = new RedisStore({ client: flaky, prefix });
      const a = new TieredStore({ far, nearMaxAgeMs: 400 });
      a.onEvent(() => undefined);
      const b = tiered(prefix);
      opened.push({ close: () => client.quit() }, a);
      await up(a, b);
      const now = Date.now();
      await a.set('k', makeRecord('k', now, { body: { type: 'text', text: 'old' } }), now + 60_000);
      await hold(b, 'k');
      failPublish = true;
      await a.set('k', makeRecord('k', now, { body: { type: 'text', text: 'new' } }), now + 60_000);
      failPublish = false;
      expect(a.listening, 'one failed PUBLISH leaves the channel up').to.equal(true);
      await eventually(() => b.peekSync('k') === undefined, 'the failed announcement made again', 1000);
      expect((await b.get('k'))?.body).to.deep.equal({ type: 'text', text: 'new' });

      // A backlog older than nearMaxAgeMs: peers may hold copies of any key since, so everything is announced.
      await hold(b, 'k');
      await b.set('j', makeRecord('j', now), now + 60_000);
      await hold(b, 'j');
      failPublish = true;
      await a.delete('gone');
      await sleep(450);
      expect(b.peekSync('j'), 'not announced while PUBLISH fails').to.not.equal(undefined);
      failPublish = false;
      await eventually(() => b.peekSync('j') === undefined && b.peekSync('k') === undefined, 'everything announced', 1500);
    });

    it('closes only the subscriber connection it made, never the clients it was given', async function () {
      const prefix = uniqueName('ahc-tiered');
      const client = new Redis(url);
      const far = new RedisStore({ client, prefix });
      const store = new TieredStore({ far });
      await sleep(50);
      await store.close();
      expect(client.status).to.equal('ready');
      expect(await far.count()).to.equal(0);
      const closed = await store.get('k').then(() => undefined, (error: unknown) => error);
      expect(closed).to.be.instanceOf(StoreClosedError);
      await client.quit();
    });

    it('through attachCache: hits come from the near tier, and a POST through another instance makes the next GET a miss', async function () {
      let gets = 0;
      const origin: Server = createServer((request, response) => {
        if (request.method === 'GET') gets += 1;
        response.writeHead(request.method === 'GET' ? 200 : 204, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
        response.end(request.method === 'GET' ? JSON.stringify({ n: gets }) : undefined);
      });
      await new Promise<void>((done) => origin.listen(0, '127.0.0.1', done));
      try {
        const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/thing`;
        const prefix = uniqueName('ahc-tiered');
        const [storeA, storeB] = [tiered(prefix), tiered(prefix)] as const;
        await up(storeA, storeB);
        const apiA = axios.create();
        const apiB = axios.create();
        attachCache(apiA, { store: storeA });
        attachCache(apiB, { store: storeB });
        const first = await apiA.get<{ n: number }>(url);
        const key = first.cacheInfo?.key ?? '';
        expect([first.cacheInfo?.status, storeA.peekSync(key)?.key]).to.deep.equal(['miss', key]);
        expect((await apiA.get(url)).cacheInfo?.status).to.equal('hit');
        expect((await apiB.get<{ n: number }>(url)).data.n, 'B reads what A stored').to.equal(1);
        await apiB.post(url, {});
        await eventually(() => storeA.peekSync(key) === undefined, "A's near copy dropped");
        const after = await apiA.get<{ n: number }>(url);
        expect([after.cacheInfo?.status, after.data.n]).to.deep.equal(['miss', 2]);
      } finally {
        await new Promise<void>((done) => origin.close(() => done()));
      }
    });

    it('with frozen: true, hands every near hit the same frozen data, counted in the near tier\'s size, and drops it when another process writes', async function () {
      let gets = 0;
      const origin: Server = createServer((_request, response) => {
        gets += 1;
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
        response.end(JSON.stringify({ n: gets, items: ['a', 'b'] }));
      });
      await new Promise<void>((done) => origin.listen(0, '127.0.0.1', done));
      try {
        const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/frozen`;
        const prefix = uniqueName('ahc-tiered');
        const [storeA, storeB] = [tiered(prefix), tiered(prefix)] as const;
        await up(storeA, storeB);
        const apiA = axios.create();
        attachCache(apiA, { store: storeA, frozen: true });
        const first = await apiA.get<{ n: number; items: string[] }>(url);
        const bytesBefore = await storeA.near.size();
        const [hitOne, hitTwo] = [await apiA.get<{ n: number; items: string[] }>(url), await apiA.get<{ n: number; items: string[] }>(url)];
        expect([first.cacheInfo?.status, hitOne.cacheInfo?.status, hitTwo.cacheInfo?.status]).to.deep.equal(['miss', 'hit', 'hit']);
        expect(hitTwo.data, 'one shared object').to.equal(hitOne.data);
        expect(Object.isFrozen(hitOne.data.items)).to.equal(true);
        expect(await storeA.near.size(), 'the frozen data counts in the near tier').to.be.greaterThan(bytesBefore ?? 0);
        const key = first.cacheInfo?.key ?? '';
        const stored = storeA.peekSync(key);
        if (stored === undefined) throw new Error('no near copy');
        await storeB.set(key, { ...stored, createdAt: stored.createdAt + 1 }, stored.expiresAt);
        await eventually(() => storeA.peekSync(key) === undefined, "A's near copy dropped");
        const after = await apiA.get<{ n: number; items: string[] }>(url);
        expect(after.data, 'a new write gets new data').to.not.equal(hitOne.data);
      } finally {
        await new Promise<void>((done) => origin.close(() => done()));
      }
    });

    it('whatever two stores write, delete and read concurrently, once announcements are delivered every near copy is the far record', async function () {
      this.timeout(60_000);
      const prefix = uniqueName('ahc-tiered');
      const stores = [tiered(prefix), tiered(prefix)] as const;
      await up(...stores);
      const keys = ['a', 'b', 'c'];
      const operation = fc.record({
        by: fc.constantFrom(0, 1),
        kind: fc.constantFrom('set', 'delete', 'get'),
        key: fc.constantFrom(...keys),
        text: fc.string({ maxLength: 8 }),
      });
      let round = 0;
      await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), async (operations) => {
        const now = Date.now();
        const ns = `r${round++}-`;
        await Promise.all(operations.map(async ({ by, kind, key, text }) => {
          const store = stores[by];
          if (kind === 'set') await store.set(ns + key, makeRecord(ns + key, now, { body: { type: 'text', text } }), now + 60_000);
          else if (kind === 'delete') await store.delete(ns + key);
          else await store.get(ns + key);
        }));
        await sleep(50);
        for (const key of keys) {
          const truth = await new RedisStore({ client: raw, prefix }).get(ns + key);
          for (const store of stores) {
            const near = store.peekSync(ns + key);
            if (near !== undefined) expect(near.body, `near copy of ${key}`).to.deep.equal(truth?.body);
          }
        }
      }), { numRuns: 25 });
    });

    it('in another process: a write here removes the copy there, and a delete here makes it a miss there', async function () {
      this.timeout(30_000);
      const prefix = uniqueName('ahc-tiered');
      const here = tiered(prefix);
      const now = Date.now();
      await here.set('k', makeRecord('k', now, { body: { type: 'text', text: 'v1' } }), now + 60_000);
      const child: ChildProcess = execFile(process.execPath, ['--import', 'tsx', 'test/support/tiered-peer.ts', url, prefix, 'k'], { cwd: root });
      try {
        const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
        const next = async (): Promise<string> => String((await lines.next()).value);
        expect(await next()).to.equal('held v1');
        await here.set('k', makeRecord('k', now, { body: { type: 'text', text: 'v2' } }), now + 60_000);
        expect(await next()).to.equal('dropped');
        expect(await next()).to.equal('held v2');
        await here.delete('k');
        expect(await next()).to.equal('dropped');
        expect(await next()).to.equal('miss');
      } finally {
        child.kill();
      }
    });
  });

  describe('over MongoDB (no invalidation channel)', function () {
    let client: MongoClient;
    let db: Db;

    before(async function () {
      const found = await sharedMongoUrl();
      if (found === undefined) missingServer(this, 'MongoDB (MONGODB_URL or FerretDB on 127.0.0.1:27018)');
      client = new MongoClient(found, { serverSelectionTimeoutMS: 5000 });
      db = client.db('ahc-test');
    });

    after(async function () {
      await client?.close();
    });

    const harness = async (clock: TestClock): Promise<StoreHarness> => {
      const name = uniqueName('tiered');
      const far = new MongoStore({ db, collectionName: name, now: clock.now, sweepIntervalMs: 3_600_000 });
      await far.ready();
      const store = new TieredStore({ far, now: clock.now });
      const neighbours: MongoStore[] = [];
      return {
        store,
        rawHas: async (key: string) => (await db.collection<{ _id: string }>(name).findOne({ _id: key })) !== null,
        corrupt: async (key: string) => {
          await db.collection<{ _id: string }>(name).updateOne({ _id: key }, { $set: { data: new Uint8Array([1, 2, 3]) } });
          await store.near.delete(key);
        },
        makeNeighbour: () => {
          const neighbour = new MongoStore({ db, collectionName: `${name}-neighbour`, now: clock.now });
          neighbours.push(neighbour);
          return Promise.resolve(new TieredStore({ far: neighbour, now: clock.now }));
        },
        settleNativeExpiry: async () => { await far.sweep(); },
        ...(far.expiryMode === 'ttl-index' ? { nativeExpiryUntestable: "MongoDB's TTL monitor runs once a minute" } : {}),
        teardown: async () => {
          await store.close();
          for (const each of [far, ...neighbours]) await each.close();
          await db.collection(name).drop().catch(() => undefined);
          await db.collection(`${name}-neighbour`).drop().catch(() => undefined);
        },
      };
    };

    runStoreContract('TieredStore over MongoStore', harness, { largeBodyBytes: 1024 * 1024 });

    it('serves a near entry at most nearMaxAgeMs, since no process can tell it of a change', async function () {
      const name = uniqueName('tiered');
      let current = Date.now();
      const clock = (): number => current;
      const far = new MongoStore({ db, collectionName: name, now: clock });
      const other = new MongoStore({ db, collectionName: name, now: clock });
      const store = new TieredStore({ far, nearMaxAgeMs: 300, now: clock });
      try {
        await store.set('k', makeRecord('k', current, { body: { type: 'text', text: 'old' } }), current + 60_000);
        await other.set('k', makeRecord('k', current, { body: { type: 'text', text: 'new' } }), current + 60_000);
        current += 299;
        expect(store.peekSync('k')?.body).to.deep.equal({ type: 'text', text: 'old' });
        current += 1;
        expect(store.peekSync('k')).to.equal(undefined);
        expect((await store.get('k'))?.body).to.deep.equal({ type: 'text', text: 'new' });
      } finally {
        await store.close();
        await far.close();
        await other.close();
        await db.collection(name).drop().catch(() => undefined);
      }
    });
  });
});

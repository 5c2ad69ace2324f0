import axios from 'axios';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { attachCache } from '../../lib/index.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { FRESH, nock, ORIGIN, resetNock, serve } from '../manage/helpers.js';
import { missingServer, sharedRedisUrl, uniqueName } from '../support/servers.js';
import { makeRecord } from './fixtures.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('RedisStore tag sets and a client keyPrefix (shared redis-server)', function () {
  let url: string;
  let raw: Redis;
  let prefix: string;
  let now: number;

  before(async function () {
    const found = await sharedRedisUrl();
    if (found === undefined) missingServer(this, 'Redis');
    url = found;
    raw = new Redis(url);
  });

  after(async function () {
    await raw?.quit();
  });

  beforeEach(function () {
    prefix = uniqueName('ahc-tags');
    now = Date.now();
  });

  afterEach(async function () {
    await new RedisStore({ client: raw, prefix }).clear();
  });

  describe('find({ tag }) from a set per tag', function () {
    it('keeps a tagged entry in one Redis set per tag, expiring no sooner than the entry', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('a', makeRecord('a', now, { tags: ['people', 'admins'] }), now + 90_000);
      expect(await raw.smembers(`${prefix}:\u0000tag:people`)).to.deep.equal(['a']);
      expect(await raw.smembers(`${prefix}:\u0000tag:admins`)).to.deep.equal(['a']);
      expect(await raw.pttl(`${prefix}:\u0000tag:people`)).to.be.within(80_000, 90_000);
      await store.set('b', makeRecord('b', now, { tags: ['people'] }), now + 30_000);
      expect(await raw.pttl(`${prefix}:\u0000tag:people`), 'a shorter-lived member does not shorten the set').to.be.above(80_000);
    });

    it('answers a tag with its live members only, and prunes members deleted, expired or no longer tagged', async function () {
      const store = new RedisStore({ client: raw, prefix });
      for (const key of ['a', 'b', 'c', 'd']) await store.set(key, makeRecord(key, now, { tags: ['t'] }), now + 60_000);
      await store.delete('b');
      await raw.pexpire(`${prefix}:c`, 1);
      await store.set('d', makeRecord('d', now, { tags: ['other'] }), now + 60_000);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await collect(store.find({ tag: 't' }))).map((record) => record.key)).to.deep.equal(['a']);
      expect(await raw.smembers(`${prefix}:\u0000tag:t`)).to.deep.equal(['a']);
    });

    it('keeps the member of an entry whose read fails, and rejects the query (so a deletion by tag rejects)', async function () {
      const failing = `${prefix}:a`;
      const client = new Proxy(raw, {
        get(target, property) {
          if (property === 'getBuffer') return (key: string) => key === failing ? Promise.reject(new Error('ECONNRESET (simulated)')) : target.getBuffer(key);
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      const writer = new RedisStore({ client: raw, prefix });
      for (const key of ['a', 'b']) await writer.set(key, makeRecord(key, now, { tags: ['t'] }), now + 60_000);
      const store = new RedisStore({ client, prefix });
      const failed = await collect(store.find({ tag: 't' })).then(() => undefined, (error: unknown) => error);
      expect(failed).to.be.instanceOf(Error);
      expect((await raw.smembers(`${prefix}:\u0000tag:t`)).sort()).to.deep.equal(['a', 'b']);
      expect((await collect(writer.find({ tag: 't' }))).map((record) => record.key).sort()).to.deep.equal(['a', 'b']);
    });

    it('leaves tag sets out of keys(), entries(), count() and size(), and removes them on clear()', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 60_000);
      expect(await collect(store.keys())).to.deep.equal(['a']);
      expect((await collect(store.entries())).map((record) => record.key)).to.deep.equal(['a']);
      expect(await store.count()).to.equal(1);
      expect(await store.size()).to.equal(await raw.strlen(`${prefix}:a`));
      await store.clear();
      expect(await raw.exists(`${prefix}:\u0000tag:t`)).to.equal(0);
    });

    it('answers a filter without a tag with every entry (a superset the cache narrows)', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('a', makeRecord('a', now), now + 60_000);
      await store.set('b', makeRecord('b', now, { tags: ['t'] }), now + 60_000);
      expect((await collect(store.find({ method: 'GET' }))).map((record) => record.key).sort()).to.deep.equal(['a', 'b']);
    });

    it('deletes by tag through attachCache reading the tag set, not walking the namespace', async function () {
      resetNock();
      try {
        const store = new RedisStore({ client: raw, prefix });
        let walked = 0;
        const entries = store.entries.bind(store);
        store.entries = () => {
          walked += 1;
          return entries();
        };
        const api = axios.create({ baseURL: ORIGIN });
        const cache = attachCache(api, { store });
        for (const [path, tags] of [['/users/1', ['people']], ['/users/2', ['people']], ['/teams/1', ['teams']]] as const) {
          serve(path, FRESH);
          await api.get(path, { cache: { tags: [...tags] } });
        }
        expect(await cache.delete({ tag: 'people' })).to.equal(2);
        expect(walked).to.equal(0);
        expect(await store.count()).to.equal(1);
      } finally {
        nock.cleanAll();
      }
    });
  });

  describe('a client with keyPrefix', function () {
    it('stores, lists, counts, finds by tag and clears under the client\'s keyPrefix, touching nothing outside it', async function () {
      const prefixed = new Redis(url, { keyPrefix: 'app1:' });
      try {
        const store = new RedisStore({ client: prefixed, prefix });
        await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 60_000);
        await store.set('b', makeRecord('b', now), now + 60_000);
        await raw.set(`${prefix}:outside`, 'keep me', 'PX', 60_000); // same name without the keyPrefix
        expect(await raw.exists(`app1:${prefix}:a`)).to.equal(1);
        expect((await collect(store.keys())).sort()).to.deep.equal(['a', 'b']);
        expect(await store.count()).to.equal(2);
        expect(await store.size()).to.be.above(0);
        expect((await collect(store.entries())).map((record) => record.key).sort()).to.deep.equal(['a', 'b']);
        expect((await collect(store.find({ tag: 't' }))).map((record) => record.key)).to.deep.equal(['a']);
        await store.clear();
        expect(await raw.exists(`app1:${prefix}:a`, `app1:${prefix}:b`, `app1:${prefix}:\u0000tag:t`)).to.equal(0);
        expect(await raw.get(`${prefix}:outside`)).to.equal('keep me');
      } finally {
        prefixed.disconnect();
        await raw.unlink(`${prefix}:outside`);
      }
    });

    it('takes the keyPrefix of redisOptions for the client it creates from url', async function () {
      const store = new RedisStore({ url, prefix, redisOptions: { keyPrefix: 'app2:' } });
      try {
        await store.set('a', makeRecord('a', now), now + 60_000);
        expect(await raw.exists(`app2:${prefix}:a`)).to.equal(1);
        expect(await collect(store.keys())).to.deep.equal(['a']);
        await store.clear();
        expect(await raw.exists(`app2:${prefix}:a`)).to.equal(0);
      } finally {
        await store.close();
      }
    });
  });
});

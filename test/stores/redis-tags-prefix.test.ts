import axios from 'axios';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { attachCache } from '../../lib/index.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { FRESH, nock, ORIGIN, resetNock, serve } from '../manage/helpers.js';
import { missingServer, sharedRedisUrl, uniqueName } from '../support/servers.js';
import { encodeRecord } from '../../lib/stores/codec.js';
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

  const tagSet = (tag: string): string => `${prefix}:\u0000tagged:${tag}`;
  const marker = (): string => `${prefix}:\u0000tags-indexed`;
  const membersOf = async (tag: string): Promise<string[]> => (await raw.zrange(tagSet(tag), '0', '-1')).sort();
  const keysFound = async (store: RedisStore, tag: string): Promise<string[]> => (await collect(store.find({ tag }))).map((record) => record.key).sort();

  /** The server's clock, ms. */
  async function serverNow(): Promise<number> {
    const [seconds, micros] = await raw.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  /** A client that counts the SCAN steps sent through it (a walk of the namespace). */
  function countingScans(): { client: Redis; scans: () => number } {
    let scans = 0;
    const client = new Proxy(raw, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        return property === 'scan' ? (...args: unknown[]) => { scans += 1; return bound(...args); } : bound;
      },
    });
    return { client, scans: () => scans };
  }

  /** Writes an entry the way a version without tag sets did: its record under `${prefix}:${key}` and nothing else. */
  async function writeOldLayout(key: string, tags: readonly string[] | undefined): Promise<void> {
    const record = makeRecord(key, now, tags === undefined ? {} : { tags: [...tags] });
    await raw.set(`${prefix}:${key}`, Buffer.from(await encodeRecord(record)), 'PX', 60_000);
  }

  describe('find({ tag }) from a sorted set per tag', function () {
    it('keeps a tagged entry in one sorted set per tag, scored past its expiry by the server clock, the set living no shorter than the entry', async function () {
      const store = new RedisStore({ client: raw, prefix });
      const before = await serverNow();
      await store.set('a', makeRecord('a', now, { tags: ['people', 'admins'] }), now + 90_000);
      const after = await serverNow();
      expect(await membersOf('people')).to.deep.equal(['a']);
      expect(await membersOf('admins')).to.deep.equal(['a']);
      expect(Number(await raw.zscore(tagSet('people'), 'a'))).to.be.within(before + 90_000, after + 90_000 + 60_000);
      expect(await raw.pttl(tagSet('people'))).to.be.above(90_000);
      await store.set('b', makeRecord('b', now, { tags: ['people'] }), now + 30_000);
      expect(await raw.pttl(tagSet('people')), 'a shorter-lived member does not shorten the set').to.be.above(90_000);
    });

    it('answers a tag with its live, still-tagged members only, and drops members whose time has passed on the next lookup', async function () {
      const store = new RedisStore({ client: raw, prefix });
      for (const key of ['a', 'b', 'c', 'd']) await store.set(key, makeRecord(key, now, { tags: ['t'] }), now + 60_000);
      expect(await keysFound(store, 't')).to.deep.equal(['a', 'b', 'c', 'd']); // walks once, and marks the namespace indexed
      await store.delete('b');
      await store.set('d', makeRecord('d', now, { tags: ['other'] }), now + 60_000);
      await raw.zadd(tagSet('t'), 1, 'c'); // c's time ran out long ago, and its entry with it
      await raw.unlink(`${prefix}:c`);
      expect(await keysFound(store, 't')).to.deep.equal(['a']);
      expect(await membersOf('t'), 'b and d stay until their time has passed: an entry may be about to be written under them').to.deep.equal(['a', 'b', 'd']);
    });

    it('drops the members whose time has passed on every write, so a tag never looked up holds no more than its live members', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await raw.zadd(tagSet('t'), 1, 'gone1', 2, 'gone2', 3, 'gone3');
      await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 60_000);
      expect(await membersOf('t')).to.deep.equal(['a']);
    });

    it('moves a member\'s time later on a rewrite, never earlier (a failed shorter write leaves the longer-lived entry)', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 90_000);
      const first = Number(await raw.zscore(tagSet('t'), 'a'));
      await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 10_000);
      expect(Number(await raw.zscore(tagSet('t'), 'a'))).to.equal(first);
      await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 600_000);
      expect(Number(await raw.zscore(tagSet('t'), 'a'))).to.be.above(first + 500_000);
    });

    it('never drops the member of an entry not written yet (a write adds the member first): the entry is found once written', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 60_000);
      expect(await keysFound(store, 't')).to.deep.equal(['a']); // walks once, and marks the namespace indexed
      await raw.zadd(tagSet('t'), (await serverNow()) + 120_000, 'b'); // a write of b between its member and its entry
      expect(await keysFound(store, 't')).to.deep.equal(['a']);
      await raw.set(`${prefix}:b`, Buffer.from(await encodeRecord(makeRecord('b', now, { tags: ['t'] }))), 'PX', 60_000);
      expect(await keysFound(store, 't')).to.deep.equal(['a', 'b']);
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
      expect(await keysFound(writer, 't')).to.deep.equal(['a', 'b']); // marks the namespace indexed: the set is read below
      const store = new RedisStore({ client, prefix });
      const failed = await collect(store.find({ tag: 't' })).then(() => undefined, (error: unknown) => error);
      expect(failed).to.be.instanceOf(Error);
      expect(await membersOf('t')).to.deep.equal(['a', 'b']);
      expect(await keysFound(writer, 't')).to.deep.equal(['a', 'b']);
    });

    it('rejects a walk whose read fails, and marks nothing', async function () {
      const client = new Proxy(raw, {
        get(target, property) {
          if (property === 'getBuffer') return (key: string) => key === `${prefix}:a` ? Promise.reject(new Error('ECONNRESET (simulated)')) : target.getBuffer(key);
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      await writeOldLayout('a', ['t']);
      const failed = await collect(new RedisStore({ client, prefix }).find({ tag: 't' })).then(() => undefined, (error: unknown) => error);
      expect(failed).to.be.instanceOf(Error);
      expect(await raw.exists(marker())).to.equal(0);
    });

    it('leaves tag sets and the marker out of keys(), entries(), count() and size(), and removes them on clear()', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 60_000);
      await keysFound(store, 't');
      expect(await raw.exists(marker())).to.equal(1);
      expect(await collect(store.keys())).to.deep.equal(['a']);
      expect((await collect(store.entries())).map((record) => record.key)).to.deep.equal(['a']);
      expect(await store.count()).to.equal(1);
      expect(await store.size()).to.equal(await raw.strlen(`${prefix}:a`));
      await store.clear();
      expect(await raw.exists(tagSet('t'), marker())).to.equal(0);
    });

    it('answers a filter without a tag with every entry (a superset the cache narrows)', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('a', makeRecord('a', now), now + 60_000);
      await store.set('b', makeRecord('b', now, { tags: ['t'] }), now + 60_000);
      expect((await collect(store.find({ method: 'GET' }))).map((record) => record.key).sort()).to.deep.equal(['a', 'b']);
    });

    it('deletes by tag through attachCache reading the tag set, not walking the namespace, once a walk marked it indexed', async function () {
      resetNock();
      try {
        const { client, scans } = countingScans();
        const store = new RedisStore({ client, prefix });
        const api = axios.create({ baseURL: ORIGIN });
        const cache = attachCache(api, { store });
        for (const [path, tags] of [['/users/1', ['people']], ['/users/2', ['people']], ['/teams/1', ['teams']], ['/teams/2', ['teams']]] as const) {
          serve(path, FRESH);
          await api.get(path, { cache: { tags: [...tags] } });
        }
        expect(await cache.delete({ tag: 'teams' })).to.equal(2);
        expect(scans(), 'the first lookup walks: nothing yet says the namespace is indexed').to.be.above(0);
        const walked = scans();
        expect(await cache.delete({ tag: 'people' })).to.equal(2);
        expect(scans()).to.equal(walked);
        expect(await store.count()).to.equal(0);
      } finally {
        nock.cleanAll();
      }
    });
  });

  describe('entries written before tag sets existed', function () {
    it('finds them by walking, indexes them, and marks the namespace only after a walk that had nothing left to index', async function () {
      const { client, scans } = countingScans();
      const store = new RedisStore({ client, prefix });
      await writeOldLayout('old1', ['t', 'u']);
      await writeOldLayout('old2', ['t']);
      await writeOldLayout('old3', undefined);
      await store.set('new', makeRecord('new', now, { tags: ['t'] }), now + 60_000);
      expect(await keysFound(store, 't')).to.deep.equal(['new', 'old1', 'old2']);
      expect(await membersOf('t')).to.deep.equal(['new', 'old1', 'old2']);
      expect(await membersOf('u')).to.deep.equal(['old1']);
      expect(await raw.exists(marker()), 'this walk had to index entries: a writer without tag sets may still run').to.equal(0);
      expect(await keysFound(store, 'u')).to.deep.equal(['old1']);
      expect(await raw.exists(marker())).to.equal(1);
      const walked = scans();
      expect(await keysFound(store, 't')).to.deep.equal(['new', 'old1', 'old2']);
      expect(scans(), 'marked: the set answers').to.equal(walked);
    });

    it('keeps walking while a writer without tag sets keeps writing', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await writeOldLayout('old1', ['t']);
      expect(await keysFound(store, 't')).to.deep.equal(['old1']);
      await writeOldLayout('old2', ['t']);
      expect(await keysFound(store, 't')).to.deep.equal(['old1', 'old2']);
      expect(await raw.exists(marker())).to.equal(0);
      expect(await keysFound(store, 't')).to.deep.equal(['old1', 'old2']);
      expect(await raw.exists(marker())).to.equal(1);
    });

    it('are deleted by cache.delete({ tag }) and a request\'s cache.invalidate', async function () {
      resetNock();
      try {
        const store = new RedisStore({ client: raw, prefix });
        const api = axios.create({ baseURL: ORIGIN });
        const cache = attachCache(api, { store });
        await writeOldLayout('old1', ['people']);
        await writeOldLayout('old2', ['people']);
        await writeOldLayout('old3', ['teams']);
        await writeOldLayout('old4', ['other']);
        expect(await cache.delete({ tag: 'people' })).to.equal(2);
        nock(ORIGIN).post('/teams').reply(201, {});
        await api.post('/teams', {}, { cache: { invalidate: [{ tag: 'teams' }] } });
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await collect(store.keys())).to.deep.equal(['old4']);
      } finally {
        nock.cleanAll();
      }
    });

    it('keeps a member as long as its entry lives when a writer without tag sets rewrote the entry to live longer', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('k', makeRecord('k', now, { tags: ['t'] }), now + 60_000); // member: about 2 minutes
      const day = 24 * 3_600_000;
      const longer = makeRecord('k', now, { tags: ['t'], expiresAt: now + day });
      await raw.set(`${prefix}:k`, Buffer.from(await encodeRecord(longer)), 'PX', day); // the old writer's rewrite
      expect(await keysFound(store, 't')).to.deep.equal(['k']); // no marker yet: a walk
      const score = Number(await raw.zscore(tagSet('t'), 'k'));
      expect(score, 'the member stays until the entry it finds has run out').to.be.at.least((await serverNow()) + day - 60_000);
    });

    it('are looked for again after clear(), which removes the marker', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.set('a', makeRecord('a', now, { tags: ['t'] }), now + 60_000);
      await keysFound(store, 't');
      await store.clear();
      expect(await raw.exists(marker())).to.equal(0);
      await writeOldLayout('old', ['t']);
      expect(await keysFound(store, 't')).to.deep.equal(['old']);
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
        expect(await raw.exists(`app1:${prefix}:a`, `app1:${prefix}:b`, `app1:${prefix}:\u0000tagged:t`)).to.equal(0);
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

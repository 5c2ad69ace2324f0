import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisStore } from '../../lib/stores/redis.js';
import { escapeGlob } from '../../lib/stores/redis-glob.js';
import { CODEC_VERSION } from '../../lib/stores/codec.js';
import { missingServer, sharedRedisUrl, uniqueName } from '../support/servers.js';
import { makeRecord } from './fixtures.js';
import { runStoreContract } from './store-contract.js';

describe('RedisStore against the shared redis-server', function () {
  let url: string;
  let raw: Redis;

  before(async function () {
    const found = await sharedRedisUrl();
    if (found === undefined) missingServer(this, 'Redis (REDIS_URL or 127.0.0.1:6379)');
    url = found;
    raw = new Redis(url);
  });

  after(async function () {
    await raw?.quit();
  });

  runStoreContract('RedisStore', (clock) => {
    // Glob characters in the prefix: clear() must escape them, or it would also match `foreignKey`.
    const prefix = uniqueName('ahc-test*?[x]');
    const foreignKey = `${prefix.replace('*', 'STAR')}:survivor`;
    const stores: RedisStore[] = [];
    const make = (storePrefix: string): RedisStore => {
      const store = new RedisStore({ client: raw, prefix: storePrefix, now: clock.now, scanBatchSize: 50 });
      stores.push(store);
      return store;
    };
    return Promise.resolve({
      store: make(prefix),
      rawHas: async (key: string) => (await raw.exists(`${prefix}:${key}`)) === 1,
      corrupt: async (key: string) => {
        await raw.set(`${prefix}:${key}`, Buffer.from([0xac, 0x48, CODEC_VERSION, 0, 1, 2]), 'PX', 60_000);
      },
      makePeer: () => Promise.resolve(new RedisStore({ url, prefix, now: clock.now })),
      makeNeighbour: () => Promise.resolve(make(`${prefix}-neighbour`)),
      writeForeign: async () => { await raw.set(foreignKey, 'keep me', 'PX', 60_000); },
      foreignSurvived: async () => (await raw.get(foreignKey)) === 'keep me',
      listingsFollowBackEndClock: 'keys are written with the time left (PX), counted down by the Redis server',
      teardown: async () => {
        for (const store of stores) await store.clear();
        await raw.unlink(foreignKey);
      },
    });
  });

  describe('RedisStore specifics', function () {
    let prefix: string;
    let now: number; // taken per test: files load long before their tests run in a full suite

    beforeEach(function () {
      prefix = uniqueName('ahc-redis');
      now = Date.now();
    });

    afterEach(async function () {
      await new RedisStore({ client: raw, prefix }).clear();
    });

    it('writes one key per entry under prefix:key with the time left until expiresAt as its expiry', async function () {
      const store = new RedisStore({ client: raw, prefix, now: () => now });
      const expiresAt = now + 90_000;
      await store.set('one', makeRecord('one', now, { expiresAt }), expiresAt);
      const left = await raw.pttl(`${prefix}:one`);
      expect(left).to.be.within(80_000, 90_000);
      expect(await raw.type(`${prefix}:one`)).to.equal('string');
    });

    // The Redis server keeps the real time; the application's clock is off by 90 s either way.
    for (const [description, skewMs] of [['90 s behind', -90_000], ['90 s ahead of', 90_000]] as const) {
      it(`stores, lists and hits entries when the application's clock is ${description} the Redis server's`, async function () {
        const appNow = (): number => Date.now() + skewMs;
        const store = new RedisStore({ client: raw, prefix, now: appNow });
        const expiresAt = appNow() + 60_000;
        await store.set('skewed', makeRecord('skewed', appNow(), { expiresAt }), expiresAt);
        expect(await raw.pttl(`${prefix}:skewed`)).to.be.within(50_000, 60_000);
        expect((await store.get('skewed'))?.key).to.equal('skewed');
        expect(await store.count()).to.equal(1);
        const keys: string[] = [];
        for await (const key of store.keys()) keys.push(key);
        expect(keys).to.deep.equal(['skewed']);
      });
    }

    it('does not write an entry whose expiresAt has passed by the application\'s clock, whatever the server\'s', async function () {
      const appNow = (): number => Date.now() + 90_000; // ahead: expiresAt is still in the server's future
      const store = new RedisStore({ client: raw, prefix, now: appNow });
      const expiresAt = Date.now() + 60_000;
      await store.set('late', makeRecord('late', Date.now(), { expiresAt }), expiresAt);
      expect(await raw.exists(`${prefix}:late`)).to.equal(0);
    });

    it('compresses records above compressAboveBytes and reads them back', async function () {
      const store = new RedisStore({ client: raw, prefix, compressAboveBytes: 1024, compression: 'brotli' });
      const text = 'compress me '.repeat(5000);
      await store.set('z', makeRecord('z', now, { body: { type: 'text', text } }), now + 60_000);
      const stored = await raw.getBuffer(`${prefix}:z`);
      expect(stored?.[3]).to.equal(2);
      expect(stored?.byteLength).to.be.lessThan(text.length / 10);
      expect((await store.get('z'))?.body).to.deep.equal({ type: 'text', text });
    });

    it('clears thousands of keys in SCAN batches and leaves a similarly named prefix alone', async function () {
      this.timeout(30_000);
      const store = new RedisStore({ client: raw, prefix, scanBatchSize: 100 });
      const sibling = new RedisStore({ client: raw, prefix: `${prefix}x` });
      await Promise.all(Array.from({ length: 2500 }, (_, i) => store.set(`k${i}`, makeRecord(`k${i}`, now), now + 60_000)));
      await sibling.set('k1', makeRecord('k1', now), now + 60_000);
      expect(await store.count()).to.equal(2500);
      await store.clear();
      expect(await store.count()).to.equal(0);
      expect((await sibling.get('k1'))?.key).to.equal('k1');
      await sibling.clear();
    });

    it('never closes a client it was given', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.close();
      expect(await raw.ping()).to.equal('PONG');
    });

    it('quits the client it created from url on close', async function () {
      const store = new RedisStore({ url, prefix });
      await store.set('a', makeRecord('a', now), now + 60_000);
      await store.close();
      const error = await store.get('a').then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(Error);
    });

    it('escapes every SCAN glob character of a prefix', function () {
      expect(escapeGlob('a*b?c[d]e\\f^g-h')).to.equal('a\\*b\\?c\\[d\\]e\\\\f\\^g\\-h');
    });

    for (const [description, options, pattern] of [
      ['neither client nor url', {}, /client or option url/],
      ['both client and url', { url: 'redis://127.0.0.1:1', client: 'x' }, /exactly one/],
      ['an empty prefix', { url: 'redis://127.0.0.1:1', prefix: '' }, /prefix/],
      ['a negative compressAboveBytes', { url: 'redis://127.0.0.1:1', compressAboveBytes: -1 }, /compressAboveBytes/],
      ['an unknown compression', { url: 'redis://127.0.0.1:1', compression: 'zstd' }, /compression/],
      ['an http url', { url: 'http://127.0.0.1:6379' }, /url/],
      ['a client that is not ioredis', { client: {} }, /client must be/],
    ] as const) {
      it(`throws a TypeError for ${description}`, function () {
        expect(() => new RedisStore(options as never)).to.throw(TypeError, pattern);
      });
    }
  });
});

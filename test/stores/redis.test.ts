import { expect } from 'chai';
import { Redis } from 'ioredis';
// The low end of the peer range (ioredis ^5.3.0), installed beside ioredis 6 as a second copy.
import { Redis as Redis5 } from 'ioredis5';
import { CorruptEntryError, StoreClosedError } from '../../lib/errors.js';
import { RedisStore, type RedisClientLike } from '../../lib/stores/redis.js';
import { escapeGlob } from '../../lib/stores/redis-glob.js';
import { missingServer, sharedRedisUrl, uniqueName } from '../support/servers.js';
import { expectClosedEverywhere } from '../support/store-probes.js';
import { makeRecord } from './fixtures.js';
import { redisHarness } from './redis-harness.js';
import { runStoreContract, type StoreHarness, type TestClock } from './store-contract.js';

/** A wrapper that forwards every property to the client: neither an ioredis instance nor of its class. */
function wrapped(client: Redis): RedisClientLike {
  return new Proxy({} as RedisClientLike, {
    get(_target, property) {
      const value: unknown = Reflect.get(client, property, client);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
    },
  });
}

describe('RedisStore against the shared redis-server', function () {
  let url: string;
  let raw: Redis;
  let raw5: Redis5;

  before(async function () {
    const found = await sharedRedisUrl();
    if (found === undefined) missingServer(this, 'Redis');
    url = found;
    raw = new Redis(url);
    raw5 = new Redis5(url);
  });

  after(async function () {
    await raw?.quit();
    await raw5?.quit();
  });

  /** The contract harness for a store over the client `clientOf()` gives; raw checks go through `raw`. */
  const harness = (clientOf: () => RedisClientLike) => (clock: TestClock): Promise<StoreHarness> => {
    // Glob characters in the prefix: clear() must escape them, or it would also match `foreignKey`.
    const prefix = uniqueName('ahc-test*?[x]');
    return redisHarness({
      raw,
      client: clientOf,
      peer: () => ({ url }),
      prefix,
      foreignKey: `${prefix.replace('*', 'STAR')}:survivor`,
      listingsFollowBackEndClock: 'keys are written with the time left (PX), counted down by the Redis server',
    }, clock);
  };

  runStoreContract('RedisStore', harness(() => raw));
  runStoreContract('RedisStore over an ioredis 5.3 client (another copy of ioredis)', harness(() => raw5));

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

    it('retains the record it read last or holds already, and not one it read before', async function () {
      const store = new RedisStore({ client: raw, prefix, now: () => now });
      await store.set('k', makeRecord('k', now, { headers: { etag: '"1"' } }), now + 60_000);
      await store.set('other', makeRecord('other', now), now + 60_000);
      const earlier = await store.get('k');
      await store.set('k', makeRecord('k', now, { headers: { etag: '"2"' } }), now + 60_000);
      const current = await store.get('k');
      if (earlier === undefined || current === undefined) throw new Error('the entry was not read back');
      expect(store.retain('k', earlier, 10)).to.equal(false);
      expect(store.retain('k', current, 10)).to.equal(true);
      await store.get('other');
      expect(await store.get('k')).to.equal(current);
      // Held already: more data beside it (another transform recipe) is counted again.
      expect(store.retain('k', current, 20)).to.equal(true);
      expect(store.retain('k', earlier, 20)).to.equal(false);
    });

    it('answers the same stored bytes with the record it decoded from them, and changed bytes with a new decode', async function () {
      const store = new RedisStore({ client: raw, prefix, now: () => now });
      const other = new RedisStore({ client: raw, prefix, now: () => now });
      await store.set('k', makeRecord('k', now, { headers: { etag: '"1"' } }), now + 60_000);
      const first = await store.get('k');
      const second = await store.get('k');
      // A record object of its own, whose fields are those decoded before (the same headers object): not decoded again.
      expect(second).to.not.equal(first);
      expect(second?.headers).to.equal(first?.headers);
      // Another process rewrites the entry: the next read decodes what is stored now.
      await other.set('k', makeRecord('k', now, { headers: { etag: '"2"' } }), now + 60_000);
      expect((await store.get('k'))?.headers['etag']).to.equal('"2"');
      // Bytes that no longer decode are a corrupt entry, whatever was decoded before.
      await raw.set(`${prefix}:k`, Buffer.from('not a record'));
      await store.get('k').then(() => expect.fail('a corrupt entry was answered'), (error: unknown) => expect(error).to.be.instanceOf(CorruptEntryError));
    });

    it('decodes every read again with memoBytes 0', async function () {
      const store = new RedisStore({ client: raw, prefix, now: () => now, memoBytes: 0 });
      await store.set('k', makeRecord('k', now), now + 60_000);
      const first = await store.get('k');
      const second = await store.get('k');
      expect(second).to.deep.equal(first);
      expect(second?.headers).to.not.equal(first?.headers);
    });

    it('never answers a remembered record past its expiry by the application\'s clock', async function () {
      const store = new RedisStore({ client: raw, prefix, now: () => now });
      await store.set('k', makeRecord('k', now, { expiresAt: now + 60_000 }), now + 60_000);
      expect(await store.get('k')).to.not.equal(undefined);
      now += 60_001;
      expect(await store.get('k')).to.equal(undefined);
    });

    it('never closes a client it was given', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await store.close();
      expect(await raw.ping()).to.equal('PONG');
    });

    it('quits the client it created from url on close', async function () {
      const connectionName = uniqueName('ahc-owned');
      const store = new RedisStore({ url, prefix, redisOptions: { connectionName } });
      await store.set('a', makeRecord('a', now), now + 60_000);
      const connected = async (): Promise<boolean> => String(await raw.client('LIST')).includes(`name=${connectionName} `);
      expect(await connected()).to.equal(true);
      await store.close();
      expect(await connected()).to.equal(false);
      const error = await store.get('a').then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(StoreClosedError);
    });

    it('works over a wrapper object that forwards the commands of an ioredis client', async function () {
      const store = new RedisStore({ client: wrapped(raw), prefix, now: () => now });
      await store.set('w', makeRecord('w', now), now + 60_000);
      expect((await store.get('w'))?.key).to.equal('w');
      expect(await store.count()).to.equal(1);
      await store.clear();
      expect(await raw.exists(`${prefix}:w`)).to.equal(0);
    });

    it('reads through an ioredis 5 client what an ioredis 6 client wrote under the same prefix', async function () {
      const writer = new RedisStore({ client: raw, prefix, now: () => now });
      const reader = new RedisStore({ client: raw5, prefix, now: () => now });
      await writer.set('shared', makeRecord('shared', now), now + 60_000);
      expect((await reader.get('shared'))?.key).to.equal('shared');
    });

    for (const [description, client] of [['a client it was given', 'given'], ['a client it created from url', 'owned']] as const) {
      it(`rejects every operation with ECACHE_CLOSED once closed, over ${description}`, async function () {
        const store = client === 'given' ? new RedisStore({ client: raw, prefix }) : new RedisStore({ url, prefix });
        await expectClosedEverywhere(store, 'RedisStore', now);
        expect(await raw.exists(`${prefix}:a`)).to.equal(1); // closing a store deletes nothing
      });
    }

    it('escapes every SCAN glob character of a prefix', function () {
      expect(escapeGlob('a*b?c[d]e\\f^g-h')).to.equal('a\\*b\\?c\\[d\\]e\\\\f\\^g\\-h');
    });

    for (const [description, options, pattern] of [
      ['neither client nor url', {}, /needs option client .* or option url/],
      ['both client and url', { url: 'redis://127.0.0.1:1', client: 'x' }, /pass either client .* or url .*, not both/],
      ['redisOptions with client', { client: {}, redisOptions: { db: 1 } }, /option redisOptions applies only to the client the store creates from option url/],
      ['a misspelt option', { url: 'redis://127.0.0.1:1', prefx: 'app' }, /option "prefx" is not a known option\. Did you mean "prefix"\? Known options: client, url, redisOptions, prefix, scanBatchSize, now, compressAboveBytes, compression, memoBytes, waitForReplicas, waitTimeoutMs$/],
      ['an option of another store', { url: 'redis://127.0.0.1:1', collectionName: 'http' }, /option "collectionName" is not a known option\. Known options: client, url/],
      ['options that are not an object', 'redis://127.0.0.1:1', /options must be an object/],
      ['an empty prefix', { url: 'redis://127.0.0.1:1', prefix: '' }, /prefix/],
      ['a negative compressAboveBytes', { url: 'redis://127.0.0.1:1', compressAboveBytes: -1 }, /compressAboveBytes/],
      ['an unknown compression', { url: 'redis://127.0.0.1:1', compression: 'zstd' }, /compression/],
      ['an http url', { url: 'http://127.0.0.1:6379' }, /url/],
      ['a negative waitForReplicas', { url: 'redis://127.0.0.1:1', waitForReplicas: -1 }, /option waitForReplicas must be a whole number of replicas, 0 or more/],
      ['a zero waitTimeoutMs', { url: 'redis://127.0.0.1:1', waitTimeoutMs: 0 }, /option waitTimeoutMs must be a positive whole number of milliseconds/],
      ['waitForReplicas with a client without pipeline()', { waitForReplicas: 1, client: { ...Object.fromEntries(['getBuffer', 'set', 'unlink', 'strlen', 'pttl', 'scan', 'eval'].map((name) => [name, () => undefined])) } }, /option waitForReplicas needs a client with pipeline\(\)/],
      ['a client that is not ioredis', { client: {} }, /client must be an ioredis Redis or Cluster .*: it has no getBuffer\(\), set\(\), unlink\(\), strlen\(\), pttl\(\), scan\(\), eval\(\)/],
      ['a client missing one command', { client: { ...Object.fromEntries(['getBuffer', 'set', 'unlink', 'strlen', 'pttl', 'eval'].map((name) => [name, () => undefined])) } }, /it has no scan\(\)\./],
      ['a cluster-like client without nodes()', { client: { isCluster: true, ...Object.fromEntries(['getBuffer', 'set', 'unlink', 'strlen', 'pttl', 'scan', 'eval'].map((name) => [name, () => undefined])) } }, /it has no nodes\(\)/],
      ['a client that is a string', { client: 'redis://127.0.0.1:1' }, /client must be an ioredis Redis or Cluster \(new Redis\(\.\.\.\)\), got string/],
    ] as const) {
      it(`throws a TypeError prefixed axios-http-cache: for ${description}`, function () {
        expect(() => new RedisStore(options as never)).to.throw(TypeError, /^axios-http-cache: RedisStore /);
        expect(() => new RedisStore(options as never)).to.throw(TypeError, pattern);
      });
    }
  });
});

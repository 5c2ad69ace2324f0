import { expect } from 'chai';
import { Binary, MongoClient, MongoServerError, type Collection, type Db } from 'mongodb';
import { MongoStore, type CacheDocument } from '../../lib/stores/mongodb.js';
import type { StoreEvent } from '../../lib/stores/store.js';
import { missingServer, sharedMongoUrl, startPrivateFerretDb, uniqueName, type PrivateServer } from '../support/servers.js';
import { makeRecord } from './fixtures.js';
import { runStoreContract } from './store-contract.js';

/** A collection whose createIndex succeeds, to drive the TTL-index path on a server without TTL support. */
function withTtlSupport(collection: Collection<CacheDocument>): Collection<CacheDocument> {
  return new Proxy(collection, {
    get(target, property, receiver) {
      if (property === 'createIndex') return () => Promise.resolve('purgeAt_ttl');
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('MongoStore against a MongoDB-compatible server', function () {
  let url: string;
  let client: MongoClient;
  let db: Db;
  let privateServer: PrivateServer | undefined;
  const dbName = 'ahc-test';

  before(async function () {
    this.timeout(60_000);
    const shared = await sharedMongoUrl();
    if (shared !== undefined) {
      url = shared;
    } else if (process.env['MONGODB_URL'] !== undefined) {
      missingServer(this, `MongoDB at MONGODB_URL (${process.env['MONGODB_URL']})`);
    } else {
      privateServer = await startPrivateFerretDb();
      if (privateServer === undefined) missingServer(this, 'MongoDB (MONGODB_URL), FerretDB on 127.0.0.1:27018, or a FerretDB binary (.ci/ferretdb/ensure.sh)');
      url = privateServer.url;
    }
    client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
    db = client.db(dbName);
  });

  after(async function () {
    await client?.close();
    await privateServer?.dispose();
  });

  runStoreContract('MongoStore', async (clock) => {
    const name = uniqueName('contract');
    const raw = db.collection<CacheDocument>(name);
    const stores: MongoStore[] = [];
    const store = new MongoStore({ db, collectionName: name, now: clock.now, sweepIntervalMs: 3_600_000 });
    stores.push(store);
    await store.ready();
    return {
      store,
      rawHas: async (key: string) => (await raw.findOne({ _id: key })) !== null,
      corrupt: async (key: string) => { await raw.updateOne({ _id: key }, { $set: { data: new Binary(new Uint8Array([1, 2, 3])) } }); },
      makePeer: () => Promise.resolve(new MongoStore({ url, dbName, collectionName: name })),
      makeNeighbour: () => {
        const neighbour = new MongoStore({ db, collectionName: `${name}-neighbour` });
        stores.push(neighbour);
        return Promise.resolve(neighbour);
      },
      writeForeign: async () => { await db.collection<{ _id: string; note: string }>(name).insertOne({ _id: 'foreign', note: 'keep me' }); },
      foreignSurvived: async () => (await db.collection<{ _id: string; note: string }>(name).findOne({ _id: 'foreign' }))?.note === 'keep me',
      settleNativeExpiry: async () => { await store.sweep(); },
      ...(store.expiryMode === 'ttl-index' ? { nativeExpiryUntestable: "MongoDB's TTL monitor runs once a minute" } : {}),
      teardown: async () => {
        for (const each of stores) await each.close();
        await raw.drop().catch(() => undefined);
        await db.collection(`${name}-neighbour`).drop().catch(() => undefined);
      },
    };
  });

  describe('MongoStore specifics', function () {
    let name: string;
    let now: number; // taken per test: files load long before their tests run in a full suite

    beforeEach(function () {
      name = uniqueName('specific');
      now = Date.now();
    });

    afterEach(async function () {
      await db.collection(name).drop().catch(() => undefined);
    });

    it('stores one document per key with the record encoded in data and metadata copied beside it', async function () {
      const store = new MongoStore({ db, collectionName: name });
      const record = makeRecord('doc', now, { tags: ['a', 'b'], headers: { 'x.dot': '1', $dollar: '2' } });
      await store.set('doc', record, record.expiresAt);
      const doc = await db.collection<CacheDocument>(name).findOne({ _id: 'doc' });
      expect(doc?.data).to.be.instanceOf(Binary);
      expect(doc?.purgeAt).to.be.instanceOf(Date);
      expect(doc && { ...doc, data: undefined, purgeAt: undefined }).to.deep.equal({
        _id: 'doc', cache: 'axios-http-cache', expiresAt: new Date(record.expiresAt), purgeAt: undefined, createdAt: new Date(record.createdAt),
        url: record.url, method: 'GET', tags: ['a', 'b'], data: undefined,
      });
      await store.close();
    });

    it('falls back to a sweep and warns once when the server rejects TTL indexes with code 238', async function () {
      let clock = now;
      const collection = db.collection<CacheDocument>(name);
      const probe = await collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'probe' }).then(() => undefined, (error: unknown) => error);
      if (!(probe instanceof MongoServerError && probe.code === 238)) this.skip(); // a real MongoDB: the TTL path applies
      const store = new MongoStore({ collection, now: () => clock, sweepIntervalMs: 100 });
      const events: StoreEvent[] = [];
      store.onEvent((event) => events.push(event));
      await store.ready();
      await store.ready();
      expect(store.expiryMode).to.equal('sweep');
      expect(events.map((event) => event.type)).to.deep.equal(['warning']);
      expect(events[0]?.error.message).to.match(/TTL indexes/);
      await store.set('old', makeRecord('old', now), now + 1000);
      await store.set('new', makeRecord('new', now), now + 60_000);
      clock = now + 2000;
      const deadline = Date.now() + 5000;
      while ((await collection.countDocuments({ _id: 'old' })) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await collection.countDocuments({ _id: 'old' })).to.equal(0);
      expect(await collection.countDocuments({ _id: 'new' })).to.equal(1);
      await store.close();
    });

    it('starts no sweep when closed while its expiry setup is still pending', async function () {
      let clock = now;
      const collection = db.collection<CacheDocument>(name);
      const probe = await collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'probe' }).then(() => undefined, (error: unknown) => error);
      if (!(probe instanceof MongoServerError && probe.code === 238)) this.skip(); // a real MongoDB: no sweep to start
      const writer = new MongoStore({ collection, now: () => clock });
      await writer.set('old', makeRecord('old', now), now + 1000);
      await writer.close();
      const store = new MongoStore({ collection, now: () => clock, sweepIntervalMs: 100 });
      const setup = store.ready();
      await store.close();
      await setup;
      expect(store.expiryMode).to.equal('sweep');
      clock = now + 2000;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await collection.countDocuments({ _id: 'old' })).to.equal(1); // no sweep ran after close()
    });

    it('uses the TTL index and starts no sweep when the server accepts it', async function () {
      let clock = now;
      const collection = db.collection<CacheDocument>(name);
      const store = new MongoStore({ collection: withTtlSupport(collection), now: () => clock, sweepIntervalMs: 100 });
      const events: StoreEvent[] = [];
      store.onEvent((event) => events.push(event));
      await store.ready();
      expect(store.expiryMode).to.equal('ttl-index');
      expect(events).to.deep.equal([]);
      await store.set('old', makeRecord('old', now), now + 1000);
      clock = now + 2000;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await collection.countDocuments({ _id: 'old' })).to.equal(1); // no sweep ran
      expect(await store.get('old')).to.equal(undefined); // the read-time filter still hides it
      await store.close();
    });

    // The server keeps the real time; the application's clock is off by 90 s either way.
    for (const [description, skewMs] of [['90 s behind', -90_000], ['90 s ahead of', 90_000]] as const) {
      it(`gives the TTL index the expiry by the server's clock and hits, when the application's clock is ${description} the server's`, async function () {
        const appNow = (): number => Date.now() + skewMs;
        const collection = db.collection<CacheDocument>(name);
        const store = new MongoStore({ collection: withTtlSupport(collection), now: appNow });
        await store.ready();
        const expiresAt = appNow() + 60_000;
        await store.set('skewed', makeRecord('skewed', appNow(), { expiresAt }), expiresAt);
        const doc = await collection.findOne({ _id: 'skewed' });
        const serverNow = ((await db.command({ hello: 1 }))['localTime'] as Date).getTime();
        // 60 s left by the server's clock (a few seconds of slack for the round trips), not 60 s -/+ 90 s.
        expect((doc?.purgeAt.getTime() ?? 0) - serverNow).to.be.within(55_000, 61_000);
        expect(doc?.expiresAt.getTime()).to.equal(expiresAt);
        expect((await store.get('skewed'))?.key).to.equal('skewed');
        expect(await store.count()).to.equal(1);
        await store.close();
      });
    }

    it('creates a TTL index with expireAfterSeconds 0 on a server that supports it', async function () {
      const store = new MongoStore({ db, collectionName: name });
      await store.ready();
      if (store.expiryMode !== 'ttl-index') this.skip(); // FerretDB v1: covered by the sweep test
      const indexes = await db.collection(name).indexes();
      expect(indexes.find((index) => index.name === 'purgeAt_ttl')?.expireAfterSeconds).to.equal(0);
      await store.close();
    });

    it('never closes a client it was given', async function () {
      const store = new MongoStore({ db, collectionName: name });
      await store.set('a', makeRecord('a', now), now + 60_000);
      await store.close();
      expect((await db.command({ ping: 1 }))['ok']).to.equal(1);
    });

    it('closes the client it created from url', async function () {
      const store = new MongoStore({ url, dbName, collectionName: name });
      await store.set('a', makeRecord('a', now), now + 60_000);
      await store.close();
      const error = await store.get('a').then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(Error);
    });

    for (const [description, options, pattern] of [
      ['no collection, db or url', {}, /exactly one/],
      ['both db and url', { url: 'mongodb://127.0.0.1:1', db: {} }, /exactly one/],
      ['a sweepIntervalMs of 10', { url: 'mongodb://127.0.0.1:1', sweepIntervalMs: 10 }, /sweepIntervalMs/],
      ['an empty collectionName', { url: 'mongodb://127.0.0.1:1', collectionName: '' }, /collectionName/],
      ['a redis url', { url: 'redis://127.0.0.1:1' }, /url/],
      ['a collection that is not one', { collection: {} }, /collection must be/],
    ] as const) {
      it(`throws a TypeError for ${description}`, function () {
        expect(() => new MongoStore(options as never)).to.throw(TypeError, pattern);
      });
    }
  });
});

import { expect } from 'chai';
import { Binary, MongoClient, MongoServerError, type Collection, type Db } from 'mongodb';
// The low end of the peer range (mongodb ^6.0.0), installed beside mongodb 7 as a second copy (with bson 6).
import { Binary as Binary6, MongoClient as MongoClient6, type Db as Db6 } from 'mongodb6';
import { StoreClosedError } from '../../lib/errors.js';
import { MongoStore, type CacheDocument } from '../../lib/stores/mongodb.js';
import { binaryBytes } from '../../lib/stores/mongo-binary.js';
import type { StoreEvent } from '../../lib/stores/store.js';
import { missingServer, sharedMongoUrl, startPrivateFerretDb, uniqueName, type PrivateServer } from '../support/servers.js';
import { expectClosedEverywhere } from '../support/store-probes.js';
import { makeRecord } from './fixtures.js';
import { runStoreContract, type StoreHarness, type TestClock } from './store-contract.js';

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
  let client6: MongoClient6;
  let db6: Db6;
  let privateServer: PrivateServer | undefined;
  const dbName = 'ahc-test';

  before(async function () {
    this.timeout(60_000);
    const shared = await sharedMongoUrl();
    if (shared !== undefined) {
      url = shared;
    } else if (process.env['MONGODB_URL'] !== undefined) {
      missingServer(this, `MongoDB at MONGODB_URL (${process.env['MONGODB_URL']}, which does not answer)`);
    } else {
      privateServer = await startPrivateFerretDb();
      if (privateServer === undefined) missingServer(this, 'MongoDB (nothing answers on 127.0.0.1:27018 and there is no FerretDB binary to start)');
      url = privateServer.url;
    }
    client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
    db = client.db(dbName);
    client6 = new MongoClient6(url, { serverSelectionTimeoutMS: 5000 });
    db6 = client6.db(dbName);
  });

  after(async function () {
    await client?.close();
    await client6?.close();
    await privateServer?.dispose();
  });

  /** The contract harness for a store over the database `dbOf()` gives; raw checks go through mongodb 7's `db`. */
  const harness = (dbOf: () => Db | Db6) => async (clock: TestClock): Promise<StoreHarness> => {
    const name = uniqueName('contract');
    const raw = db.collection<CacheDocument>(name);
    const stores: MongoStore[] = [];
    const store = new MongoStore({ db: dbOf(), collectionName: name, now: clock.now, sweepIntervalMs: 3_600_000 });
    stores.push(store);
    await store.ready();
    return {
      store,
      rawHas: async (key: string) => (await raw.findOne({ _id: key })) !== null,
      corrupt: async (key: string) => { await raw.updateOne({ _id: key }, { $set: { data: new Binary(new Uint8Array([1, 2, 3])) } }); },
      makePeer: () => Promise.resolve(new MongoStore({ url, dbName, collectionName: name })),
      makeNeighbour: () => {
        const neighbour = new MongoStore({ db: dbOf(), collectionName: `${name}-neighbour` });
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
  };

  runStoreContract('MongoStore', harness(() => db));
  runStoreContract('MongoStore over a mongodb 6.0 Db (another copy of the driver, with bson 6)', harness(() => db6));

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

    it('stores one document per key with the whole record encoded in data, and only the fields it queries beside it', async function () {
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
      expect(error).to.be.instanceOf(StoreClosedError);
    });

    for (const [description, kind] of [['a database it was given', 'given'], ['a client it created from url', 'owned']] as const) {
      it(`rejects every operation with ECACHE_CLOSED once closed, over ${description}`, async function () {
        const store = kind === 'given' ? new MongoStore({ db, collectionName: name }) : new MongoStore({ url, dbName, collectionName: name });
        await expectClosedEverywhere(store, 'MongoStore', now, [() => store.sweep()]);
        expect(await db.collection(name).countDocuments({ _id: 'a' as never })).to.equal(1); // closing a store deletes nothing
      });
    }

    it('reads through a mongodb 6 collection what it wrote through a mongodb 7 one, and the other way round', async function () {
      const store7 = new MongoStore({ collection: db.collection<CacheDocument>(name), now: () => now });
      const store6 = new MongoStore({ collection: db6.collection(name), now: () => now });
      await store7.set('from7', makeRecord('from7', now), now + 60_000);
      await store6.set('from6', makeRecord('from6', now), now + 60_000);
      // mongodb 6 answers bson 6 Binary values, which are no instance of mongodb 7's Binary.
      const doc6 = await db6.collection(name).findOne({ _id: 'from7' as never });
      expect(doc6?.['data']).to.be.instanceOf(Binary6).and.not.instanceOf(Binary);
      expect((await store6.get('from7'))?.key).to.equal('from7');
      expect((await store7.get('from6'))?.key).to.equal('from6');
      expect((await db.collection<CacheDocument>(name).findOne({ _id: 'from6' }))?.data).to.be.instanceOf(Binary);
      await store6.close();
      await store7.close();
    });

    it('tells the server refusing TTL indexes apart through a mongodb 6 collection as through a mongodb 7 one', async function () {
      const store7 = new MongoStore({ collection: db.collection<CacheDocument>(name) });
      const store6 = new MongoStore({ collection: db6.collection(`${name}-6`) });
      const events: StoreEvent[] = [];
      store6.onEvent((event) => events.push(event));
      await store7.ready();
      await store6.ready();
      expect(store6.expiryMode).to.equal(store7.expiryMode).and.not.equal('pending');
      expect(events.filter((event) => event.type === 'error')).to.deep.equal([]);
      await store6.close();
      await store7.close();
      await db.collection(`${name}-6`).drop().catch(() => undefined);
    });

    it('hits through a client that answers Buffers for binary fields (promoteBuffers)', async function () {
      const promoting = new MongoClient(url, { serverSelectionTimeoutMS: 5000, promoteBuffers: true });
      try {
        const writer = new MongoStore({ db, collectionName: name, now: () => now });
        await writer.set('p', makeRecord('p', now), now + 60_000);
        const store = new MongoStore({ db: promoting.db(dbName), collectionName: name, now: () => now });
        expect((await store.get('p'))?.key).to.equal('p');
        const listed: string[] = [];
        for await (const record of store.entries()) listed.push(record.key);
        expect(listed).to.deep.equal(['p']);
        await store.close();
        await writer.close();
      } finally {
        await promoting.close();
      }
    });

    it('reads the bytes of a Binary-like value by its shape, up to its position', function () {
      const bytes = binaryBytes({ _bsontype: 'Binary', buffer: new Uint8Array([1, 2, 3, 0, 0]), position: 3, sub_type: 0 });
      expect([...(bytes ?? [])]).to.deep.equal([1, 2, 3]);
      expect([...(binaryBytes(new Binary6(new Uint8Array([4, 5]))) ?? [])]).to.deep.equal([4, 5]);
      expect(binaryBytes({ _bsontype: 'ObjectId', buffer: new Uint8Array(12) })).to.equal(undefined);
      expect(binaryBytes('not binary')).to.equal(undefined);
    });

    for (const [description, options, pattern] of [
      ['no collection, db or url', {}, /needs exactly one of option collection .*, option db .* or option url .*; none was given$/],
      ['both db and url', { url: 'mongodb://127.0.0.1:1', db: {} }, /needs exactly one of .*; got db and url$/],
      ['a misspelt option', { url: 'mongodb://127.0.0.1:1', colectionName: 'http' }, /option "colectionName" is not a known option\. Did you mean "collectionName"\? Known options: collection, db, collectionName, url, dbName, clientOptions, writeConcern, readPreference, sweepIntervalMs, now, compressAboveBytes, compression$/],
      ['an option of another store', { url: 'mongodb://127.0.0.1:1', prefix: 'app' }, /option "prefix" is not a known option\. Known options: collection, db/],
      ['collectionName with collection', { collection: {}, collectionName: 'http' }, /option collectionName has no effect with option collection/],
      ['dbName with db', { db: {}, dbName: 'cache' }, /option dbName applies only to the client the store creates from option url; with option db/],
      ['a db without collection()', { db: {} }, /option db must be a mongodb Db \(client\.db\(name\)\), with a collection\(\) method; got an object/],
      ['a db whose collection() answers no collection', { db: { collection: () => ({ findOne: () => null }) } }, /option db must be a mongodb Db \(mongodb 6 or later\): its collection\(\) answered an object without find\(\), replaceOne\(\)/],
      ['a sweepIntervalMs of 10', { url: 'mongodb://127.0.0.1:1', sweepIntervalMs: 10 }, /sweepIntervalMs/],
      ['an empty collectionName', { url: 'mongodb://127.0.0.1:1', collectionName: '' }, /collectionName/],
      ['a redis url', { url: 'redis://127.0.0.1:1' }, /url/],
      ['a collection that is not one', { collection: {} }, /option collection must be a mongodb Collection \(mongodb 6 or later\): it has no findOne\(\), find\(\), replaceOne\(\), deleteOne\(\), deleteMany\(\), countDocuments\(\), aggregate\(\), createIndex\(\), findOneAndUpdate\(\)/],
      ['a collection that is a string', { collection: 'http_cache' }, /option collection must be a mongodb Collection \(db\.collection\(name\)\), got string/],
    ] as const) {
      it(`throws a TypeError prefixed axios-http-cache: for ${description}`, function () {
        expect(() => new MongoStore(options as never)).to.throw(TypeError, /^axios-http-cache: MongoStore /);
        expect(() => new MongoStore(options as never)).to.throw(TypeError, pattern);
      });
    }
  });
});

import axios from 'axios';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { encodeRecord } from '../../lib/stores/codec.js';
import { MongoClient, type CommandStartedEvent, type Db } from 'mongodb';
import { MongoStore, type MongoDbLike } from '../../lib/stores/mongodb.js';
import type { StoreFilter } from '../../lib/stores/store.js';
import { missingServer, sharedMongoUrl, startPrivateFerretDb, uniqueName, type PrivateServer } from '../support/servers.js';
import { makeRecord } from './fixtures.js';

async function keysOf(store: MongoStore, filter: StoreFilter): Promise<string[]> {
  const out: string[] = [];
  for await (const record of store.find(filter)) out.push(record.key);
  return out.sort();
}

describe('MongoStore find() from indexed fields, and its driver options', function () {
  this.timeout(60_000);
  let client: MongoClient;
  let db: Db;
  let privateServer: PrivateServer | undefined;
  const commands: CommandStartedEvent[] = [];

  before(async function () {
    let url = await sharedMongoUrl();
    if (url === undefined) {
      privateServer = await startPrivateFerretDb();
      url = privateServer?.url;
    }
    if (url === undefined) missingServer(this, 'MongoDB or FerretDB (MONGODB_URL, 127.0.0.1:27018 or the FerretDB binary)');
    client = new MongoClient(url, { serverSelectionTimeoutMS: 5000, monitorCommands: true });
    client.on('commandStarted', (event) => commands.push(event));
    db = client.db(uniqueName('ahc-scale'));
  });

  after(async function () {
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
    await privateServer?.dispose();
  });

  beforeEach(() => {
    commands.length = 0;
  });

  it('answers tag, exact urls, url prefix (http and https), method and created-before from the document fields', async function () {
    const store = new MongoStore({ db, collectionName: uniqueName('find') });
    await store.ready();
    const now = Date.now();
    const put = (key: string, overrides: Parameters<typeof makeRecord>[2], fields: { method?: string; createdAt?: number } = {}): Promise<void> =>
      store.set(key, { ...makeRecord(key, now, overrides), ...fields }, now + 60_000);
    await put('a', { url: 'https://api.test/users/1', tags: ['people'] }, { createdAt: now - 5000 });
    await put('b', { url: 'http://api.test/users/2', tags: ['people', 'admins'] });
    await put('c', { url: 'https://api.test/teams/1', tags: ['teams'] }, { method: 'POST' });
    await put('d', { url: 'https://api.test/users.json' });
    expect(await keysOf(store, { tag: 'people' })).to.deep.equal(['a', 'b']);
    expect(await keysOf(store, { tag: 'admins' })).to.deep.equal(['b']);
    expect(await keysOf(store, { urls: ['https://api.test/teams/1', 'https://api.test/none'] })).to.deep.equal(['c']);
    expect(await keysOf(store, { urlPrefix: 'api.test/users/' }), 'the prefix is literal: "." and "/" match only themselves').to.deep.equal(['a', 'b']);
    expect(await keysOf(store, { method: 'POST' })).to.deep.equal(['c']);
    expect(await keysOf(store, { createdBefore: now - 1000 })).to.deep.equal(['a']);
    expect(await keysOf(store, { tag: 'people', createdBefore: now - 1000 })).to.deep.equal(['a']);
    expect(await keysOf(store, {})).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('indexes tags and url, and sends find() with the tag in the query rather than reading every document', async function () {
    const name = uniqueName('indexes');
    const store = new MongoStore({ db, collectionName: name });
    await store.ready();
    const indexes = (await db.collection(name).listIndexes().toArray()).map((index) => index['name'] as string);
    expect(indexes).to.include.members(['tags_1', 'url_1']);
    commands.length = 0;
    await keysOf(store, { tag: 'people' });
    const find = commands.find((event) => event.commandName === 'find');
    expect(JSON.stringify(find?.command['filter'])).to.contain('"tags":"people"');
  });

  it('still returns a document written before url, method and tags were fields (a superset, never a missed match)', async function () {
    const name = uniqueName('legacy');
    const store = new MongoStore({ db, collectionName: name });
    const now = Date.now();
    await store.set('old', makeRecord('old', now, { tags: ['people'] }), now + 60_000);
    await db.collection(name).updateOne({ _id: 'old' as never }, { $unset: { url: '', method: '', tags: '' } });
    expect(await keysOf(store, { tag: 'people' })).to.deep.equal(['old']);
  });

  it('deletes by tag, through attachCache, documents inserted the way a version without url, method and tags fields wrote them', async function () {
    const name = uniqueName('legacy');
    const store = new MongoStore({ db, collectionName: name });
    const now = Date.now();
    const old = (key: string, tags: string[]): Promise<unknown> => encodeRecord(makeRecord(key, now, { tags })).then((data) => db.collection(name).insertOne({
      _id: key as never, cache: 'axios-http-cache', expiresAt: new Date(now + 60_000), purgeAt: new Date(now + 60_000), createdAt: new Date(now), data,
    }));
    await old('old1', ['people']);
    await old('old2', ['teams']);
    await store.set('new', makeRecord('new', now, { tags: ['people'] }), now + 60_000);
    const cache = attachCache(axios.create(), { store });
    expect(await cache.delete({ tag: 'people' })).to.equal(2);
    expect(await db.collection(name).distinct('_id')).to.deep.equal(['old2']);
  });

  it('opens its collection with the writeConcern it was given, which the driver sends on every write and deletion', async function () {
    const store = new MongoStore({ db, collectionName: uniqueName('wc'), writeConcern: { w: 1, journal: true } });
    const now = Date.now();
    await store.set('a', makeRecord('a', now), now + 60_000);
    await store.delete('a');
    const writes = commands.filter((event) => event.commandName === 'update' || event.commandName === 'delete');
    expect(writes.map((event) => event.commandName)).to.include.members(['update', 'delete']);
    for (const write of writes) expect(write.command['writeConcern']).to.deep.equal({ w: 1, j: true });
  });

  it('opens its collection with the readPreference it was given', async function () {
    const opened: Array<Record<string, unknown> | undefined> = [];
    const watching: MongoDbLike = {
      collection: (name, options) => {
        opened.push(options);
        return db.collection(name, options);
      },
    };
    const store = new MongoStore({ db: watching, collectionName: uniqueName('rp'), readPreference: 'primaryPreferred', writeConcern: { w: 'majority' } });
    expect(opened).to.deep.equal([{ writeConcern: { w: 'majority' }, readPreference: 'primaryPreferred' }]);
    await store.close();
  });

  it('refuses writeConcern or readPreference with option collection, saying to open the collection with it', function () {
    expect(() => new MongoStore({ collection: db.collection('x'), readPreference: 'primary' })).to.throw(TypeError, /option readPreference applies to the collection the store opens from option db or url; with option collection, open your collection with it/);
  });
});

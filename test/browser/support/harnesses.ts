/**
 * Store-contract harnesses for the browser stores, shared by the Node run (Web Storage over a
 * fake Storage) and the page run in Chromium (real localStorage and IndexedDB). No `node:` imports.
 */
import { IndexedDBStore } from '../../../lib/stores/indexeddb.js';
import { WebStorageStore, type WebStorageLike } from '../../../lib/stores/web-storage.js';
import type { StoreHarness, TestClock } from '../../stores/store-contract.js';

let harnessCount = 0;

/** Each harness gets its own prefix under `prefixBase`, so tests never see each other's items. */
export function webStorageHarness(storage: WebStorageLike, prefixBase: string): (clock: TestClock) => Promise<StoreHarness> {
  return (clock) => {
    harnessCount += 1;
    const prefix = `${prefixBase}${harnessCount}:`;
    const foreignName = `${prefixBase}foreign-${harnessCount}`;
    // Not `${prefix}...`: a prefix that starts with another store's prefix lies inside that namespace.
    const neighbourPrefix = `${prefixBase}neighbour-${harnessCount}:`;
    const store = new WebStorageStore({ storage, prefix, now: clock.now });
    const harness: StoreHarness = {
      store,
      rawHas: (key) => Promise.resolve(storage.getItem(prefix + key) !== null),
      corrupt: (key) => Promise.resolve(storage.setItem(prefix + key, '{"e":')),
      makePeer: () => Promise.resolve(new WebStorageStore({ storage, prefix, now: clock.now })),
      makeNeighbour: () => Promise.resolve(new WebStorageStore({ storage, prefix: neighbourPrefix, now: clock.now })),
      writeForeign: () => Promise.resolve(storage.setItem(foreignName, 'not a cache entry')),
      foreignSurvived: () => Promise.resolve(storage.getItem(foreignName) === 'not a cache entry'),
      settleNativeExpiry: async () => {
        await store.sweep();
      },
      teardown: async () => {
        await store.clear();
        await new WebStorageStore({ storage, prefix: neighbourPrefix }).clear();
        storage.removeItem(foreignName);
      },
    };
    return Promise.resolve(harness);
  };
}

function request<T>(make: () => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const pending = make();
    pending.onsuccess = () => resolve(pending.result);
    pending.onerror = () => reject(pending.error ?? new Error('IndexedDB request failed'));
  });
}

/** Opens `dbName` without a version (the current one), runs `work`, and closes the connection. */
async function withRawDatabase<T>(factory: IDBFactory, dbName: string, work: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await request(() => factory.open(dbName));
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

/** Each harness gets its own database, deleted at teardown. */
export function indexedDBHarness(factory: IDBFactory, dbBase: string): (clock: TestClock) => Promise<StoreHarness> {
  return (clock) => {
    harnessCount += 1;
    const dbName = `${dbBase}-${harnessCount}`;
    const options = { indexedDB: factory, dbName, storeName: 'entries', now: clock.now } as const;
    const store = new IndexedDBStore(options);
    const extra: IndexedDBStore[] = [];
    const rawGet = (key: string): Promise<unknown> => withRawDatabase(factory, dbName, (db) =>
      request(() => db.transaction('entries', 'readonly').objectStore('entries').get(key)));
    const harness: StoreHarness = {
      store,
      rawHas: async (key) => (await rawGet(key)) !== undefined,
      corrupt: (key) => withRawDatabase(factory, dbName, async (db) => {
        await request(() => db.transaction('entries', 'readwrite').objectStore('entries').put({ key, expiresAt: clock.now() + 60_000, record: 'garbage' }));
      }),
      makePeer: () => Promise.resolve(new IndexedDBStore(options)),
      // Another object store in the same database: opening it upgrades the database under the first store.
      makeNeighbour: () => {
        const neighbour = new IndexedDBStore({ ...options, storeName: 'neighbour' });
        extra.push(neighbour);
        return Promise.resolve(neighbour);
      },
      writeForeign: async () => {
        const foreign = new IndexedDBStore({ ...options, dbName: `${dbName}-foreign` });
        extra.push(foreign);
        await foreign.set('foreign', { ...placeholderRecord(clock.now()) }, clock.now() + 60_000);
      },
      foreignSurvived: async () => (await withRawDatabase(factory, `${dbName}-foreign`, (db) =>
        request(() => db.transaction('entries', 'readonly').objectStore('entries').count()))) === 1,
      settleNativeExpiry: async () => {
        await store.sweep();
      },
      teardown: async () => {
        await store.close();
        for (const other of extra) await other.close();
        await request(() => factory.deleteDatabase(dbName));
        await request(() => factory.deleteDatabase(`${dbName}-foreign`));
      },
    };
    return Promise.resolve(harness);
  };
}

function placeholderRecord(nowAt: number): Parameters<IndexedDBStore['set']>[1] {
  return {
    v: 1, key: 'foreign', method: 'GET', url: 'https://foreign.test/', status: 200, statusText: 'OK', headers: {},
    body: { type: 'text', text: 'foreign' }, requestTime: nowAt, responseTime: nowAt, createdAt: nowAt, expiresAt: nowAt + 60_000,
  };
}

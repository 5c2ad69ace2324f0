import { expect } from 'chai';
import { IndexedDBStore } from '../../lib/stores/indexeddb.js';
import { MemoryStore } from '../../lib/stores/memory.js';
import { MongoStore } from '../../lib/stores/mongodb.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { checkStoreOptions } from '../../lib/stores/store-options.js';
import { WebStorageStore } from '../../lib/stores/web-storage.js';

/** Each store with its known options and a valid base to add an unknown one to (nothing here connects). */
const STORES: ReadonlyArray<readonly [string, (options: object) => unknown, object, string]> = [
  ['MemoryStore', (options) => new MemoryStore(options), {}, 'maxEntries, maxBytes, maxEntryBytes, now'],
  ['WebStorageStore', (options) => new WebStorageStore(options), {}, 'storage, prefix, now'],
  ['IndexedDBStore', (options) => new IndexedDBStore(options), {}, 'dbName, storeName, indexedDB, now, sweepIntervalMs'],
  ['RedisStore', (options) => new RedisStore(options), { url: 'redis://127.0.0.1:1' }, 'client, url, redisOptions, prefix, scanBatchSize, now, compressAboveBytes, compression, memoBytes, waitForReplicas, waitTimeoutMs'],
  ['MongoStore', (options) => new MongoStore(options), { url: 'mongodb://127.0.0.1:1' }, 'collection, db, collectionName, url, dbName, clientOptions, writeConcern, readPreference, sweepIntervalMs, now, compressAboveBytes, compression'],
];

describe('Store options', function () {
  for (const [name, make, base, known] of STORES) {
    it(`${name} throws a TypeError naming an unknown option and listing the known ones`, function () {
      expect(() => make({ ...base, ttl: 60_000 })).to.throw(TypeError, `axios-http-cache: ${name} option "ttl" is not a known option. Known options: ${known}`);
    });

    it(`${name} rejects options that are not an object, listing the known ones`, function () {
      expect(() => make([] as never)).to.throw(TypeError, `axios-http-cache: ${name} options must be an object (known options: ${known})`);
    });
  }

  it('suggests the known option a misspelt one is closest to', function () {
    expect(() => new MemoryStore({ maxEntires: 10 } as never)).to.throw(TypeError, /option "maxEntires" is not a known option\. Did you mean "maxEntries"\?/);
    expect(() => new MemoryStore({ MAXBYTES: 10 } as never)).to.throw(TypeError, /Did you mean "maxBytes"\?/);
  });

  it('suggests nothing for a short option that is merely two letters off a known one', function () {
    expect(() => checkStoreOptions('RedisStore', { ttl: 1 }, ['url', 'now'])).to.throw(TypeError, /option "ttl" is not a known option\. Known options: url, now$/);
  });

  it('accepts every known option', function () {
    expect(() => checkStoreOptions('MemoryStore', { maxEntries: 1, maxBytes: 2, maxEntryBytes: 1, now: Date.now }, ['maxEntries', 'maxBytes', 'maxEntryBytes', 'now'])).not.to.throw();
  });
});

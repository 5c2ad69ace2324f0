/**
 * Runs a management test suite once per store: MemoryStore, RedisStore (shared Redis), MongoStore (a shared
 * FerretDB/MongoDB, else a private FerretDB started for this run) and SqliteStore (a file in a temporary directory). A missing server skips that store's suite,
 * except under CI=true, where it fails. Every store gets its own prefix or collection, removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { CorruptEntryError } from '../../lib/errors.js';
import type { CacheRecord } from '../../lib/record.js';
import { MemoryStore } from '../../lib/stores/memory.js';
import { MongoStore } from '../../lib/stores/mongodb.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { SqliteStore } from '../../lib/stores/sqlite.js';
import type { CacheStore } from '../../lib/stores/store.js';
import { missingServer, sharedMongoUrl, sharedRedisUrl, startPrivateFerretDb, uniqueName } from '../support/servers.js';
import type { PrivateServer } from '../support/servers.js';

export type StoreKind = 'MemoryStore' | 'RedisStore' | 'MongoStore' | 'SqliteStore';

export interface StoreSetup {
  readonly kind: StoreKind;
  /** A fresh, empty store in a namespace of its own, reading expiry with `now`. */
  newStore(now: () => number): Promise<CacheStore>;
  /** Makes the stored data under `key` undecodable (Memory: its reads fail as corrupt). */
  corrupt(store: CacheStore, key: string): Promise<void>;
}

/** A memory store whose chosen keys read as corrupt, standing in for undecodable bytes in the remote stores. */
class BreakableMemoryStore extends MemoryStore {
  readonly broken = new Set<string>();
  override get(key: string): Promise<CacheRecord | undefined> {
    if (this.broken.has(key)) {
      this.broken.delete(key);
      return this.delete(key).then(() => Promise.reject(new CorruptEntryError(key, 'test: made unreadable')));
    }
    return super.get(key);
  }
  override getSync(key: string): CacheRecord | undefined {
    if (this.broken.has(key)) {
      this.broken.delete(key);
      super.delete(key).catch(() => undefined);
      throw new CorruptEntryError(key, 'test: made unreadable');
    }
    return super.getSync(key);
  }
}

interface Backend {
  open(context: Mocha.Context): Promise<void>;
  newStore(now: () => number): Promise<CacheStore>;
  corrupt(store: CacheStore, key: string): Promise<void>;
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

function memoryBackend(): Backend {
  return {
    open: () => Promise.resolve(),
    newStore: (now) => Promise.resolve(new BreakableMemoryStore({ now })),
    corrupt: (store, key) => {
      (store as BreakableMemoryStore).broken.add(key);
      return Promise.resolve();
    },
    cleanup: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

function redisBackend(): Backend {
  let client: Redis | undefined;
  let stores: RedisStore[] = [];
  return {
    async open(context) {
      const url = await sharedRedisUrl();
      if (url === undefined) missingServer(context, 'Redis (REDIS_URL or 127.0.0.1:6379)');
      client = new Redis(url);
    },
    newStore(now) {
      const store = new RedisStore({ client: client!, prefix: uniqueName('ahc-manage'), now, scanBatchSize: 7 });
      stores.push(store);
      return Promise.resolve(store);
    },
    async corrupt(store, key) {
      await client!.set(`${(store as RedisStore).prefix}:${key}`, Buffer.from([1, 2, 3, 4]), 'PX', 60_000);
    },
    async cleanup() {
      for (const store of stores) await store.clear();
      stores = [];
    },
    async close() {
      await client?.quit();
    },
  };
}

function mongoBackend(): Backend {
  let client: MongoClient | undefined;
  let db: Db | undefined;
  let privateServer: PrivateServer | undefined;
  let made: Array<{ store: MongoStore; name: string }> = [];
  return {
    async open(context) {
      context.timeout(60_000);
      let url = await sharedMongoUrl();
      if (url === undefined) {
        privateServer = await startPrivateFerretDb();
        url = privateServer?.url;
      }
      if (url === undefined) missingServer(context, 'MongoDB or FerretDB (MONGODB_URL, 127.0.0.1:27018 or the FerretDB binary)');
      client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
      await client.connect();
      db = client.db(uniqueName('ahc-manage'));
    },
    async newStore(now) {
      const name = uniqueName('entries');
      const store = new MongoStore({ db: db!, collectionName: name, now });
      // Settle the expiry set-up (TTL index or sweep) first, so its one-off warning happens before any cache listens.
      await store.ready();
      made.push({ store, name });
      return store;
    },
    async corrupt(store, key) {
      const name = made.find((entry) => entry.store === store)?.name ?? '';
      await db!.collection(name).updateOne({ _id: key as never }, { $set: { data: 'not binary' } });
    },
    async cleanup() {
      for (const { store, name } of made) {
        await store.close();
        await db!.collection(name).drop().catch(() => undefined);
      }
      made = [];
    },
    async close() {
      await db?.dropDatabase().catch(() => undefined);
      await client?.close();
      await privateServer?.dispose();
    },
  };
}

function sqliteBackend(): Backend {
  let dir = '';
  let files = 0;
  let made: Array<{ store: SqliteStore; path: string }> = [];
  return {
    open() {
      dir = mkdtempSync(join(tmpdir(), 'ahc-manage-sqlite-'));
      return Promise.resolve();
    },
    async newStore(now) {
      const path = join(dir, `${files++}.db`);
      const store = new SqliteStore({ path, now, sweepIntervalMs: 0 });
      await store.ready();
      made.push({ store, path });
      return store;
    },
    corrupt(store, key) {
      const raw = new Database(made.find((entry) => entry.store === store)?.path ?? '');
      raw.prepare('UPDATE ahc_entries SET data = ? WHERE key = ?').run(Buffer.from([1, 2, 3, 4]), key);
      raw.close();
      return Promise.resolve();
    },
    async cleanup() {
      for (const { store } of made) await store.close();
      made = [];
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

const BACKENDS: Record<StoreKind, () => Backend> = { MemoryStore: memoryBackend, RedisStore: redisBackend, MongoStore: mongoBackend, SqliteStore: sqliteBackend };

/** Declares `body`'s tests once per store kind, each inside `describe('on <kind>')`. */
export function forEachStore(body: (setup: StoreSetup) => void): void {
  for (const kind of Object.keys(BACKENDS) as StoreKind[]) {
    describe(`on ${kind}`, function () {
      const backend = BACKENDS[kind]();
      before(async function () {
        await backend.open(this);
      });
      afterEach(async function () {
        await backend.cleanup();
      });
      after(async function () {
        await backend.close();
      });
      body({ kind, newStore: (now) => backend.newStore(now), corrupt: (store, key) => backend.corrupt(store, key) });
    });
  }
}

/** A clock starting at the real time (so native expiry lines up) that only the test moves. */
export class TestClock {
  at = Date.now();
  readonly now = (): number => this.at;
  advance(ms: number): void {
    this.at += ms;
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * MongoDB store (`axios-http-cache/mongodb`), also for wire-compatible servers such as FerretDB.
 *
 * One document per entry in a collection of its own (the collection is the namespace):
 * `{ _id: key, cache: 'axios-http-cache', expiresAt: Date, purgeAt: Date, createdAt: Date, url, method, tags?, data: Binary }`,
 * where `data` is the record encoded by `codec.ts` (so header names never become field names: no `.`/`$`
 * hazards), `expiresAt`/`purgeAt` are what expiry and the sweep need, and `url`, `method`, `tags` and `createdAt` are
 * what `find()` queries (indexed: `tags`, `url`).
 * Every query filters on the `cache` marker, so documents of other shapes in the collection are left alone.
 *
 * Two clocks: `expiresAt` is the record's expiry by the application's clock (the `now` option), and
 * reads, listings and the sweep compare it with that clock. `purgeAt` is the same instant on the
 * server's clock (server time estimated at write + time left by the application's clock), and the
 * TTL index is on `purgeAt`, because the server's TTL monitor compares it with the server's own
 * clock: a server whose clock disagrees with the application's then neither deletes entries early
 * nor keeps them too long.
 *
 * Expiry: a TTL index on `purgeAt` (`expireAfterSeconds: 0`) where the server supports one;
 * where it answers 238 NotImplemented (FerretDB v1), a periodic `deleteMany` sweep instead, with
 * one `warning` event. Reads always check `expiresAt > now`, because TTL deletion is lazy.
 *
 * A collection or database passed in is recognised by the methods the store calls (duck typing), and the
 * driver's values by their shape, never by `instanceof`: a second copy of the mongodb driver (a monorepo,
 * mongodb 6 beside 7) works as well as this one. For the same reason `data` is written as a plain
 * `Uint8Array` (every driver stores it as a BSON Binary): a `Binary` of this copy's bson would be refused by
 * another major version of bson.
 */
import { BSON, MongoClient, ObjectId, type Binary, type Collection, type Db, type MongoClientOptions } from 'mongodb';
import { CorruptEntryError, EntryTooLargeError, StoreClosedError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import { decodeRecord, encodeRecord, type EncodeOptions } from './codec.js';
import { nodeCompressor, nodeEncodeOptions, type StoreCompressionOptions } from './compression-node.js';
import { EventHub } from './event-hub.js';
import type { CacheStore, StoreEvent, StoreFilter } from './store.js';
import { checkStoreOptions, storeOptionError } from './store-options.js';
import { binaryBytes } from './mongo-binary.js';

/** Marks documents this store wrote, so a collection shared with other data keeps that data on `clear()`. */
const DOCUMENT_MARKER = 'axios-http-cache';
/**
 * Marks the lease documents of `dedupe: 'store'`: `{ _id: { lease: name }, cache: 'axios-http-cache:lease', token,
 * expiresAt, purgeAt }`. An object `_id` never equals an entry's string `_id`, and the marker keeps leases out of
 * listings, counts and `clear()`.
 */
const LEASE_MARKER = 'axios-http-cache:lease';

/** The stored document. */
export interface CacheDocument {
  _id: string;
  /** Always `'axios-http-cache'`: marks the documents of this store. */
  cache: 'axios-http-cache';
  /** The record's expiry by the application's clock. */
  expiresAt: Date;
  /** The same instant by the server's clock (estimated when written); the TTL index is on it. */
  purgeAt: Date;
  createdAt: Date;
  /** The record's URL (credential parameters already removed by the cache), for `find({ urls, urlPrefix })`. */
  url: string;
  /** The record's upper-case method, for `find({ method })`. */
  method: string;
  /** The record's tags, when it has any (a multikey index), for `find({ tag })`. */
  tags?: string[];
  data: Binary;
}

/**
 * The collection methods the store calls, as the mongodb driver (6 and 7) answers them: what an option
 * `collection` must have. A `Collection` of any installed copy of the driver fits, and so does a wrapper that
 * forwards these.
 */
export interface MongoCollectionLike {
  findOne(filter: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
  find(filter: Record<string, unknown>, options?: Record<string, unknown>): AsyncIterable<unknown>;
  replaceOne(filter: Record<string, unknown>, replacement: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
  deleteOne(filter: Record<string, unknown>): Promise<unknown>;
  deleteMany(filter: Record<string, unknown>): Promise<{ readonly deletedCount: number }>;
  countDocuments(filter: Record<string, unknown>): Promise<number>;
  aggregate(pipeline: Array<Record<string, unknown>>): { toArray(): Promise<unknown[]> };
  createIndex(spec: Record<string, 1>, options?: Record<string, unknown>): Promise<string>;
  findOneAndUpdate(filter: Record<string, unknown>, update: Record<string, unknown>, options: Record<string, unknown>): Promise<unknown>;
}

/** What an option `db` must have: a mongodb `Db` of any installed copy of the driver. */
export interface MongoDbLike {
  collection(name: string, options?: Record<string, unknown>): MongoCollectionLike;
}

const COLLECTION_METHODS = ['findOne', 'find', 'replaceOne', 'deleteOne', 'deleteMany', 'countDocuments', 'aggregate', 'createIndex', 'findOneAndUpdate'] as const;

const KNOWN_OPTIONS = [
  'collection', 'db', 'collectionName', 'url', 'dbName', 'clientOptions', 'writeConcern', 'readPreference', 'sweepIntervalMs', 'now',
  'compressAboveBytes', 'compression',
] as const;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** `value` as a {@link MongoCollectionLike}, or a TypeError naming the methods it lacks. */
function checkCollection(value: unknown, option: string): MongoCollectionLike {
  if (typeof value !== 'object' || value === null) {
    throw storeOptionError('MongoStore', `option ${option} must be a mongodb Collection (db.collection(name)), got ${describeValue(value)}`);
  }
  const candidate = value as Record<string, unknown>;
  const missing = COLLECTION_METHODS.filter((method) => typeof candidate[method] !== 'function');
  if (missing.length > 0) {
    const list = missing.map((name) => `${name}()`).join(', ');
    throw storeOptionError('MongoStore', option === 'collection'
      ? `option collection must be a mongodb Collection (mongodb 6 or later): it has no ${list}. Pass client.db(name).collection(name), or option db or option url instead`
      : `option db must be a mongodb Db (mongodb 6 or later): its collection() answered an object without ${list}. Pass client.db(name), or option collection or option url instead`);
  }
  return value as MongoCollectionLike;
}

/** `text` as a regular expression matching it literally. */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The numeric code of a server error (MongoServerError of any driver copy), else undefined. */
function serverErrorCode(error: unknown): number | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

export interface MongoStoreOptions extends StoreCompressionOptions {
  /**
   * The collection to use (the store's namespace): a mongodb `Collection`, from any installed copy of the
   * driver (mongodb 6 or 7). Never closed by the store. Give exactly one of `collection`, `db` and `url`.
   */
  readonly collection?: Collection<CacheDocument> | MongoCollectionLike;
  /** A database handle (any copy of the driver); the store uses `collectionName` in it. Never closed by the store. */
  readonly db?: Db | MongoDbLike;
  /** Collection name with `db` or `url`. @default 'http_cache' */
  readonly collectionName?: string;
  /** A `mongodb://` URL; the store then owns its client and `close()` closes it. */
  readonly url?: string;
  /** Database name with `url` (when the URL names none). @default 'axios-http-cache' */
  readonly dbName?: string;
  /** Driver options for the client created from `url`. */
  readonly clientOptions?: MongoClientOptions;
  /**
   * Write concern of the store's collection (with `db` or `url`; with `collection`, set it on your collection). On a
   * replica set, `{ w: 'majority' }` makes a write or a deletion resolve only once a majority holds it, so a failover
   * cannot roll back an invalidation the cache reported done; it costs a replication round trip per write.
   * @default the client's (the driver's default is `{ w: 'majority' }` since MongoDB 5)
   */
  readonly writeConcern?: MongoWriteConcern;
  /**
   * Read preference of the store's collection (with `db` or `url`). Keep `'primary'` for a cache: a secondary may
   * answer a record deleted or replaced moments ago on the primary (a stale hit after an invalidation).
   * @default the client's (the driver's default is `'primary'`)
   */
  readonly readPreference?: 'primary' | 'primaryPreferred' | 'secondary' | 'secondaryPreferred' | 'nearest';
  /** Period of the expiry sweep used when the server has no TTL indexes. @default 60000 */
  readonly sweepIntervalMs?: number;
  /**
   * The application's clock, epoch ms: pass the same clock you give `attachCache` (its `now` option).
   * Reads, listings and the sweep compare `expiresAt` with it; the server's own clock only drives
   * the TTL index, through `purgeAt`, and never needs to agree with it.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** A write concern, as the driver takes it. */
export interface MongoWriteConcern {
  readonly w?: number | 'majority';
  readonly journal?: boolean;
  readonly wtimeoutMS?: number;
}

/** How expired documents leave the collection. */
export type MongoExpiryMode = 'pending' | 'ttl-index' | 'sweep';

/** MongoDB's NotImplemented error code (FerretDB v1 answers it for TTL indexes). */
const NOT_IMPLEMENTED = 238;
const TTL_INDEX_NAME = 'purgeAt_ttl';
const DUPLICATE_KEY = 11000;
/** MongoDB's (and FerretDB's) largest document: 16 MiB of BSON. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
/** How long a reading of the server's clock is trusted before it is taken again. */
const SERVER_CLOCK_MAX_AGE_MS = 3_600_000;

/** The server's clock, read once and carried forward with this process's monotonic clock. */
interface ServerClockReading {
  readonly serverMs: number;
  readonly monotonicMs: number;
}

const live = (now: number): { cache: typeof DOCUMENT_MARKER; expiresAt: { $gt: Date } } => ({ cache: DOCUMENT_MARKER, expiresAt: { $gt: new Date(now) } });

export class MongoStore implements CacheStore {
  readonly #collection: MongoCollectionLike;
  readonly #ownedClient: MongoClient | undefined;
  readonly #sweepIntervalMs: number;
  readonly #encoding: EncodeOptions;
  readonly #now: () => number;
  readonly #events = new EventHub();
  #expiryMode: MongoExpiryMode = 'pending';
  /** Until the server has been asked, its clock is taken to be this process's. */
  #serverClock: ServerClockReading = { serverMs: Date.now(), monotonicMs: performance.now() };
  #serverClockRead: Promise<void> | undefined;
  #setup: Promise<void> | undefined;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: MongoStoreOptions) {
    if (options === undefined) throw storeOptionError('MongoStore', 'needs options: { collection }, { db, collectionName? } or { url, dbName?, collectionName? }');
    checkStoreOptions('MongoStore', options, KNOWN_OPTIONS);
    const { collection, db, url } = options;
    const given = (['collection', 'db', 'url'] as const).filter((name) => options[name] !== undefined);
    if (given.length !== 1) {
      const got = given.length === 0 ? 'none was given' : `got ${given.join(' and ')}`;
      throw storeOptionError('MongoStore', `needs exactly one of option collection (a mongodb Collection), option db (a mongodb Db) or option url (a mongodb:// URL); ${got}`);
    }
    if (collection !== undefined && options.collectionName !== undefined) {
      throw storeOptionError('MongoStore', 'option collectionName has no effect with option collection (that collection is the namespace); drop one of them');
    }
    if (collection !== undefined) {
      for (const name of ['writeConcern', 'readPreference'] as const) {
        if (options[name] !== undefined) throw storeOptionError('MongoStore', `option ${name} applies to the collection the store opens from option db or url; with option collection, open your collection with it (db.collection(name, { ${name} }))`);
      }
    }
    const collectionOptions = {
      ...(options.writeConcern === undefined ? {} : { writeConcern: options.writeConcern }),
      ...(options.readPreference === undefined ? {} : { readPreference: options.readPreference }),
    };
    if (url === undefined) {
      for (const name of ['dbName', 'clientOptions'] as const) {
        if (options[name] !== undefined) throw storeOptionError('MongoStore', `option ${name} applies only to the client the store creates from option url; with option ${given[0] ?? 'db'} configure your own client instead`);
      }
    }
    const collectionName = options.collectionName ?? 'http_cache';
    if (typeof collectionName !== 'string' || collectionName === '') throw storeOptionError('MongoStore', 'option collectionName must be a non-empty string');
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (!Number.isFinite(this.#sweepIntervalMs) || this.#sweepIntervalMs < 100) {
      throw storeOptionError('MongoStore', 'option sweepIntervalMs must be a number of milliseconds, at least 100');
    }
    this.#encoding = nodeEncodeOptions('MongoStore', options);
    this.#now = options.now ?? Date.now;
    if (typeof this.#now !== 'function') throw storeOptionError('MongoStore', 'option now must be a function returning epoch ms');

    if (collection !== undefined) {
      this.#collection = checkCollection(collection, 'collection');
    } else if (db !== undefined) {
      if (typeof db !== 'object' || db === null || typeof (db as { collection?: unknown }).collection !== 'function') {
        throw storeOptionError('MongoStore', `option db must be a mongodb Db (client.db(name)), with a collection() method; got ${describeValue(db)}`);
      }
      this.#collection = checkCollection(db.collection(collectionName, collectionOptions), 'db');
    } else {
      if (typeof url !== 'string' || !/^mongodb(\+srv)?:\/\//.test(url)) throw storeOptionError('MongoStore', 'option url must be a mongodb:// or mongodb+srv:// URL');
      this.#ownedClient = new MongoClient(url, options.clientOptions);
      this.#collection = this.#ownedClient.db(options.dbName ?? 'axios-http-cache').collection<CacheDocument>(collectionName, collectionOptions);
    }
  }

  /** How expired documents are removed: known once {@link ready} has resolved. */
  get expiryMode(): MongoExpiryMode {
    return this.#expiryMode;
  }

  /**
   * Sets up expiry (TTL index, or the sweep fallback). Every operation starts it; await it to
   * know the outcome. A failure other than "not implemented" is reported as an `error` event and
   * retried by the next operation.
   */
  ready(): Promise<void> {
    if (this.#closed && this.#setup === undefined) return Promise.reject(new StoreClosedError('MongoStore', 'ready'));
    this.#setup ??= this.#setUpExpiry();
    return this.#setup;
  }

  async #setUpExpiry(): Promise<void> {
    try {
      await this.#collection.createIndex({ purgeAt: 1 }, { name: TTL_INDEX_NAME, expireAfterSeconds: 0 });
      this.#expiryMode = 'ttl-index';
    } catch (error) {
      if (serverErrorCode(error) !== NOT_IMPLEMENTED) {
        this.#setup = undefined; // try again on a later operation
        this.#events.emitError(error);
        return;
      }
      this.#expiryMode = 'sweep';
      this.#startSweep();
      this.#events.emit({
        type: 'warning',
        error: new Error(`axios-http-cache: MongoStore: the server does not support TTL indexes (${(error as Error).message}); expired entries are removed by a sweep every ${this.#sweepIntervalMs} ms and hidden on read`, { cause: error }),
      });
    }
    // expiresAt keeps the sweep and the listings' filter cheap; tags and url answer find() from an index.
    for (const [field, name] of [['expiresAt', 'expiresAt_1'], ['tags', 'tags_1'], ['url', 'url_1']] as const) {
      try {
        await this.#collection.createIndex({ [field]: 1 }, { name });
      } catch (indexError) {
        this.#events.emitError(indexError);
      }
    }
    // Until this reading, purgeAt assumes the server's clock is this process's.
    if (this.#expiryMode === 'ttl-index') await this.#readServerClock().catch((error: unknown) => this.#events.emitError(error));
  }

  /** The server's current time, estimated from the last reading of its clock. */
  #serverNow(): number {
    return this.#serverClock.serverMs + (performance.now() - this.#serverClock.monotonicMs);
  }

  /**
   * Reads the server's clock: `$currentDate` on a probe document of this store's own (removed at
   * once, and carrying a `purgeAt` so the TTL index removes it if that fails), timed with this
   * process's monotonic clock. Works with a bare Collection, where no `hello` command can be sent.
   */
  #readServerClock(): Promise<void> {
    this.#serverClockRead ??= (async () => {
      const probeId = `axios-http-cache:clock-probe:${new ObjectId().toHexString()}`;
      const sentAt = performance.now();
      const answer = await this.#collection.findOneAndUpdate({ _id: probeId }, { $currentDate: { purgeAt: true } }, { upsert: true, returnDocument: 'after' });
      const receivedAt = performance.now();
      await this.#collection.deleteOne({ _id: probeId });
      const probe = answer as { purgeAt?: unknown } | null;
      if (probe?.purgeAt instanceof Date) this.#serverClock = { serverMs: probe.purgeAt.getTime(), monotonicMs: (sentAt + receivedAt) / 2 };
    })().finally(() => {
      this.#serverClockRead = undefined;
    });
    return this.#serverClockRead;
  }

  /** Reads the server's clock again when the last reading is old (TTL index only), without waiting for it. */
  #refreshServerClock(): void {
    if (this.#expiryMode !== 'ttl-index' || this.#closed || this.#serverClockRead !== undefined) return;
    if (performance.now() - this.#serverClock.monotonicMs < SERVER_CLOCK_MAX_AGE_MS) return;
    this.#readServerClock().catch((error: unknown) => this.#events.emitError(error));
  }

  #startSweep(): void {
    if (this.#closed || this.#sweepTimer !== undefined) return;
    this.#sweepTimer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.#events.emitError(error));
    }, this.#sweepIntervalMs);
    this.#sweepTimer.unref();
  }

  /**
   * Deletes every document whose `expiresAt` has passed by the store's clock; resolves the number
   * deleted. It runs in the application, so it compares the application's expiry with the
   * application's clock, and the server's clock plays no part.
   */
  async sweep(): Promise<number> {
    this.#checkOpen('sweep');
    const result = await this.#collection.deleteMany({ cache: { $in: [DOCUMENT_MARKER, LEASE_MARKER] }, expiresAt: { $lte: new Date(this.#now()) } });
    return result.deletedCount;
  }

  /** Throws the {@link StoreClosedError} of `operation` once `close()` has been called. */
  #checkOpen(operation: string): void {
    if (this.#closed) throw new StoreClosedError('MongoStore', operation);
  }

  #startSetup(): void {
    if (this.#setup === undefined && !this.#closed) {
      this.ready().catch((error: unknown) => this.#events.emitError(error));
    }
  }

  async get(key: string): Promise<CacheRecord | undefined> {
    this.#checkOpen('get');
    this.#startSetup();
    // Filter by _id alone and check marker and expiry here: FerretDB v1 answers an _id-only query
    // about three times faster than one that adds `expiresAt: { $gt }` (measured: 1.8 vs 5.7 ms).
    const doc = await this.#collection.findOne({ _id: key }, { projection: { cache: 1, expiresAt: 1, data: 1 } }) as { cache?: unknown; expiresAt?: unknown; data?: unknown } | null;
    if (doc?.cache !== DOCUMENT_MARKER || !(doc.expiresAt instanceof Date) || !(doc.expiresAt.getTime() > this.#now())) {
      return undefined;
    }
    const bytes = binaryBytes(doc.data);
    const decoded = bytes !== undefined
      ? await decodeRecord(bytes, nodeCompressor)
      : { ok: false as const, reason: 'field data is not binary' };
    if (!decoded.ok) {
      await this.#collection.deleteOne({ _id: key });
      throw new CorruptEntryError(key, decoded.reason);
    }
    return decoded.record;
  }

  async set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    this.#checkOpen('set');
    this.#startSetup();
    const ttlMs = expiresAt - this.#now();
    if (!(ttlMs > 0)) {
      await this.#collection.deleteOne({ _id: key });
      return;
    }
    this.#refreshServerClock();
    const encoded = await encodeRecord(record, this.#encoding);
    const doc = {
      cache: DOCUMENT_MARKER,
      expiresAt: new Date(expiresAt),
      purgeAt: new Date(Math.ceil(this.#serverNow() + ttlMs)),
      createdAt: new Date(record.createdAt),
      url: record.url,
      method: record.method,
      ...(record.tags !== undefined && record.tags.length > 0 ? { tags: [...record.tags] } : {}),
      data: encoded, // stored as a BSON Binary (subtype 0) by whichever driver the collection belongs to
    } satisfies Omit<CacheDocument, '_id' | 'data'> & { data: Uint8Array };
    // Checked here, not left to the driver: a larger document fails deep in serialisation ("offset is out of bounds").
    const bytes = BSON.calculateObjectSize({ _id: key, ...doc });
    if (bytes > MAX_DOCUMENT_BYTES) throw new EntryTooLargeError(key, bytes, MAX_DOCUMENT_BYTES);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#collection.replaceOne({ _id: key }, doc, { upsert: true });
        return;
      } catch (error) {
        // Two upserts of one new key can race to insert; the loser sees E11000 and simply replaces.
        if (serverErrorCode(error) !== DUPLICATE_KEY || attempt >= 3) throw error;
      }
    }
  }

  async delete(key: string): Promise<void> {
    this.#checkOpen('delete');
    await this.#collection.deleteOne({ _id: key });
  }

  /** One `deleteMany` with `$in` for all of `keys`. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    this.#checkOpen('delete');
    if (keys.length > 0) await this.#collection.deleteMany({ _id: { $in: [...keys] } });
  }

  /**
   * Takes the lease with one upsert that matches only an expired lease document or this token's own (a holder's call
   * extends it): where another live one exists the insert collides with its `_id` (duplicate key, E11000) and the
   * lease is held, so one more read names the holder. Expiry is by the store's clock (`expiresAt`), as for entries; the TTL index (`purgeAt`) or the sweep
   * removes what is left behind.
   */
  async lease(name: string, token: string, ttlMs: number): Promise<string> {
    this.#checkOpen('lease');
    this.#startSetup();
    const now = this.#now();
    const lease = {
      cache: LEASE_MARKER,
      token,
      expiresAt: new Date(now + ttlMs),
      purgeAt: new Date(Math.ceil(this.#serverNow() + ttlMs)),
    };
    try {
      await this.#collection.replaceOne({ _id: { lease: name }, $or: [{ expiresAt: { $lte: new Date(now) } }, { token }] }, lease, { upsert: true });
      return token;
    } catch (error) {
      if (serverErrorCode(error) !== DUPLICATE_KEY) throw error;
    }
    const held = await this.#collection.findOne({ _id: { lease: name } }, { projection: { token: 1 } }) as { token?: unknown } | null;
    // Released between the two calls: no holder to name; the caller asks again.
    return typeof held?.token === 'string' ? held.token : '';
  }

  async release(name: string, token: string): Promise<void> {
    this.#checkOpen('release');
    await this.#collection.deleteOne({ _id: { lease: name }, token });
  }

  /** Deletes every document this store wrote in its collection; other documents stay. */
  async clear(): Promise<void> {
    this.#checkOpen('clear');
    await this.#collection.deleteMany({ cache: DOCUMENT_MARKER });
  }

  async *keys(): AsyncIterable<string> {
    this.#checkOpen('keys');
    const cursor = this.#collection.find(live(this.#now()), { projection: { _id: 1 } });
    for await (const doc of cursor) {
      const id = (doc as { _id?: unknown })._id;
      if (typeof id === 'string') yield id;
    }
  }

  /** Live records, streamed from a cursor; a document that does not decode is deleted and reported. */
  async *entries(): AsyncIterable<CacheRecord> {
    this.#checkOpen('entries');
    yield* this.#decoded(live(this.#now()));
  }

  /**
   * Live records matching `filter`, queried on the document's `tags`, `url`, `method` and `createdAt` fields (tags and
   * url indexed). A document written before these fields existed (no `url`) is returned too: the cache checks each
   * record against the whole query, so it is a superset, never a missed match.
   */
  async *find(filter: StoreFilter): AsyncIterable<CacheRecord> {
    this.#checkOpen('find');
    const conditions: Array<Record<string, unknown>> = [];
    if (filter.tag !== undefined) conditions.push({ tags: filter.tag });
    if (filter.urls !== undefined) conditions.push({ url: { $in: [...filter.urls] } });
    if (filter.urlPrefix !== undefined) {
      const literal = escapeRegExp(filter.urlPrefix);
      conditions.push({ $or: [{ url: { $regex: `^http://${literal}` } }, { url: { $regex: `^https://${literal}` } }] });
    }
    if (filter.method !== undefined) conditions.push({ method: filter.method });
    if (filter.createdBefore !== undefined) conditions.push({ createdAt: { $lt: new Date(filter.createdBefore) } });
    if (conditions.length === 0) {
      yield* this.entries();
      return;
    }
    yield* this.#decoded({ ...live(this.#now()), $or: [{ $and: conditions }, { url: { $exists: false } }] });
  }

  async *#decoded(query: Record<string, unknown>): AsyncIterable<CacheRecord> {
    const cursor = this.#collection.find(query, { projection: { data: 1 } });
    for await (const found of cursor) {
      const doc = found as { _id?: unknown; data?: unknown };
      const bytes = binaryBytes(doc.data);
      const decoded = bytes !== undefined ? await decodeRecord(bytes, nodeCompressor) : undefined;
      if (decoded?.ok === true) {
        yield decoded.record;
      } else {
        await this.#collection.deleteOne({ _id: doc._id });
        this.#events.emit({ type: 'error', error: new CorruptEntryError(String(doc._id), decoded?.reason ?? 'field data is not binary') });
      }
    }
  }

  async count(): Promise<number> {
    this.#checkOpen('count');
    return this.#collection.countDocuments(live(this.#now()));
  }

  /** Bytes of the encoded records ($binarySize); undefined where the server lacks that operator. */
  async size(): Promise<number | undefined> {
    this.#checkOpen('size');
    try {
      const [row] = await this.#collection.aggregate([
        { $match: live(this.#now()) },
        { $group: { _id: null, bytes: { $sum: { $binarySize: '$data' } } } },
      ]).toArray() as Array<{ bytes?: unknown }>;
      return typeof row?.bytes === 'number' ? row.bytes : 0;
    } catch {
      return undefined;
    }
  }

  onEvent(listener: (event: StoreEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  /**
   * Closes the store: every later call rejects with a {@link StoreClosedError} (`ECACHE_CLOSED`). Stops the
   * sweep and closes the client this store created from `url` (never one passed in). Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true; // from here #startSweep starts nothing, even when a pending setup falls back to the sweep
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    await this.#setup?.catch(() => undefined);
    await this.#ownedClient?.close();
  }
}

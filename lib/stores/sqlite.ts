/**
 * SQLite store (`axios-http-cache/sqlite`): a persistent cache in one local file, with no server. Runs on
 * `node:sqlite` where Node has it and on `better-sqlite3` otherwise (`sqlite-driver.ts`).
 *
 * The file's layout and every statement are in `sqlite-schema.ts`: one row per key in `ahc_entries`, holding the record
 * encoded by `codec.ts` (optionally compressed) and the indexed columns that listings, deletions by query, the sweep
 * and eviction search (URL without scheme, created, expires, last used); tags in `ahc_tags`; running totals kept by
 * triggers in `ahc_totals`; leases of `dedupe: 'store'` in `ahc_leases`; the schema version in `ahc_meta` (an older
 * file is migrated when opened). Ids are never reused (AUTOINCREMENT).
 *
 * Concurrency: WAL journal, so readers never wait for a writer. Every write is one `BEGIN IMMEDIATE` transaction:
 * atomic if the process dies mid-write, and waiting for another writer through SQLite's busy timeout. The busy timeout
 * of one attempt is short (it blocks the thread); a lock still held after it is retried asynchronously until
 * `busyTimeoutMs` has passed, so `SQLITE_BUSY` reaches a caller only after that.
 *
 * Bounds: the write that takes the file over `maxEntries` or `maxBytes` removes expired rows, then the least recently
 * used ones. Hits record their time in memory and write it in one transaction a second later (recency is a hint: a
 * lost batch costs nothing but precision). Expired rows are hidden on read and deleted by an unref'd sweep.
 *
 * Hits: a hit reads the row's head (id, expiry) by its key; the record's bytes are read and decoded only when the
 * decoded record of that very row (same id) is not already in memory (`decodedCacheBytes`, an LRU).
 */
import { existsSync } from 'node:fs';
import { CorruptEntryError, EntryTooLargeError, ReadOnlyError, StoreClosedError, StoreError, StoreVersionError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import { LRUCache } from 'lru-cache';
import { decodeRecord, decodeUncompressedRecord, encodeRecord, type DecodeResult, type EncodeOptions } from './codec.js';
import { nodeCompressor, nodeEncodeOptions, type StoreCompressionOptions } from './compression-node.js';
import { asError, EventHub } from './event-hub.js';
import { adoptDatabase, isLockError, openSqlite, type SqliteConnection, type SqliteDriverName, type SqliteRow, type SqliteStatement } from './sqlite-driver.js';
import { findQuery, HAS_META, LEASE_STATEMENTS, MIGRATIONS, PAGE_ROWS, READ_VERSION, SCHEMA, SCHEMA_VERSION, STATEMENTS, SWEEP_BATCH_ROWS, withoutScheme } from './sqlite-schema.js';
import type { Awaitable, CacheStore, StoreEvent, StoreFilter } from './store.js';
import { checkStoreOptions, positiveIntegerOption, storeOptionError } from './store-options.js';

const MIB = 1024 * 1024;
/** How long one attempt waits for a lock inside SQLite (blocking the thread) before the store retries asynchronously. */
const ATTEMPT_BUSY_MS = 25;
/** How long hit times wait in memory before they are written in one transaction. */
const RECENCY_FLUSH_MS = 1000;
/** How long after a write the store copies the WAL back into the database file (a checkpoint), at most once per period. */
const CHECKPOINT_DELAY_MS = 1000;
/** WAL pages past which a commit checkpoints at once (SQLite's default is 1000). */
const AUTO_CHECKPOINT_PAGES = 8192;

const KNOWN_OPTIONS = [
  'path', 'database', 'driver', 'readOnly', 'maxEntries', 'maxBytes', 'maxEntryBytes', 'decodedCacheBytes', 'busyTimeoutMs', 'sweepIntervalMs', 'now',
  'compressAboveBytes', 'compression',
] as const;

/** What a write to a read-only store rejects with. */
const READ_ONLY_WHY = 'this SqliteStore was opened with readOnly: true, which never writes to its file; open another SqliteStore without readOnly to change it';

/** An open database of better-sqlite3 (`new Database(path)`) or of `node:sqlite` (`new DatabaseSync(path)`). */
export interface SqliteDatabaseLike {
  prepare(sql: string): unknown;
  exec(sql: string): unknown;
  close(): unknown;
}

export interface SqliteStoreOptions extends StoreCompressionOptions {
  /**
   * The database file, created when missing (`':memory:'`: a private in-memory database). The store opens it and
   * `close()` closes it. Give exactly one of `path` and `database`.
   */
  readonly path?: string;
  /** A database you opened (better-sqlite3 or `node:sqlite`); the store adds its `ahc_` tables and never closes it. */
  readonly database?: SqliteDatabaseLike;
  /** Which library opens `path`. @default 'auto' (`node:sqlite` where Node has it, else better-sqlite3) */
  readonly driver?: 'auto' | SqliteDriverName;
  /**
   * Reads an existing cache and never writes to it: the file is opened read-only (a missing file, or one without this
   * store's tables, is an error), hits record no recency, nothing is swept, and every write (`set`, `delete`,
   * `clear`, `sweep`, leases) rejects with a `ReadOnlyError`. For a shared, pre-built cache (in CI): attach it with
   * `attachCache`'s `readOnly: true` too, so the cache never tries to write. @default false
   */
  readonly readOnly?: boolean;
  /** Most records in the file; beyond it the least recently used go. @default 100000 */
  readonly maxEntries?: number;
  /** Upper bound of the encoded records' bytes (plus keys and URLs); beyond it the least recently used go. @default 268435456 (256 MiB) */
  readonly maxBytes?: number;
  /** Largest encoded record kept; a larger one is refused with `EntryTooLargeError`. @default maxBytes / 10 */
  readonly maxEntryBytes?: number;
  /**
   * Bytes of decoded records kept in memory, so that a hit on one skips reading and decoding its data. Every hit still
   * reads the row's head from the file, so another process's change or deletion is seen at once. 0 turns it off.
   * @default 16777216 (16 MiB)
   */
  readonly decodedCacheBytes?: number;
  /**
   * How long an operation waits for a lock another connection (another process) holds before it fails. Waiting is
   * asynchronous beyond the first 25 ms, so the event loop keeps running.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
  /** Period of the sweep that deletes expired rows (unref'd: it never keeps the process alive); 0 turns it off. @default 60000 */
  readonly sweepIntervalMs?: number;
  /** The application's clock, epoch ms: pass the clock you give `attachCache` (its `now` option). @default Date.now */
  readonly now?: () => number;
}

type Prepared<T> = { readonly [name in keyof T]: SqliteStatement };

/** The statements of `sqlite-schema.ts`, prepared once per connection (those of leases only by a store that writes). */
type Statements = Prepared<typeof STATEMENTS> & { readonly connection: SqliteConnection; readonly leases: Prepared<typeof LEASE_STATEMENTS> | undefined };

function prepareAll<T extends Readonly<Record<string, string>>>(connection: SqliteConnection, statements: T): Prepared<T> {
  return Object.fromEntries(Object.entries(statements).map(([name, sql]) => [name, connection.prepare(sql)])) as Prepared<T>;
}

function prepare(connection: SqliteConnection, writes: boolean): Statements {
  return { ...prepareAll(connection, STATEMENTS), connection, leases: writes ? prepareAll(connection, LEASE_STATEMENTS) : undefined };
}

/** Runs `sql` in one write transaction on `connection`, rolled back if it fails. */
function inTransaction(connection: SqliteConnection, sql: string): void {
  connection.exec('BEGIN IMMEDIATE');
  try {
    connection.exec(sql);
    connection.exec('COMMIT');
  } catch (error) {
    connection.exec('ROLLBACK');
    throw error;
  }
}

/** What a hit read from the file: the record already decoded in memory, or the bytes to decode. */
type LiveRow =
  | { readonly id: number; readonly now: number; readonly record: CacheRecord }
  | { readonly id: number; readonly now: number; readonly data: unknown; readonly bytes: number };

/** A decoded record kept in memory, with the id of the row it came from. */
interface Decoded {
  readonly id: number;
  readonly record: CacheRecord;
  readonly bytes: number;
}

function numberOf(row: SqliteRow | undefined, column: string): number {
  const value = row?.[column];
  return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : 0;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SqliteStore implements CacheStore {
  /** The schema version this copy of the library writes, and the newest it reads (kept in the file's `ahc_meta`). */
  static readonly schemaVersion = SCHEMA_VERSION;
  /** The file the store opened (`undefined` with option `database`). */
  readonly path: string | undefined;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  /** True when the store never writes to its file (option `readOnly`). */
  readonly readOnly: boolean;
  readonly #database: SqliteDatabaseLike | undefined;
  readonly #driver: 'auto' | SqliteDriverName;
  readonly #busyTimeoutMs: number;
  readonly #now: () => number;
  readonly #encoding: EncodeOptions;
  readonly #events = new EventHub();
  /** Decoded records by key, checked against the row's id on every hit. */
  readonly #decoded: LRUCache<string, Decoded> | undefined;
  #opening: Promise<Statements> | undefined;
  #db: Statements | undefined;
  /** Hit times not yet written: entry id → epoch ms. */
  readonly #touched = new Map<number, number>();
  #touchTimer: ReturnType<typeof setTimeout> | undefined;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  /** The pending checkpoint of a file the store opened (undefined: none pending, or a database passed in). */
  #checkpointTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (options === undefined) throw storeOptionError('SqliteStore', "needs options: { path } (a file name, or ':memory:') or { database }");
    checkStoreOptions('SqliteStore', options, KNOWN_OPTIONS);
    const { path, database } = options;
    if ((path === undefined) === (database === undefined)) {
      throw storeOptionError('SqliteStore', `needs exactly one of option path (a file name, or ':memory:') and option database (an open better-sqlite3 or node:sqlite database); got ${path === undefined ? 'neither' : 'both'}`);
    }
    if (path !== undefined && (typeof path !== 'string' || path === '')) throw storeOptionError('SqliteStore', "option path must be a non-empty file name (or ':memory:')");
    if (database !== undefined && adoptDatabase(database) === undefined) {
      throw storeOptionError('SqliteStore', 'option database must be an open better-sqlite3 Database or node:sqlite DatabaseSync (with prepare(), exec() and close())');
    }
    const driver = options.driver ?? 'auto';
    if (driver !== 'auto' && driver !== 'node:sqlite' && driver !== 'better-sqlite3') {
      throw storeOptionError('SqliteStore', `option driver must be 'auto', 'node:sqlite' or 'better-sqlite3', got ${JSON.stringify(driver)}`);
    }
    if (database !== undefined && options.driver !== undefined) throw storeOptionError('SqliteStore', 'option driver applies to option path only: a database passed in already has its library');
    const readOnly = options.readOnly ?? false;
    if (typeof readOnly !== 'boolean') throw storeOptionError('SqliteStore', `option readOnly must be true or false, got ${String(readOnly)}`);
    if (readOnly && path === ':memory:') throw storeOptionError('SqliteStore', "option readOnly needs a file to read: a new ':memory:' database is always empty");
    this.readOnly = readOnly;
    this.maxEntries = positiveIntegerOption('SqliteStore', 'maxEntries', options.maxEntries ?? 100_000);
    this.maxBytes = positiveIntegerOption('SqliteStore', 'maxBytes', options.maxBytes ?? 256 * MIB);
    this.maxEntryBytes = positiveIntegerOption('SqliteStore', 'maxEntryBytes', options.maxEntryBytes ?? Math.max(1, Math.floor(this.maxBytes / 10)));
    if (this.maxEntryBytes > this.maxBytes) throw storeOptionError('SqliteStore', `option maxEntryBytes (${this.maxEntryBytes}) must not exceed maxBytes (${this.maxBytes})`);
    const decodedBytes = options.decodedCacheBytes ?? 16 * MIB;
    if (typeof decodedBytes !== 'number' || !Number.isSafeInteger(decodedBytes) || decodedBytes < 0) {
      throw storeOptionError('SqliteStore', `option decodedCacheBytes must be a non-negative integer (0: off), got ${String(decodedBytes)}`);
    }
    this.#decoded = decodedBytes === 0 ? undefined : new LRUCache<string, Decoded>({ maxSize: decodedBytes, sizeCalculation: (entry) => Math.max(1, entry.bytes) });
    const busy = options.busyTimeoutMs ?? 5000;
    if (!Number.isFinite(busy) || busy < 0) throw storeOptionError('SqliteStore', 'option busyTimeoutMs must be a non-negative number of milliseconds');
    this.#busyTimeoutMs = busy;
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (!Number.isFinite(sweepIntervalMs) || (sweepIntervalMs !== 0 && sweepIntervalMs < 100)) {
      throw storeOptionError('SqliteStore', 'option sweepIntervalMs must be 0 (no sweep) or a number of milliseconds, at least 100');
    }
    this.#now = options.now ?? Date.now;
    if (typeof this.#now !== 'function') throw storeOptionError('SqliteStore', 'option now must be a function returning epoch ms');
    this.#encoding = nodeEncodeOptions('SqliteStore', options);
    this.path = path;
    this.#database = database;
    this.#driver = driver;
    if (sweepIntervalMs > 0 && !readOnly) {
      this.#sweepTimer = setInterval(() => {
        this.sweep().catch((error: unknown) => this.#events.emitError(error));
      }, sweepIntervalMs);
      this.#sweepTimer.unref();
    }
    this.ready().catch((error: unknown) => this.#events.emitError(error));
  }

  /** Which library the store runs on, once {@link ready} has resolved. */
  get driver(): SqliteDriverName | undefined {
    return this.#db?.connection.driver;
  }

  /**
   * Opens the database and checks or creates the schema. Every operation waits for it; await it to see a failure
   * early (a file written by a newer version rejects with `StoreVersionError`; a busy or unreadable file rejects and
   * the next operation tries again).
   */
  async ready(): Promise<void> {
    await this.#connect('ready');
  }

  #connect(operation: string): Promise<Statements> {
    if (this.#closed) return Promise.reject(new StoreClosedError('SqliteStore', operation));
    this.#opening ??= this.#open().then((db) => {
      this.#db = db;
      return db;
    }, (error: unknown) => {
      if (!(error instanceof StoreVersionError || error instanceof TypeError)) this.#opening = undefined; // try again later
      throw error;
    });
    return this.#opening;
  }

  async #open(): Promise<Statements> {
    const owned = this.#database === undefined;
    const where = owned ? `the file ${JSON.stringify(this.path)}` : 'the database passed in';
    if (owned && this.readOnly && !existsSync(this.path ?? '')) {
      throw new StoreError('open', `SqliteStore (readOnly): there is no file ${JSON.stringify(this.path)}; a read-only store reads an existing cache file: build it first with a SqliteStore without readOnly, or correct the path`);
    }
    const connection = owned ? await openSqlite(this.path ?? ':memory:', this.#driver, this.readOnly) : adoptDatabase(this.#database);
    if (connection === undefined) throw storeOptionError('SqliteStore', 'option database is not an open database');
    try {
      // A database passed in keeps the settings its owner chose; a file the store opens gets these.
      if (owned) connection.exec(`PRAGMA busy_timeout = ${ATTEMPT_BUSY_MS}`);
      if (owned && !this.readOnly) {
        if (this.path !== ':memory:') await this.#retrying('ready', () => this.#useWal(connection));
        connection.exec('PRAGMA synchronous = NORMAL');
        // Checkpoints run a moment after the store's writes (#scheduleCheckpoint), not inside the commit that takes the
        // WAL past SQLite's default 1000 pages; the automatic one stays as a bound for writes that never let a timer run.
        connection.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      }
      const version = await this.#retrying('ready', () => this.#schemaVersion(connection));
      if (version === undefined && this.readOnly) {
        throw new StoreError('open', `SqliteStore (readOnly): ${where} has no cache tables (ahc_meta); a read-only store reads a file a SqliteStore wrote`);
      }
      if (version === undefined) {
        await this.#retrying('ready', () => inTransaction(connection, SCHEMA));
      } else if (version > SCHEMA_VERSION) {
        throw new StoreVersionError('SqliteStore', where, version, SCHEMA_VERSION);
      } else if (!this.readOnly) {
        // An older file is brought up to this version (each step idempotent, so two processes may both run it).
        for (let from = version; from < SCHEMA_VERSION; from++) {
          const migration = MIGRATIONS[from];
          if (migration !== undefined) await this.#retrying('ready', () => inTransaction(connection, migration));
        }
      }
      return prepare(connection, !this.readOnly);
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  /** Puts the file in WAL mode (readers never wait for the writer) unless it is already; the mode stays in the file. */
  #useWal(connection: SqliteConnection): void {
    if (String(connection.prepare('PRAGMA journal_mode').get()?.['journal_mode']).toLowerCase() !== 'wal') connection.exec('PRAGMA journal_mode = WAL');
  }

  /** The schema version recorded in the file; undefined when the file has no tables of this store yet. */
  #schemaVersion(connection: SqliteConnection): number | undefined {
    const table = connection.prepare(HAS_META).get();
    if (table === undefined) return undefined;
    const row = connection.prepare(READ_VERSION).get();
    return row === undefined ? undefined : numberOf(row, 'value');
  }

  /**
   * Runs `work` (synchronous SQLite calls) until no other connection's lock is in its way, for at most
   * `busyTimeoutMs`: each try waits inside SQLite for a moment, then the store waits asynchronously.
   */
  async #retrying<T>(operation: string, work: () => T, firstError?: unknown): Promise<T> {
    const deadline = performance.now() + this.#busyTimeoutMs;
    let pause = 2;
    let last = firstError;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 || last !== undefined) {
        if (performance.now() + pause > deadline) throw last;
        await sleep(pause);
        pause = Math.min(pause * 2, 50);
        if (this.#closed) throw new StoreClosedError('SqliteStore', operation);
      }
      try {
        return work();
      } catch (error) {
        if (!isLockError(error)) throw error;
        last = error;
      }
    }
  }

  /**
   * Runs `work` against the open database: synchronously when the database is open and free (the hit path costs no
   * promise), else once it is open and the lock is free. Never throws synchronously.
   */
  #run<T>(operation: string, work: (db: Statements) => T): Awaitable<T> {
    const db = this.#db;
    if (this.#closed) return Promise.reject(new StoreClosedError('SqliteStore', operation));
    if (db === undefined) return this.#connect(operation).then((opened) => this.#retrying(operation, () => work(opened)));
    try {
      return work(db);
    } catch (error) {
      return isLockError(error) ? this.#retrying(operation, () => work(db), error) : Promise.reject(asError(error));
    }
  }

  /** Runs `work` in one write transaction (`BEGIN IMMEDIATE`), rolled back if it throws; a read-only store rejects. */
  #write<T>(operation: string, work: (db: Statements) => T): Awaitable<T> {
    if (this.readOnly) return Promise.reject(new ReadOnlyError(`SqliteStore ${operation}`, READ_ONLY_WHY));
    return this.#run(operation, (db) => {
      db.begin.run();
      try {
        const result = work(db);
        db.commit.run();
        this.#scheduleCheckpoint();
        return result;
      } catch (error) {
        try {
          db.rollback.run();
        } catch {
          // Nothing to roll back: SQLite already did.
        }
        throw error;
      }
    });
  }

  get(key: string): Awaitable<CacheRecord | undefined> {
    const found = this.#run('get', (db) => this.#readLive(db, key));
    return typeof (found as PromiseLike<unknown> | undefined)?.then === 'function'
      ? Promise.resolve(found).then((live) => this.#hit(key, live))
      : this.#hit(key, found as LiveRow | undefined);
  }

  /**
   * The live row of `key`: the decoded record when memory holds this very row (ids are never reused, so the same id
   * is the same write, whichever process made it), else the row's bytes. Undefined when absent or expired.
   */
  #readLive(db: Statements, key: string): LiveRow | undefined {
    const head = db.get.get(key);
    if (head === undefined) return undefined;
    const now = this.#now();
    if (!(numberOf(head, 'expires_at') > now)) return undefined;
    const id = numberOf(head, 'id');
    const known = this.#decoded?.get(key);
    if (known?.id === id) return { id, now, record: known.record };
    const data = db.getData.get(id)?.['data'];
    if (data === undefined) return undefined; // replaced or deleted between the two reads
    return { id, now, data, bytes: numberOf(head, 'bytes') };
  }

  /** A live row as the record `get` answers: decoded (and kept in memory) when needed; a corrupt row deleted and reported. */
  #hit(key: string, live: LiveRow | undefined): Awaitable<CacheRecord | undefined> {
    if (live === undefined) return undefined;
    if ('record' in live) return this.#used(live.id, live.now, live.record);
    const { id, now, data, bytes } = live;
    const decoded = data instanceof Uint8Array ? decodeUncompressedRecord(data) : { ok: false as const, reason: 'column data is not a blob' };
    const settle = (result: DecodeResult): Awaitable<CacheRecord> => {
      if (!result.ok) return this.#corrupt(key, result.reason);
      this.#decoded?.set(key, { id, record: result.record, bytes });
      return this.#used(id, now, result.record);
    };
    return decoded === undefined ? decodeRecord(data as Uint8Array, nodeCompressor).then(settle) : settle(decoded);
  }

  /** Notes a hit's time, written with the others a second later. */
  #used(id: number, now: number, record: CacheRecord): CacheRecord {
    if (this.readOnly) return record;
    this.#touched.set(id, now);
    if (this.#touchTimer === undefined) {
      this.#touchTimer = setTimeout(() => {
        this.#touchTimer = undefined;
        this.#flushRecency();
      }, RECENCY_FLUSH_MS);
      this.#touchTimer.unref();
    }
    return record;
  }

  /** A row that does not decode: deleted (left as it is by a read-only store), and reported. */
  async #corrupt(key: string, reason: string): Promise<never> {
    if (!this.readOnly) await this.#write('delete', (db) => db.deleteKey.run(key));
    throw new CorruptEntryError(key, reason);
  }

  /** Writes the hit times gathered since the last flush, in one transaction; a busy file keeps them for the next. */
  #flushRecency(): void {
    const db = this.#db;
    if (db === undefined || this.#touched.size === 0 || this.#closed) return;
    try {
      db.begin.run();
    } catch (error) {
      if (!isLockError(error)) this.#events.emitError(error);
      return;
    }
    try {
      this.#writeRecency(db);
      db.commit.run();
      this.#scheduleCheckpoint();
    } catch (error) {
      try {
        db.rollback.run();
      } catch {
        // Already rolled back.
      }
      this.#events.emitError(error);
    }
  }

  /**
   * After a commit to a file the store opened: a checkpoint (`PASSIVE`: it never waits for, nor blocks, another
   * connection) a moment later, at most one per {@link CHECKPOINT_DELAY_MS}, so the WAL holds at most about a second of
   * writes and no caller's write pays for copying it back. A busy file leaves it to the next one; SQLite also
   * checkpoints when the last connection closes, and a WAL left by a killed process is read like any other.
   */
  #scheduleCheckpoint(): void {
    if (this.#database !== undefined || this.path === ':memory:' || this.#checkpointTimer !== undefined) return;
    this.#checkpointTimer = setTimeout(() => {
      this.#checkpointTimer = undefined;
      if (this.#closed) return;
      try {
        this.#db?.connection.exec('PRAGMA wal_checkpoint(PASSIVE)');
      } catch (error) {
        if (!isLockError(error)) this.#events.emitError(error);
      }
    }, CHECKPOINT_DELAY_MS);
    this.#checkpointTimer.unref();
  }

  /** Inside a write transaction: the pending hit times into `used_at`. */
  #writeRecency(db: Statements): void {
    for (const [id, at] of this.#touched) db.touch.run(at, id, at);
    this.#touched.clear();
  }

  async set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    if (this.#closed) throw new StoreClosedError('SqliteStore', 'set');
    if (this.readOnly) throw new ReadOnlyError('SqliteStore set', READ_ONLY_WHY);
    const now = this.#now();
    if (!(expiresAt > now)) {
      await this.delete(key);
      return;
    }
    const data = await encodeRecord(record, this.#encoding);
    const url = withoutScheme(record.url);
    const bytes = data.byteLength + key.length + url.length;
    if (bytes > this.maxEntryBytes) {
      await this.delete(key); // an older record under this key must not outlive the refusal
      throw new EntryTooLargeError(key, bytes, this.maxEntryBytes);
    }
    const tags = record.tags ?? [];
    this.#decoded?.delete(key);
    await this.#write('set', (db) => {
      db.deleteKey.run(key);
      const id = numberOf(db.insert.get(key, url, record.method, record.createdAt, Math.ceil(expiresAt), now, bytes, data), 'id');
      for (const tag of tags) db.insertTag.run(tag, id);
      this.#bound(db, id, now);
    });
  }

  /** Inside the write transaction of a set: keeps the file within maxEntries and maxBytes (expired rows first, then LRU). */
  #bound(db: Statements, keep: number, now: number): void {
    let totals = db.totals.get();
    if (numberOf(totals, 'entries') <= this.maxEntries && numberOf(totals, 'bytes') <= this.maxBytes) return;
    db.deleteExpired.run(now);
    this.#writeRecency(db);
    for (;;) {
      totals = db.totals.get();
      let extraEntries = numberOf(totals, 'entries') - this.maxEntries;
      let extraBytes = numberOf(totals, 'bytes') - this.maxBytes;
      if (extraEntries <= 0 && extraBytes <= 0) return;
      const victims = db.leastRecent.all(keep);
      if (victims.length === 0) return;
      for (const victim of victims) {
        if (extraEntries <= 0 && extraBytes <= 0) return;
        db.deleteId.run(numberOf(victim, 'id'));
        extraEntries -= 1;
        extraBytes -= numberOf(victim, 'bytes');
      }
    }
  }

  delete(key: string): Awaitable<void> {
    this.#decoded?.delete(key);
    return this.#write('delete', (db) => {
      db.deleteKey.run(key);
    });
  }

  /** Deletes `keys` in one write transaction (so one wait for the lock and one commit for all of them). */
  deleteMany(keys: readonly string[]): Awaitable<void> {
    if (keys.length === 0) return undefined;
    for (const key of keys) this.#decoded?.delete(key);
    return this.#write('delete', (db) => {
      for (const key of keys) db.deleteKey.run(key);
    });
  }

  /** Deletes every record of this store (its `ahc_` tables); other tables of the file stay. */
  async clear(): Promise<void> {
    await this.#write('clear', (db) => {
      db.clearTags.run();
      db.clearEntries.run();
    });
    this.#touched.clear();
    this.#decoded?.clear();
  }

  /**
   * Deletes expired rows (in batches of 1000, one transaction each, so other writers get their turn) and expired
   * leases; resolves the number of rows deleted. The interval sweep calls it.
   */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const now = this.#now();
      const changes = Number(await this.#write('sweep', (db) => {
        db.leases?.deleteExpired.run(now);
        return db.deleteExpired.run(now).changes;
      }));
      deleted += changes;
      if (changes < SWEEP_BATCH_ROWS) return deleted;
    }
  }

  /**
   * Takes the lease `name` for `token` unless another token holds it and its time (by the store's clock) has not
   * passed (the holder's own call extends it to `ttlMs` from now); answers the holder's token. One write
   * transaction: of several processes on the file, one at a time decides. Leases live in their own table (`ahc_leases`): no listing, count or `clear()` sees them. See
   * {@link CacheStore.lease}.
   */
  lease(name: string, token: string, ttlMs: number): Awaitable<string> {
    return this.#write('lease', (db) => {
      const leases = db.leases;
      if (leases === undefined) throw new ReadOnlyError('SqliteStore lease', READ_ONLY_WHY); // only a read-only store has none
      const now = this.#now();
      leases.take.run(name, token, Math.ceil(now + ttlMs), now);
      return String(leases.holder.get(name)?.['token']);
    });
  }

  /** Ends the lease `name` if `token` still holds it (compare and delete, in one statement). */
  release(name: string, token: string): Awaitable<void> {
    return this.#write('release', (db) => {
      db.leases?.release.run(name, token);
    });
  }

  async *keys(): AsyncIterable<string> {
    let after = 0;
    for (;;) {
      const now = this.#now();
      const rows = await this.#run('keys', (db) => db.keysPage.all(after, now));
      for (const row of rows) yield String(row['key']);
      if (rows.length < PAGE_ROWS) return;
      after = numberOf(rows[rows.length - 1], 'id');
    }
  }

  /** Live records in the order they were written, a page at a time; a row that does not decode is deleted and reported. */
  async *entries(): AsyncIterable<CacheRecord> {
    let after = 0;
    for (;;) {
      const now = this.#now();
      const rows = await this.#run('entries', (db) => db.page.all(after, now));
      for (const row of rows) {
        const record = await this.#listed(row);
        if (record !== undefined) yield record;
      }
      if (rows.length < PAGE_ROWS) return;
      after = numberOf(rows[rows.length - 1], 'id');
    }
  }

  /**
   * Live records matching `filter`, from the indexes: the tag table, the URL index (exact URLs and the URL-prefix range,
   * both without scheme, so a superset across http and https), `created_at`. The matching ids are read first, then
   * the records a page of ids at a time, so the caller may delete while it iterates.
   */
  async *find(filter: StoreFilter): AsyncIterable<CacheRecord> {
    const { sql, params } = findQuery(filter, this.#now());
    const ids = await this.#run('find', (db) => db.connection.prepare(sql).all(...params).map((row) => numberOf(row, 'id')));
    for (let start = 0; start < ids.length; start += PAGE_ROWS) {
      const page = JSON.stringify(ids.slice(start, start + PAGE_ROWS));
      const rows = await this.#run('find', (db) => db.getByIds.all(page)); // a row deleted meanwhile is simply absent
      for (const row of rows) {
        const record = await this.#listed(row);
        if (record !== undefined) yield record;
      }
    }
  }

  /** A row of a listing as a record: undefined when expired by now, or corrupt (deleted and reported). */
  async #listed(row: SqliteRow): Promise<CacheRecord | undefined> {
    if (!(numberOf(row, 'expires_at') > this.#now())) return undefined;
    const data = row['data'];
    const decoded = data instanceof Uint8Array ? await decodeRecord(data, nodeCompressor) : { ok: false as const, reason: 'column data is not a blob' };
    if (decoded.ok) return decoded.record;
    const id = numberOf(row, 'id');
    if (!this.readOnly) await this.#write('delete', (db) => db.deleteId.run(id));
    this.#events.emit({ type: 'error', error: new CorruptEntryError(String(row['key']), decoded.reason) });
    return undefined;
  }

  /** Live records: the running total kept by triggers, less the expired rows not yet swept (an index range). */
  async count(): Promise<number> {
    const now = this.#now();
    return this.#run('count', (db) => numberOf(db.totals.get(), 'entries') - numberOf(db.expiredCount.get(now), 'n'));
  }

  /** Bytes of the live records' encodings, keys and URLs (the figure `maxBytes` bounds). */
  async size(): Promise<number> {
    const now = this.#now();
    return this.#run('size', (db) => numberOf(db.totals.get(), 'bytes') - numberOf(db.expiredBytes.get(now), 'n'));
  }

  onEvent(listener: (event: StoreEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  /**
   * Writes pending hit times, stops the sweep and closes the database the store opened (never one passed in). Every
   * later call rejects with a {@link StoreClosedError}. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#touchTimer !== undefined) clearTimeout(this.#touchTimer);
    this.#touchTimer = undefined;
    this.#flushRecency();
    this.#closed = true;
    if (this.#checkpointTimer !== undefined) clearTimeout(this.#checkpointTimer);
    this.#checkpointTimer = undefined;
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    const db = await this.#opening?.catch(() => undefined);
    this.#db = undefined;
    this.#decoded?.clear();
    db?.connection.close();
  }
}

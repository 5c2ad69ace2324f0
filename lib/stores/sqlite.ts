/**
 * SQLite store (`axios-http-cache/sqlite`): a persistent cache in one local file, with no server. Runs on
 * `node:sqlite` where Node has it and on `better-sqlite3` otherwise (`sqlite-driver.ts`).
 *
 * Layout (schema version 1, kept in `ahc_meta`; every name starts with `ahc_`, so the file may hold other tables):
 * ```
 * ahc_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, url, method, created_at, expires_at, used_at, bytes, data BLOB)
 * ahc_tags    (tag, entry_id)  primary key (tag, entry_id), index on entry_id
 * ahc_totals  (entries, bytes) one row, kept by triggers on ahc_entries
 * ahc_meta    (name, value)    'schema_version'
 * ```
 * `data` is the record encoded by `codec.ts` (optionally compressed); `url` is the record's URL without its scheme,
 * indexed, so exact-URL and URL-prefix queries are index ranges; `expires_at`, `created_at` and `used_at` are indexed
 * for the sweep, `olderThan` and eviction. Ids are never reused (AUTOINCREMENT), so an id names one write.
 *
 * Concurrency: WAL journal, so readers never wait for a writer. Every write is one `BEGIN IMMEDIATE` transaction:
 * atomic if the process dies mid-write, and waiting for another writer through SQLite's busy timeout. The busy timeout
 * of one attempt is short (it blocks the thread); a lock still held after it is retried asynchronously until
 * `busyTimeoutMs` has passed, so `SQLITE_BUSY` reaches a caller only after that.
 *
 * Bounds: the write that takes the file over `maxEntries` or `maxBytes` removes expired rows, then the least recently
 * used ones. Hits record their time in memory and write it in one transaction a second later (recency is a hint: a
 * lost batch costs nothing but precision). Expired rows are hidden on read and deleted by an unref'd sweep.
 */
import { CorruptEntryError, EntryTooLargeError, StoreClosedError, StoreVersionError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import { decodeRecord, decodeUncompressedRecord, encodeRecord, type EncodeOptions } from './codec.js';
import { nodeCompressor, nodeEncodeOptions, type StoreCompressionOptions } from './compression-node.js';
import { asError, EventHub } from './event-hub.js';
import { adoptDatabase, isLockError, openSqlite, type SqliteConnection, type SqliteDriverName, type SqliteRow, type SqliteStatement, type SqliteValue } from './sqlite-driver.js';
import type { Awaitable, CacheStore, StoreEvent, StoreFilter } from './store.js';
import { checkStoreOptions, storeOptionError } from './store-options.js';

/** The layout this code writes, and the newest it reads. */
const SCHEMA_VERSION = 1;

const MIB = 1024 * 1024;
/** How long one attempt waits for a lock inside SQLite (blocking the thread) before the store retries asynchronously. */
const ATTEMPT_BUSY_MS = 25;
/** How long hit times wait in memory before they are written in one transaction. */
const RECENCY_FLUSH_MS = 1000;
/** Rows read per statement by listings; rows deleted per transaction by the sweep. */
const PAGE_ROWS = 256;
const SWEEP_BATCH_ROWS = 1000;
/** More exact URLs than this are not put in the query (the cache checks every record anyway). */
const MAX_URLS_IN_QUERY = 500;

const KNOWN_OPTIONS = [
  'path', 'database', 'driver', 'maxEntries', 'maxBytes', 'maxEntryBytes', 'busyTimeoutMs', 'sweepIntervalMs', 'now', 'compressAboveBytes', 'compression',
] as const;

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
  /** Most records in the file; beyond it the least recently used go. @default 100000 */
  readonly maxEntries?: number;
  /** Upper bound of the encoded records' bytes (plus keys and URLs); beyond it the least recently used go. @default 268435456 (256 MiB) */
  readonly maxBytes?: number;
  /** Largest encoded record kept; a larger one is refused with `EntryTooLargeError`. @default maxBytes / 10 */
  readonly maxEntryBytes?: number;
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

/** The statements the store runs, prepared once per connection. */
interface Statements {
  readonly connection: SqliteConnection;
  readonly begin: SqliteStatement;
  readonly commit: SqliteStatement;
  readonly rollback: SqliteStatement;
  readonly get: SqliteStatement;
  readonly getById: SqliteStatement;
  readonly deleteKey: SqliteStatement;
  readonly deleteId: SqliteStatement;
  readonly insert: SqliteStatement;
  readonly insertTag: SqliteStatement;
  readonly totals: SqliteStatement;
  readonly expiredCount: SqliteStatement;
  readonly expiredBytes: SqliteStatement;
  readonly deleteExpired: SqliteStatement;
  readonly leastRecent: SqliteStatement;
  readonly touch: SqliteStatement;
  readonly page: SqliteStatement;
  readonly keysPage: SqliteStatement;
  readonly clearTags: SqliteStatement;
  readonly clearEntries: SqliteStatement;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ahc_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ahc_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS ahc_entries_url ON ahc_entries (url);
CREATE INDEX IF NOT EXISTS ahc_entries_expires ON ahc_entries (expires_at);
CREATE INDEX IF NOT EXISTS ahc_entries_created ON ahc_entries (created_at);
CREATE INDEX IF NOT EXISTS ahc_entries_used ON ahc_entries (used_at);
CREATE TABLE IF NOT EXISTS ahc_tags (tag TEXT NOT NULL, entry_id INTEGER NOT NULL, PRIMARY KEY (tag, entry_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ahc_tags_entry ON ahc_tags (entry_id);
CREATE TABLE IF NOT EXISTS ahc_totals (id INTEGER PRIMARY KEY CHECK (id = 1), entries INTEGER NOT NULL, bytes INTEGER NOT NULL);
INSERT OR IGNORE INTO ahc_totals (id, entries, bytes) VALUES (1, 0, 0);
CREATE TRIGGER IF NOT EXISTS ahc_entries_added AFTER INSERT ON ahc_entries BEGIN
  UPDATE ahc_totals SET entries = entries + 1, bytes = bytes + new.bytes WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS ahc_entries_removed AFTER DELETE ON ahc_entries BEGIN
  UPDATE ahc_totals SET entries = entries - 1, bytes = bytes - old.bytes WHERE id = 1;
  DELETE FROM ahc_tags WHERE entry_id = old.id;
END;
INSERT OR IGNORE INTO ahc_meta (name, value) VALUES ('schema_version', ${SCHEMA_VERSION});
`;

function prepare(connection: SqliteConnection): Statements {
  const p = (sql: string): SqliteStatement => connection.prepare(sql);
  return {
    connection,
    begin: p('BEGIN IMMEDIATE'),
    commit: p('COMMIT'),
    rollback: p('ROLLBACK'),
    get: p('SELECT id, expires_at, data FROM ahc_entries WHERE key = ?'),
    getById: p('SELECT key, expires_at, data FROM ahc_entries WHERE id = ?'),
    deleteKey: p('DELETE FROM ahc_entries WHERE key = ?'),
    deleteId: p('DELETE FROM ahc_entries WHERE id = ?'),
    insert: p('INSERT INTO ahc_entries (key, url, method, created_at, expires_at, used_at, bytes, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id'),
    insertTag: p('INSERT OR IGNORE INTO ahc_tags (tag, entry_id) VALUES (?, ?)'),
    totals: p('SELECT entries, bytes FROM ahc_totals WHERE id = 1'),
    expiredCount: p('SELECT count(*) AS n FROM ahc_entries WHERE expires_at <= ?'),
    expiredBytes: p('SELECT coalesce(sum(bytes), 0) AS n FROM ahc_entries WHERE expires_at <= ?'),
    deleteExpired: p(`DELETE FROM ahc_entries WHERE id IN (SELECT id FROM ahc_entries WHERE expires_at <= ? LIMIT ${SWEEP_BATCH_ROWS})`),
    leastRecent: p(`SELECT id, bytes FROM ahc_entries WHERE id <> ? ORDER BY used_at, id LIMIT ${PAGE_ROWS}`),
    touch: p('UPDATE ahc_entries SET used_at = ? WHERE id = ? AND used_at < ?'),
    page: p(`SELECT id, key, expires_at, data FROM ahc_entries WHERE id > ? AND expires_at > ? ORDER BY id LIMIT ${PAGE_ROWS}`),
    keysPage: p(`SELECT id, key FROM ahc_entries WHERE id > ? AND expires_at > ? ORDER BY id LIMIT ${PAGE_ROWS}`),
    clearTags: p('DELETE FROM ahc_tags'),
    clearEntries: p('DELETE FROM ahc_entries'),
  };
}

/** A record's URL without its scheme and `://`: what `StoreFilter.urlPrefix` is compared with. */
function withoutScheme(url: string): string {
  const at = url.indexOf('://');
  return at === -1 ? url : url.slice(at + 3);
}

/** The smallest string greater than every string starting with `prefix`; undefined when there is none to write. */
function prefixEnd(prefix: string): string | undefined {
  const chars = [...prefix];
  const last = chars.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return undefined;
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1; // UTF-8 orders by code point; skip the surrogates
  return chars.join('') + String.fromCodePoint(next);
}

function numberOf(row: SqliteRow | undefined, column: string): number {
  const value = row?.[column];
  return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : 0;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw storeOptionError('SqliteStore', `option ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
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
  readonly #database: SqliteDatabaseLike | undefined;
  readonly #driver: 'auto' | SqliteDriverName;
  readonly #busyTimeoutMs: number;
  readonly #now: () => number;
  readonly #encoding: EncodeOptions;
  readonly #events = new EventHub();
  #opening: Promise<Statements> | undefined;
  #db: Statements | undefined;
  /** Hit times not yet written: entry id → epoch ms. */
  readonly #touched = new Map<number, number>();
  #touchTimer: ReturnType<typeof setTimeout> | undefined;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
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
    this.maxEntries = positiveInteger('maxEntries', options.maxEntries ?? 100_000);
    this.maxBytes = positiveInteger('maxBytes', options.maxBytes ?? 256 * MIB);
    this.maxEntryBytes = positiveInteger('maxEntryBytes', options.maxEntryBytes ?? Math.max(1, Math.floor(this.maxBytes / 10)));
    if (this.maxEntryBytes > this.maxBytes) throw storeOptionError('SqliteStore', `option maxEntryBytes (${this.maxEntryBytes}) must not exceed maxBytes (${this.maxBytes})`);
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
    if (sweepIntervalMs > 0) {
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
    const connection = this.#database !== undefined ? adoptDatabase(this.#database) : await openSqlite(this.path ?? ':memory:', this.#driver);
    if (connection === undefined) throw storeOptionError('SqliteStore', 'option database is not an open database');
    try {
      connection.exec(`PRAGMA busy_timeout = ${ATTEMPT_BUSY_MS}`);
      const version = await this.#retrying(() => this.#schemaVersion(connection));
      if (version === undefined) {
        await this.#retrying(() => {
          // A new file: WAL first (it needs the only connection), then the tables, in one transaction.
          if (this.path !== ':memory:') connection.exec('PRAGMA journal_mode = WAL');
          connection.exec('BEGIN IMMEDIATE');
          try {
            connection.exec(SCHEMA);
            connection.exec('COMMIT');
          } catch (error) {
            connection.exec('ROLLBACK');
            throw error;
          }
        });
      } else if (version > SCHEMA_VERSION) {
        throw new StoreVersionError('SqliteStore', this.path === undefined ? 'the database passed in' : `the file ${JSON.stringify(this.path)}`, version, SCHEMA_VERSION);
      }
      connection.exec('PRAGMA synchronous = NORMAL');
      return prepare(connection);
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  /** The schema version recorded in the file; undefined when the file has no tables of this store yet. */
  #schemaVersion(connection: SqliteConnection): number | undefined {
    const table = connection.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'ahc_meta'").get();
    if (table === undefined) return undefined;
    const row = connection.prepare("SELECT value FROM ahc_meta WHERE name = 'schema_version'").get();
    return row === undefined ? undefined : numberOf(row, 'value');
  }

  /**
   * Runs `work` (synchronous SQLite calls) until no other connection's lock is in its way, for at most
   * `busyTimeoutMs`: each try waits inside SQLite for a moment, then the store waits asynchronously.
   */
  async #retrying<T>(work: () => T, firstError?: unknown): Promise<T> {
    const deadline = performance.now() + this.#busyTimeoutMs;
    let pause = 2;
    let last = firstError;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 || last !== undefined) {
        if (performance.now() + pause > deadline) throw last;
        await sleep(pause);
        pause = Math.min(pause * 2, 50);
        if (this.#closed) throw new StoreClosedError('SqliteStore', 'operation');
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
    if (db === undefined) return this.#connect(operation).then((opened) => this.#retrying(() => work(opened)));
    try {
      return work(db);
    } catch (error) {
      return isLockError(error) ? this.#retrying(() => work(db), error) : Promise.reject(asError(error));
    }
  }

  /** Runs `work` in one write transaction (`BEGIN IMMEDIATE`), rolled back if it throws. */
  #write<T>(operation: string, work: (db: Statements) => T): Awaitable<T> {
    return this.#run(operation, (db) => {
      db.begin.run();
      try {
        const result = work(db);
        db.commit.run();
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
    const found = this.#run('get', (db) => db.get.get(key));
    return typeof (found as PromiseLike<unknown> | undefined)?.then === 'function'
      ? Promise.resolve(found).then((row) => this.#decodeHit(key, row))
      : this.#decodeHit(key, found as SqliteRow | undefined);
  }

  /** A row read by `get` as a record: undefined when expired, a corrupt row deleted and reported. */
  #decodeHit(key: string, row: SqliteRow | undefined): Awaitable<CacheRecord | undefined> {
    if (row === undefined) return undefined;
    const now = this.#now();
    if (!(numberOf(row, 'expires_at') > now)) return undefined;
    const id = numberOf(row, 'id');
    const data = row['data'];
    const decoded = data instanceof Uint8Array ? decodeUncompressedRecord(data) : { ok: false as const, reason: 'column data is not a blob' };
    if (decoded === undefined) {
      return decodeRecord(data as Uint8Array, nodeCompressor).then((result) => (result.ok ? this.#hit(id, now, result.record) : this.#corrupt(key, result.reason)));
    }
    return decoded.ok ? this.#hit(id, now, decoded.record) : this.#corrupt(key, decoded.reason);
  }

  #hit(id: number, now: number, record: CacheRecord): CacheRecord {
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

  async #corrupt(key: string, reason: string): Promise<never> {
    await this.#write('delete', (db) => db.deleteKey.run(key));
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
    } catch (error) {
      try {
        db.rollback.run();
      } catch {
        // Already rolled back.
      }
      this.#events.emitError(error);
    }
  }

  /** Inside a write transaction: the pending hit times into `used_at`. */
  #writeRecency(db: Statements): void {
    for (const [id, at] of this.#touched) db.touch.run(at, id, at);
    this.#touched.clear();
  }

  async set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    if (this.#closed) throw new StoreClosedError('SqliteStore', 'set');
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
    return this.#write('delete', (db) => {
      db.deleteKey.run(key);
    });
  }

  /** Deletes every record of this store (its `ahc_` tables); other tables of the file stay. */
  async clear(): Promise<void> {
    await this.#write('clear', (db) => {
      db.clearTags.run();
      db.clearEntries.run();
    });
    this.#touched.clear();
  }

  /**
   * Deletes expired rows (in batches of 1000, one transaction each, so other writers get their turn); resolves the
   * number deleted. The interval sweep calls it.
   */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const now = this.#now();
      const changes = Number(await this.#write('sweep', (db) => db.deleteExpired.run(now).changes));
      deleted += changes;
      if (changes < SWEEP_BATCH_ROWS) return deleted;
    }
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
   * each record by its id, so the caller may delete while it iterates.
   */
  async *find(filter: StoreFilter): AsyncIterable<CacheRecord> {
    const where: string[] = ['e.expires_at > ?'];
    const params: SqliteValue[] = [];
    let from = 'ahc_entries e';
    if (filter.tag !== undefined) {
      from = 'ahc_tags t JOIN ahc_entries e ON e.id = t.entry_id';
      where.push('t.tag = ?');
      params.push(filter.tag);
    }
    if (filter.urls !== undefined && filter.urls.length <= MAX_URLS_IN_QUERY) {
      const urls = [...new Set(filter.urls.map(withoutScheme))];
      where.push(urls.length === 0 ? '0' : `e.url IN (${urls.map(() => '?').join(', ')})`);
      params.push(...urls);
    }
    if (filter.urlPrefix !== undefined && filter.urlPrefix !== '') {
      where.push('e.url >= ?');
      params.push(filter.urlPrefix);
      const end = prefixEnd(filter.urlPrefix);
      if (end !== undefined) {
        where.push('e.url < ?');
        params.push(end);
      }
    }
    if (filter.method !== undefined) {
      where.push('e.method = ?');
      params.push(filter.method);
    }
    if (filter.createdBefore !== undefined) {
      where.push('e.created_at < ?');
      params.push(filter.createdBefore);
    }
    const sql = `SELECT e.id AS id FROM ${from} WHERE ${where.join(' AND ')}`;
    const now = this.#now();
    const ids = await this.#run('find', (db) => db.connection.prepare(sql).all(now, ...params).map((row) => numberOf(row, 'id')));
    for (const id of ids) {
      const row = await this.#run('find', (db) => db.getById.get(id));
      if (row === undefined) continue; // deleted meanwhile
      const record = await this.#listed({ ...row, id });
      if (record !== undefined) yield record;
    }
  }

  /** A row of a listing as a record: undefined when expired by now, or corrupt (deleted and reported). */
  async #listed(row: SqliteRow): Promise<CacheRecord | undefined> {
    if (!(numberOf(row, 'expires_at') > this.#now())) return undefined;
    const data = row['data'];
    const decoded = data instanceof Uint8Array ? await decodeRecord(data, nodeCompressor) : { ok: false as const, reason: 'column data is not a blob' };
    if (decoded.ok) return decoded.record;
    const id = numberOf(row, 'id');
    await this.#write('delete', (db) => db.deleteId.run(id));
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
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    const db = await this.#opening?.catch(() => undefined);
    this.#db = undefined;
    db?.connection.close();
  }
}

/**
 * The SQL of `SqliteStore`: the file's layout (schema version 2) and every statement the store runs, including the
 * query a `find(filter)` becomes. Kept apart from the store so that the test suite can ask SQLite for each query's
 * plan (`EXPLAIN QUERY PLAN`) and check that listings and deletions by query search an index instead of scanning.
 *
 * Layout (every name starts with `ahc_`, so the file may hold other tables):
 * ```
 * ahc_meta    (name, value)    'schema_version' → 2
 * ahc_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, url, method, created_at, expires_at, used_at, bytes, data BLOB)
 * ahc_tags    (tag, entry_id)  primary key (tag, entry_id), index on entry_id
 * ahc_totals  (entries, bytes) one row, kept by the triggers on ahc_entries
 * ahc_leases  (name PRIMARY KEY, token, until)  leases of `dedupe: 'store'` (version 2), apart from the entries
 * ```
 */
import type { SqliteValue } from './sqlite-driver.js';
import type { StoreFilter } from './store.js';

/** The layout this code writes, and the newest it reads. */
export const SCHEMA_VERSION = 2;
/** Rows per page of a listing; rows per transaction of the sweep. */
export const PAGE_ROWS = 256;
export const SWEEP_BATCH_ROWS = 1000;
/** More exact URLs than this are left out of a query (a superset is allowed: the cache checks every record). */
const MAX_URLS_IN_QUERY = 500;

/** The leases of `dedupe: 'store'`: one row per lease held, until its time (the store's clock, epoch ms) has passed. */
const LEASES_TABLE = 'CREATE TABLE IF NOT EXISTS ahc_leases (name TEXT PRIMARY KEY, token TEXT NOT NULL, until INTEGER NOT NULL) WITHOUT ROWID;';

/** Creates what is missing, in one transaction run by the store; a file that has it all is left as it is. */
export const SCHEMA = `
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
${LEASES_TABLE}
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

/**
 * What brings a file of an older schema version up to the next one (the key: the version it has), each run in one
 * write transaction by the store when it opens the file. Version 1 had no lease table.
 */
export const MIGRATIONS: Readonly<Record<number, string>> = {
  1: `${LEASES_TABLE}\nUPDATE ahc_meta SET value = 2 WHERE name = 'schema_version' AND value = 1;`,
};

/** Whether the file has this store's tables, and which schema version it says it has. */
export const HAS_META = "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'ahc_meta'";
export const READ_VERSION = "SELECT value FROM ahc_meta WHERE name = 'schema_version'";

/** Every statement the store prepares, by name. */
export const STATEMENTS = {
  begin: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  /** A hit reads the row's head first (its data only when the decoded record is not already in memory). */
  get: 'SELECT id, expires_at, bytes FROM ahc_entries WHERE key = ?',
  getData: 'SELECT data FROM ahc_entries WHERE id = ?',
  /** The rows of a JSON array of ids (one statement for a page of `find` results). */
  getByIds: 'SELECT id, key, expires_at, data FROM ahc_entries WHERE id IN (SELECT value FROM json_each(?))',
  deleteKey: 'DELETE FROM ahc_entries WHERE key = ?',
  deleteId: 'DELETE FROM ahc_entries WHERE id = ?',
  insert: 'INSERT INTO ahc_entries (key, url, method, created_at, expires_at, used_at, bytes, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
  insertTag: 'INSERT OR IGNORE INTO ahc_tags (tag, entry_id) VALUES (?, ?)',
  totals: 'SELECT entries, bytes FROM ahc_totals WHERE id = 1',
  expiredCount: 'SELECT count(*) AS n FROM ahc_entries WHERE expires_at <= ?',
  expiredBytes: 'SELECT coalesce(sum(bytes), 0) AS n FROM ahc_entries WHERE expires_at <= ?',
  deleteExpired: `DELETE FROM ahc_entries WHERE id IN (SELECT id FROM ahc_entries WHERE expires_at <= ? LIMIT ${SWEEP_BATCH_ROWS})`,
  leastRecent: `SELECT id, bytes FROM ahc_entries WHERE id <> ? ORDER BY used_at, id LIMIT ${PAGE_ROWS}`,
  touch: 'UPDATE ahc_entries SET used_at = ? WHERE id = ? AND used_at < ?',
  page: `SELECT id, key, expires_at, data FROM ahc_entries WHERE id > ? AND +expires_at > ? ORDER BY id LIMIT ${PAGE_ROWS}`,
  keysPage: `SELECT id, key FROM ahc_entries WHERE id > ? AND +expires_at > ? ORDER BY id LIMIT ${PAGE_ROWS}`,
  clearTags: 'DELETE FROM ahc_tags',
  clearEntries: 'DELETE FROM ahc_entries',
} as const;

/** The statements of leases, prepared only by a store that writes (a read-only store may read a version 1 file, which has no lease table). */
export const LEASE_STATEMENTS = {
  /**
   * Takes the lease `name` when no one holds it or its holder's time has passed, or extends it when `token` holds it
   * (a leader renewing) (name, token, until, now).
   */
  take: 'INSERT INTO ahc_leases (name, token, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET token = excluded.token, until = excluded.until WHERE ahc_leases.until <= ? OR ahc_leases.token = excluded.token',
  holder: 'SELECT token FROM ahc_leases WHERE name = ?',
  release: 'DELETE FROM ahc_leases WHERE name = ? AND token = ?',
  deleteExpired: 'DELETE FROM ahc_leases WHERE until <= ?',
} as const;

/** A record's URL without its scheme and `://`: what `StoreFilter.urlPrefix` is compared with. */
export function withoutScheme(url: string): string {
  const at = url.indexOf('://');
  return at === -1 ? url : url.slice(at + 3);
}

/**
 * The smallest string greater than every string starting with `prefix` (its last character, past trailing U+10FFFF,
 * moved up by one); undefined when there is none (only U+10FFFF).
 */
function prefixEnd(prefix: string): string | undefined {
  const chars = [...prefix];
  for (let last = chars.pop(); last !== undefined; last = chars.pop()) {
    const code = last.codePointAt(0) ?? 0;
    if (code < 0x10ffff) return chars.join('') + String.fromCodePoint(code + 1 === 0xd800 ? 0xe000 : code + 1); // UTF-8 orders by code point; no surrogates
  }
  return undefined;
}

/**
 * The query of `find(filter)`: the ids of the live rows matching the filter's indexable fields (`now` is its first
 * parameter). Tag through the tag table; exact URLs and the URL prefix through the URL index (both without scheme, so
 * http and https alike: a superset); createdBefore through `created_at`; method only narrows. Live-ness is checked
 * with `+expires_at`, which keeps SQLite from choosing the expiry index over a more selective one.
 */
export function findQuery(filter: StoreFilter, now: number): { readonly sql: string; readonly params: SqliteValue[] } {
  const where: string[] = ['+e.expires_at > ?'];
  const params: SqliteValue[] = [now];
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
  return { sql: `SELECT e.id AS id FROM ${from} WHERE ${where.join(' AND ')}`, params };
}

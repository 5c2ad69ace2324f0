/**
 * The one file that knows which SQLite library `SqliteStore` runs on: Node's built-in `node:sqlite` where the running
 * Node has it (22.13 and later, or 22.5 with `--experimental-sqlite`), else the optional peer dependency
 * `better-sqlite3`. Both are synchronous and answer the same small interface below, so the store's code is one.
 */
import { Buffer } from 'node:buffer';
import { storeOptionError } from './store-options.js';

/** A value bound to, or read from, a statement. Blobs are read as a `Uint8Array` (a `Buffer` with better-sqlite3). */
export type SqliteValue = number | bigint | string | Uint8Array | null;
export type SqliteRow = Readonly<Record<string, SqliteValue>>;

export interface SqliteStatement {
  run(...params: SqliteValue[]): { readonly changes: number | bigint };
  get(...params: SqliteValue[]): SqliteRow | undefined;
  all(...params: SqliteValue[]): SqliteRow[];
}

export interface SqliteConnection {
  /** Which library answers. */
  readonly driver: SqliteDriverName;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

/** What both libraries' database objects have, as the store calls them. */
interface DatabaseLike {
  exec(sql: string): unknown;
  prepare(sql: string): StatementLike;
  close(): unknown;
}

interface StatementLike {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => DatabaseLike;
}

type BetterSqliteConstructor = new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => DatabaseLike;

/** `node:sqlite`, when this Node has it (without asking for an experimental flag), else undefined. */
function builtInSqlite(): NodeSqliteModule | undefined {
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  try {
    const found = getBuiltinModule?.call(process, 'node:sqlite') as Partial<NodeSqliteModule> | undefined;
    return typeof found?.DatabaseSync === 'function' ? found as NodeSqliteModule : undefined;
  } catch {
    return undefined; // 22.5 to 22.12 without --experimental-sqlite
  }
}

/** The driver `auto` picks on this Node. */
export function defaultDriver(): SqliteDriverName {
  return builtInSqlite() === undefined ? 'better-sqlite3' : 'node:sqlite';
}

/** better-sqlite3 binds blobs only as a Buffer: a Uint8Array becomes a Buffer over the same memory. */
function asBetterSqliteParam(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

function wrap(database: DatabaseLike, driver: SqliteDriverName, owned: boolean): SqliteConnection {
  const convert = driver === 'better-sqlite3';
  return {
    driver,
    exec: (sql) => {
      database.exec(sql);
    },
    prepare: (sql) => {
      const statement = database.prepare(sql);
      if (!convert) return statement as SqliteStatement;
      return {
        run: (...params) => statement.run(...params.map(asBetterSqliteParam)),
        get: (...params) => statement.get(...params.map(asBetterSqliteParam)) as SqliteRow | undefined,
        all: (...params) => statement.all(...params.map(asBetterSqliteParam)) as SqliteRow[],
      };
    },
    close: () => {
      if (owned) database.close();
    },
  };
}

/**
 * Opens `path` (`':memory:'` allowed) with `driver`; `readOnly` opens an existing file for reading only (SQLite then
 * refuses every write). Rejects with a TypeError saying what to install when better-sqlite3 is wanted and missing.
 */
export async function openSqlite(path: string, driver: SqliteDriverName | 'auto', readOnly = false): Promise<SqliteConnection> {
  const chosen = driver === 'auto' ? defaultDriver() : driver;
  if (chosen === 'node:sqlite') {
    const builtIn = builtInSqlite();
    if (builtIn === undefined) throw storeOptionError('SqliteStore', `option driver 'node:sqlite' needs Node 22.13 or later (this is Node ${process.versions.node}); use driver 'better-sqlite3' or 'auto'`);
    return wrap(new builtIn.DatabaseSync(path, { readOnly }), 'node:sqlite', true);
  }
  let loaded: { default?: unknown };
  try {
    loaded = await import('better-sqlite3');
  } catch {
    throw storeOptionError('SqliteStore', `needs the package better-sqlite3 on Node ${process.versions.node} (node:sqlite comes with Node 22.13 and later): npm install better-sqlite3`);
  }
  const Database = (loaded.default ?? loaded) as BetterSqliteConstructor;
  // timeout 0: the store sets busy_timeout itself, the same way for both drivers.
  return wrap(new Database(path, { timeout: 0, readonly: readOnly, fileMustExist: readOnly }), 'better-sqlite3', true);
}

/**
 * An open database the user passes in: a better-sqlite3 `Database` or a `node:sqlite` `DatabaseSync`, told apart by
 * better-sqlite3's `pragma()` method. Never closed by the store. Undefined when `value` is neither.
 */
export function adoptDatabase(value: unknown): SqliteConnection | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate['prepare'] !== 'function' || typeof candidate['exec'] !== 'function' || typeof candidate['close'] !== 'function') return undefined;
  return wrap(value as DatabaseLike, typeof candidate['pragma'] === 'function' ? 'better-sqlite3' : 'node:sqlite', false);
}

/** SQLite's primary result code of a driver error (5 SQLITE_BUSY, 6 SQLITE_LOCKED, ...), from either library. */
export function sqliteResultCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (typeof errcode === 'number') return PRIMARY_CODES[errcode & 0xff]; // node:sqlite: code 'ERR_SQLITE_ERROR', errcode the number
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return code.split('_').slice(0, 2).join('_'); // better-sqlite3: SQLITE_BUSY_SNAPSHOT
  return undefined;
}

const PRIMARY_CODES: Readonly<Record<number, string>> = {
  5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED', 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT', 13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 26: 'SQLITE_NOTADB',
};

/** True for a lock another connection holds (SQLITE_BUSY, SQLITE_LOCKED and their extended codes): worth a retry. */
export function isLockError(error: unknown): boolean {
  const code = sqliteResultCode(error);
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

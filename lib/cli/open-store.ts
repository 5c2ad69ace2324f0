/**
 * Opens the store a command line names: a SQLite file, a Redis URL or a MongoDB URL. Each store module is loaded only
 * when asked for, so the CLI needs only the driver of the store it opens; a missing driver is named, with how to
 * install it. Connections give up after a few seconds instead of retrying for ever.
 */
import { existsSync } from 'node:fs';
import type { CacheStore } from '../stores/store.js';
import type { CommandName, StoreTarget } from './args.js';
import { commandWrites, UsageError } from './args.js';

/** How long the CLI waits for a server before it says so. */
const CONNECT_TIMEOUT_MS = 5000;

export interface OpenedStore {
  readonly store: CacheStore;
  /** What the store is, for messages: `SQLite file ./cache.db`, `Redis redis://… prefix p`. */
  readonly description: string;
  readonly close: () => Promise<void>;
}

async function load<T>(what: string, driver: string, loader: () => Promise<T>): Promise<T> {
  try {
    return await loader();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new UsageError(`opening ${what} needs the ${driver} package: npm install ${driver}`);
    }
    throw error;
  }
}

/** The database a MongoDB URL names (`mongodb://host/db`), if any. */
function databaseOf(url: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/i.exec(url);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/** Query parameters whose value is a secret, as connection strings spell them. */
const SECRET_PARAM = /([?&](?:[^=&#]*(?:pass|pwd|secret|token|key|auth|credential)[^=&#]*)=)[^&#]*/gi;

/**
 * A store URL fit for messages: the userinfo (user and password) and the values of password-like query parameters
 * are replaced with `***`, so that a message, a log line or a terminal never shows a credential.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z\d+\-.]*:\/\/)[^/?#]*@/i, '$1***@').replace(SECRET_PARAM, '$1***');
}

/**
 * Opens the store `command` works on. A missing SQLite file is created for `import` and refused for the others; the
 * commands that only read (list, show, count, export) open it read-only, so that inspecting a cache never changes it.
 */
export async function openStore(target: StoreTarget, command: CommandName): Promise<OpenedStore> {
  const { location } = target;
  const shown = redactUrl(location);
  if (/^rediss?:\/\//i.test(location)) {
    const { RedisStore } = await load('a Redis store', 'ioredis', () => import('../stores/redis.js'));
    const prefix = target.prefix ?? 'axios-http-cache';
    const store = new RedisStore({ url: location, prefix, redisOptions: { connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null } });
    return { store, description: `Redis ${shown} (prefix ${prefix})`, close: () => store.close() };
  }
  if (/^mongodb(?:\+srv)?:\/\//i.test(location)) {
    const { MongoStore } = await load('a MongoDB store', 'mongodb', () => import('../stores/mongodb.js'));
    const dbName = target.db ?? databaseOf(location) ?? 'axios-http-cache';
    const collectionName = target.collection ?? 'http_cache';
    const store = new MongoStore({ url: location, dbName, collectionName, clientOptions: { serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS } });
    return { store, description: `MongoDB ${shown} (db ${dbName}, collection ${collectionName})`, close: () => store.close() };
  }
  if (/^[a-z][a-z\d+\-.]*:\/\//i.test(location)) {
    throw new UsageError(`unknown store ${JSON.stringify(shown)}: give a SQLite file path, a redis:// URL or a mongodb:// URL`);
  }
  if (command !== 'import' && !existsSync(location)) throw new UsageError(`no SQLite file at ${location} (import creates one; the other commands read an existing file)`);
  const { SqliteStore } = await load('a SQLite file', 'better-sqlite3', () => import('../stores/sqlite.js'));
  const store = new SqliteStore({ path: location, sweepIntervalMs: 0, readOnly: !commandWrites(command) });
  return { store, description: `SQLite file ${location}`, close: () => store.close() };
}

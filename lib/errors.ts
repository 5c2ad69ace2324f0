/** A thrown value as an Error: itself when it is one, else wrapped with its string form. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

const MESSAGE_PREFIX = 'axios-http-cache: ';

/** Base class of every error this library creates. `code` is stable across versions. */
export class CacheError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    // One prefix for every message of this library, so a log line says where it came from.
    super(message.startsWith(MESSAGE_PREFIX) ? message : MESSAGE_PREFIX + message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A store held data that does not decode as a record of this format version. */
export class CorruptEntryError extends CacheError {
  readonly key: string;
  constructor(key: string, reason: string, options?: { cause?: unknown }) {
    super('ECACHE_CORRUPT', `cache entry ${JSON.stringify(key)} is unreadable: ${reason}`, options);
    this.key = key;
  }
}

/** A store operation failed (connection lost, server error, ...). */
export class StoreError extends CacheError {
  readonly operation: string;
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super('ECACHE_STORE', `cache store ${operation} failed: ${message}`, options);
    this.operation = operation;
  }
}

/** A store operation took longer than the configured `storeTimeoutMs`. */
export class StoreTimeoutError extends CacheError {
  readonly operation: string;
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number) {
    super('ECACHE_TIMEOUT', `cache store ${operation} timed out after ${timeoutMs} ms`);
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A store was used after its `close()`: it holds no connection any more and answers every operation with this
 * error. Through `attachCache` that is a miss plus an `error` event (never a cool-down: the store is not
 * unreachable, it is finished). Create a new store, or close a store only after `detachCache()`.
 */
export class StoreClosedError extends CacheError {
  /** The store's class name, e.g. `RedisStore`. */
  readonly store: string;
  readonly operation: string;
  constructor(store: string, operation: string) {
    super('ECACHE_CLOSED', `axios-http-cache: ${store}.${operation}() was called after ${store}.close(); a closed store answers nothing. Create a new ${store}, or call close() only once the cache is done (after detachCache())`);
    this.store = store;
    this.operation = operation;
  }
}

/** A record too large for the store's entries (a MongoDB document holds 16 MiB, a Redis string 512 MiB): not stored. */
export class EntryTooLargeError extends CacheError {
  readonly key: string;
  readonly bytes: number;
  readonly limitBytes: number;
  constructor(key: string, bytes: number, limitBytes: number) {
    super('ECACHE_TOO_LARGE', `cache entry ${JSON.stringify(key)} was not stored: ${bytes} bytes encoded, the store holds at most ${limitBytes}`);
    this.key = key;
    this.bytes = bytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * A store's data was laid out by a newer version of this library than the one reading it (a SQLite file's schema
 * version). Not corruption: nothing is deleted. Upgrade the library, or give this version a store of its own.
 */
export class StoreVersionError extends CacheError {
  readonly store: string;
  /** The version the data says it has. */
  readonly foundVersion: number;
  /** The newest version this copy of the library reads. */
  readonly supportedVersion: number;
  constructor(store: string, where: string, foundVersion: number, supportedVersion: number) {
    super('ECACHE_STORE_VERSION', `${store}: ${where} was written by a newer axios-http-cache (schema version ${foundVersion}; this version reads up to ${supportedVersion}). Nothing was changed in it. Upgrade axios-http-cache in this program, or give it another file (a cache file can also be deleted: it holds only copies)`);
    this.store = store;
    this.foundVersion = foundVersion;
    this.supportedVersion = supportedVersion;
  }
}

/**
 * A deletion the store could not take now (it failed, or the store is cooling down after a failure). The cache
 * keeps the key, reads it as a miss meanwhile, and deletes it as soon as the store answers again.
 */
export class DeferredDeleteError extends CacheError {
  readonly key: string;
  constructor(key: string, reason: string, options?: { cause?: unknown }) {
    super('ECACHE_DEFERRED', `cache entry ${JSON.stringify(key)} could not be deleted now (${reason}); it reads as a miss until the store takes the deletion`, options);
    this.key = key;
  }
}

/** Store keys named in the message of an {@link IncompleteDeletionError}; the error's `pendingKeys` holds them all. */
const NAMED_PENDING_KEYS = 3;

/**
 * A deletion by query (`cache.delete(query)`, a request's `cache.invalidate`) that did not delete everything it
 * matched: some deletions failed (they are kept as deferred deletions: each key reads as a miss in this process and
 * is deleted once the store answers again, with a {@link DeferredDeleteError} event each), or listing the store
 * failed part way (`cause`), so matching entries may remain. `deleted` entries were deleted.
 */
export class IncompleteDeletionError extends CacheError {
  readonly operation: string;
  /** Entries deleted (each with a `deleted` event). */
  readonly deleted: number;
  /** Store keys whose deletion failed and is retried later. */
  readonly pendingKeys: readonly string[];
  /** False when listing the store failed part way: entries not listed yet may match and remain. */
  readonly listed: boolean;
  constructor(operation: string, deleted: number, pendingKeys: readonly string[], listingError?: unknown) {
    const parts = [`${operation} is incomplete: ${deleted} ${deleted === 1 ? 'entry' : 'entries'} deleted`];
    if (listingError !== undefined) {
      parts.push(`listing the store failed part way (${asError(listingError).message}), so entries not listed yet may still match`);
    }
    if (pendingKeys.length > 0) {
      const named = pendingKeys.slice(0, NAMED_PENDING_KEYS).map((key) => JSON.stringify(key)).join(', ');
      const more = pendingKeys.length > NAMED_PENDING_KEYS ? ` and ${pendingKeys.length - NAMED_PENDING_KEYS} more` : '';
      parts.push(`${pendingKeys.length} store ${pendingKeys.length === 1 ? 'key' : 'keys'} could not be deleted now (${named}${more}): they read as misses in this process and their deletion is retried (a DeferredDeleteError event each); other processes may still read them until then`);
    }
    super('ECACHE_INCOMPLETE', `${parts.join('; ')}. Run the deletion again to finish it`, listingError === undefined ? undefined : { cause: listingError });
    this.operation = operation;
    this.deleted = deleted;
    this.pendingKeys = pendingKeys;
    this.listed = listingError === undefined;
  }
}

/** A management call that would write to or delete from the store of a cache attached with `readOnly: true`. */
export class ReadOnlyError extends CacheError {
  readonly operation: string;
  /** `why` says what is read-only and what to do instead; by default, a cache attached with `readOnly: true`. */
  constructor(operation: string, why = 'this cache was attached with readOnly: true, which never writes to or deletes from its store; attach another cache without readOnly to change it') {
    super('ECACHE_READ_ONLY', `${operation} refused: ${why}`);
    this.operation = operation;
  }
}

/**
 * `cache.import()` stopped part-way: the store did not take an entry (a failed write, or one that outlasted
 * `storeTimeoutMs`), or reading the source failed. Entries before `position` are in the store, so an import resumes
 * with the entries from `position` on (writing an entry again replaces it: resuming from there is safe). The cause is
 * the store's error, the StoreTimeoutError, or the source's error.
 */
export class ImportError extends CacheError {
  /** Entries the store took before the import stopped. */
  readonly imported: number;
  /** Position (from 1, counting every entry or line of the source) of the first entry not known to be written. */
  readonly position: number;
  constructor(imported: number, position: number, reason: string, options?: { cause?: unknown }) {
    const entries = `${imported} ${imported === 1 ? 'entry was' : 'entries were'}`;
    super('ECACHE_IMPORT', `cache.import() stopped at entry ${position}: ${reason}; ${entries} imported, every entry before ${position} among them: resume from entry ${position}`, options);
    this.imported = imported;
    this.position = position;
  }
}

/** Error codes of a connection that could not be made or was lost (Node's socket errors). */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ENOTCONN',
]);

/** Driver errors of a lost or missing connection: MongoDB's network, selection and closed-client errors, ioredis' retry limit. */
const CONNECTION_ERROR_NAMES: ReadonlySet<string> = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoTopologyClosedError', 'MongoNotConnectedError', 'MongoPoolClearedError',
  'MaxRetriesPerRequestError',
]);

/** ioredis and other clients say so in words: "Connection is closed.", "Stream isn't writeable...". */
const CONNECTION_MESSAGE = /\bconnection (?:is )?(?:closed|lost|reset|refused)\b|stream isn't writeable|socket (?:closed|hang up)/i;

/**
 * True when a store failure means the store cannot be reached now (a timeout, a refused, reset or closed
 * connection), so the cache leaves it alone for a moment. False for everything a reachable store answers,
 * such as a refused write (`READONLY`, `OOM command not allowed`, `NOPERM`), an oversized or unreadable entry:
 * the store keeps serving the operations it can. The one place store errors are classified.
 */
export function isUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof StoreTimeoutError) return true;
    if (isClosedStore(current)) return false; // closed for good: waiting would not bring it back
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (CONNECTION_ERROR_NAMES.has(current.name) || CONNECTION_MESSAGE.test(current.message)) return true;
  }
  return false;
}

/** True for a store used after its `close()` (a StoreClosedError, of this copy of the library or another): it never answers again. */
export function isClosedStore(error: unknown): boolean {
  return error instanceof StoreClosedError || (error instanceof Error && (error as { code?: unknown }).code === 'ECACHE_CLOSED');
}

/**
 * A store's failure of `operation` as this library's error: the library's own errors (a `CacheError`, or an
 * `ECACHE_` code from another copy of the library) as they are, anything else a `StoreError` with it as cause.
 */
export function asStoreError(operation: string, error: unknown): Error {
  if (error instanceof CacheError) return error;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ECACHE_')) return error;
  return new StoreError(operation, error instanceof Error ? error.message : String(error), { cause: error });
}

/** A thrown value as an Error: itself when it is one, else wrapped with its string form. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Base class of every error this library creates. `code` is stable across versions. */
export class CacheError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
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

/**
 * Decoded records by store key, each valid only while the store answers the very bytes it was decoded from.
 *
 * A store that keeps encoded records (Redis) reads the whole entry on every hit and would decode it again each time.
 * A hot key answers the same bytes over and over: comparing them with the bytes decoded last time (a `memcmp`) costs a
 * fraction of decoding them, and gives back what decoding them gave. Any change in the stored bytes, however small, is
 * a miss here and a fresh decode.
 *
 * The memo keeps a record object nobody else has, and each recall answers a shallow copy of it (records are never
 * changed, by the cache or by anyone): what the cache keeps beside a record object (its frozen data, through
 * `retain`) is counted by the store that answered that object, so a record a tiered store's near tier has let go of
 * must not come back from here with that data still attached.
 *
 * Bounded in bytes (each entry counts the copy of its bytes and the estimated size of its record, so a compressed
 * entry counts what it decodes to), least recently used out first; entries larger than a sixteenth of the budget are
 * not kept.
 */
import type { CacheRecord } from '../record.js';
import { ByteBudgetLru } from './byte-budget-lru.js';
import { estimateRecordBytes } from './memory.js';

interface Decoded {
  /** A copy of the bytes decoded: a client may hand out views of a buffer it reuses. */
  readonly bytes: Uint8Array;
  readonly record: CacheRecord;
  /** The record's write stamp, when it has one a store can read back. */
  readonly stamp: string | undefined;
  /** What the entry counts against the budget. */
  readonly cost: number;
}

/** Default budget of a store's memo of decoded records. */
export const DECODED_MEMO_BYTES = 1024 * 1024;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  // Node's Buffer compares with memcmp; elsewhere, byte by byte.
  const compare = (a as { equals?: (other: Uint8Array) => boolean }).equals;
  if (typeof compare === 'function') return compare.call(a, b);
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class DecodedMemo {
  readonly #entries: ByteBudgetLru<Decoded>;
  readonly #budgetBytes: number;

  /** `budgetBytes` 0 keeps nothing. */
  constructor(budgetBytes: number) {
    this.#budgetBytes = budgetBytes;
    this.#entries = new ByteBudgetLru<Decoded>(budgetBytes);
  }

  /**
   * A copy of the record decoded earlier from exactly `bytes` under `key`, with its stamp; undefined when there is none
   * (then decode, and {@link keep} what it gives).
   */
  recall(key: string, bytes: Uint8Array): { readonly record: CacheRecord; readonly stamp: string | undefined } | undefined {
    if (this.#entries.size === 0) return undefined;
    const known = this.#entries.peek(key);
    if (known === undefined) return undefined;
    if (!sameBytes(bytes, known.bytes)) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.touch(key, known);
    return { record: { ...known.record }, stamp: known.stamp };
  }

  /** Remembers what `bytes` decoded to under `key` (a copy of the bytes is kept; the record is never handed out itself). */
  keep(key: string, bytes: Uint8Array, record: CacheRecord, stamp: string | undefined): void {
    const cost = bytes.byteLength + estimateRecordBytes(record);
    if (cost * 16 > this.#budgetBytes) return;
    this.#entries.set(key, { bytes: new Uint8Array(bytes), record: { ...record }, stamp, cost });
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

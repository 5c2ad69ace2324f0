/** Record builders shared by the store tests. No `node:` imports: the contract suite is bundled for browsers. */
import type { CacheRecord, CachedBody } from '../../lib/record.js';

export interface RecordOverrides {
  readonly url?: string;
  readonly body?: CachedBody;
  readonly headers?: Record<string, string>;
  readonly expiresAt?: number;
  readonly tags?: readonly string[];
  readonly vary?: readonly string[];
  readonly varyValues?: readonly (string | null)[];
  readonly varyEpoch?: number;
  readonly ttlMs?: number;
}

/** A plausible record for `key`, its body naming the key so mix-ups show. */
export function makeRecord(key: string, now: number, overrides: RecordOverrides = {}): CacheRecord {
  return {
    v: 1,
    key,
    method: 'GET',
    url: overrides.url ?? `https://api.example.test/items?id=${encodeURIComponent(key)}`,
    status: 200,
    statusText: 'OK',
    headers: overrides.headers ?? { 'content-type': 'application/json', 'cache-control': 'max-age=60', etag: `"${key}"` },
    body: overrides.body ?? { type: 'text', text: JSON.stringify({ key }) },
    ...(overrides.vary !== undefined ? { vary: overrides.vary } : {}),
    ...(overrides.varyValues !== undefined ? { varyValues: overrides.varyValues } : {}),
    requestTime: now - 5,
    responseTime: now,
    createdAt: now,
    expiresAt: overrides.expiresAt ?? now + 60_000,
    ...(overrides.varyEpoch !== undefined ? { varyEpoch: overrides.varyEpoch } : {}),
    ...(overrides.ttlMs !== undefined ? { ttlMs: overrides.ttlMs } : {}),
    ...(overrides.tags !== undefined ? { tags: overrides.tags } : {}),
  };
}

/** Bytes 0..255 repeated to `length`, so every byte value appears (including 0x00 and 0xff). */
export function allByteValues(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  return bytes;
}

/** A text mixing scripts, emoji (surrogate pairs), combining marks, NUL and a BOM. */
export const UNICODE_TEXT = 'Grüße, 東京 🚀👩🏽‍💻 e\u0301 \u0000 \ufeff "quoted" \\ $dollar.dot';

/** Normalises a record for deep comparison (Buffer vs Uint8Array, header object prototypes); keeps the body's `as`. */
export function comparable(record: CacheRecord | undefined): unknown {
  if (record === undefined) return undefined;
  const { body: stored } = record;
  const body = stored.type === 'binary'
    ? { type: 'binary', bytes: Array.from(stored.bytes), ...(stored.as !== undefined ? { as: stored.as } : {}) }
    : stored;
  return { ...record, headers: { ...record.headers }, body };
}

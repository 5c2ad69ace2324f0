/**
 * Versioned, binary-safe encoding of a {@link CacheRecord} to bytes, shared by the Redis and Mongo
 * stores (and usable by browser stores: no `node:` imports here; compression is passed in).
 *
 * Layout (all integers big-endian):
 * ```
 * offset 0  2 bytes  magic 0xAC 0x48
 *        2  1 byte   codec version (CODEC_VERSION)
 *        3  1 byte   compression: 0 none, 1 gzip, 2 brotli (applies to everything after byte 3)
 *  then (possibly compressed):
 *        0  1 byte   body kind: 0 UTF-8 text after the metadata, 1 raw bytes after the metadata,
 *                    2 text held inside the metadata (`t`, for strings that are not well-formed UTF-16)
 *        1  4 bytes  metadata length N
 *        5  4 bytes  body length B (the payload must be exactly 9 + N + B bytes: truncation shows)
 *        9  N bytes  metadata: the record without its body, as UTF-8 JSON (plus `a`, a binary body's `as`),
 *                    starting with `{"n":"<16 hex digits>"`: a stamp drawn at random for each write, so that a store
 *                    can tell whether the entry it read before is still the one stored by reading its first
 *                    {@link STAMPED_HEAD_BYTES} bytes (readers that know no stamp ignore the field)
 *      9+N  B bytes  body bytes
 * ```
 * Header names and values live inside the JSON string, never as field names of a database document.
 */
import { RECORD_FORMAT_VERSION, type CacheRecord, type CachedBody } from '../record.js';
import { isBinaryKind, isObject, recordFieldsProblem, type Fields } from './record-shape.js';

export const CODEC_VERSION = 1;
const MAGIC_0 = 0xac;
const MAGIC_1 = 0x48;
const OUTER_HEADER_BYTES = 4;
const INNER_HEADER_BYTES = 9;

export type CompressionAlgorithm = 'gzip' | 'brotli';
const COMPRESSION_IDS: Readonly<Record<CompressionAlgorithm, number>> = { gzip: 1, brotli: 2 };
const COMPRESSION_BY_ID: readonly (CompressionAlgorithm | undefined)[] = [undefined, 'gzip', 'brotli'];

/**
 * The most a compressed record may decompress to. A record larger than this is stored uncompressed (the store's own
 * size limit then applies to it), so a compressed entry that expands past it was not written by this codec: it is
 * read as corrupt after at most this many bytes of output, however much it would expand (a decompression bomb).
 */
export const MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;

/** Compression provided by the host (see `compression-node.ts`); async so large bodies do not block. */
export interface Compressor {
  compress(algorithm: CompressionAlgorithm, data: Uint8Array): Promise<Uint8Array>;
  /** Rejects, having produced at most about `maxBytes` of output, when `data` decompresses to more than `maxBytes`. */
  decompress(algorithm: CompressionAlgorithm, data: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

export interface EncodeOptions {
  /** Compress when the uncompressed payload is larger than this many bytes. Off when absent. */
  readonly compressAboveBytes?: number;
  /** @default 'gzip' */
  readonly algorithm?: CompressionAlgorithm;
  /** Required for compression to happen. */
  readonly compressor?: Compressor;
}

export type DecodeResult =
  | { readonly ok: true; readonly record: CacheRecord; /** The write's stamp, when the record has one and is not compressed. */ readonly stamp?: string }
  | { readonly ok: false; readonly reason: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const STAMP_OPENING = '{"n":"';
const STAMP_DIGITS = 16;
const STAMP = /^[0-9a-f]{16}$/;
/** The bytes of an uncompressed record that end with its stamp: headers, then `{"n":"<stamp>"`. */
export const STAMPED_HEAD_BYTES = OUTER_HEADER_BYTES + INNER_HEADER_BYTES + STAMP_OPENING.length + STAMP_DIGITS + 1;

function newStamp(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(STAMP_DIGITS / 2));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** True when `head` (the first {@link STAMPED_HEAD_BYTES} bytes of an entry, or fewer) is that of the uncompressed write `stamp`. */
export function headHasStamp(head: Uint8Array, stamp: string): boolean {
  if (head.byteLength !== STAMPED_HEAD_BYTES || head[0] !== MAGIC_0 || head[1] !== MAGIC_1 || head[2] !== CODEC_VERSION || head[3] !== 0) return false;
  const expected = STAMP_OPENING + stamp + '"';
  const offset = OUTER_HEADER_BYTES + INNER_HEADER_BYTES;
  for (let i = 0; i < expected.length; i++) if (head[offset + i] !== expected.charCodeAt(i)) return false;
  return true;
}

/** Encodes a record. Rejects only if the provided compressor fails. */
export async function encodeRecord(record: CacheRecord, options: EncodeOptions = {}): Promise<Uint8Array> {
  const { body, ...meta } = record;
  let kind: number;
  let bodyBytes: Uint8Array;
  let metaObject: object = meta;
  if (body.type === 'binary') {
    kind = 1;
    bodyBytes = body.bytes;
    if (body.as !== undefined) metaObject = { ...meta, a: body.as };
  } else if (isWellFormed(body.text)) {
    kind = 0;
    bodyBytes = encoder.encode(body.text);
  } else {
    kind = 2;
    bodyBytes = new Uint8Array(0);
    metaObject = { ...meta, t: body.text };
  }
  const metaBytes = encoder.encode(JSON.stringify({ n: newStamp(), ...metaObject }));
  const inner = new Uint8Array(INNER_HEADER_BYTES + metaBytes.byteLength + bodyBytes.byteLength);
  inner[0] = kind;
  const view = new DataView(inner.buffer);
  view.setUint32(1, metaBytes.byteLength);
  view.setUint32(5, bodyBytes.byteLength);
  inner.set(metaBytes, INNER_HEADER_BYTES);
  inner.set(bodyBytes, INNER_HEADER_BYTES + metaBytes.byteLength);

  let compressionId = 0;
  let payload: Uint8Array = inner;
  const { compressAboveBytes, compressor } = options;
  if (compressor !== undefined && compressAboveBytes !== undefined && inner.byteLength > compressAboveBytes && inner.byteLength <= MAX_DECOMPRESSED_BYTES) {
    const algorithm = options.algorithm ?? 'gzip';
    const packed = await compressor.compress(algorithm, inner);
    if (packed.byteLength < inner.byteLength) {
      compressionId = COMPRESSION_IDS[algorithm];
      payload = packed;
    }
  }
  const out = new Uint8Array(OUTER_HEADER_BYTES + payload.byteLength);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = CODEC_VERSION;
  out[3] = compressionId;
  out.set(payload, OUTER_HEADER_BYTES);
  return out;
}

/**
 * Decodes bytes written by {@link encodeRecord} synchronously when they are not compressed (the common
 * case, and the hit path of the Redis and Mongo stores); `undefined` when decompression is needed, for
 * {@link decodeRecord}. Never throws: failures are a result.
 */
export function decodeUncompressedRecord(data: Uint8Array): DecodeResult | undefined {
  if (data.byteLength < OUTER_HEADER_BYTES || data[0] !== MAGIC_0 || data[1] !== MAGIC_1) {
    return fail('not an encoded cache record');
  }
  if (data[2] !== CODEC_VERSION) return fail(`unsupported codec version ${String(data[2])}`);
  if ((data[3] ?? 0) !== 0) return undefined;
  const decoded = decodeInner(data.subarray(OUTER_HEADER_BYTES));
  // The stamp counts only where a store can read it back at its place: uncompressed, and first in the metadata.
  if (decoded.ok && decoded.stamp !== undefined && !headHasStamp(data.subarray(0, STAMPED_HEAD_BYTES), decoded.stamp)) {
    return { ok: true, record: decoded.record };
  }
  return decoded;
}

/** Decodes bytes written by {@link encodeRecord}. Never throws or rejects: failures are a result. */
export async function decodeRecord(data: Uint8Array, compressor?: Compressor): Promise<DecodeResult> {
  const quick = decodeUncompressedRecord(data);
  if (quick !== undefined) return quick;
  const compressionId = data[3] ?? 0;
  const algorithm = COMPRESSION_BY_ID[compressionId];
  if (algorithm === undefined) return fail(`unknown compression id ${compressionId}`);
  if (compressor === undefined) return fail(`${algorithm}-compressed record but no decompressor available`);
  let inner: Uint8Array;
  try {
    inner = await compressor.decompress(algorithm, data.subarray(OUTER_HEADER_BYTES), MAX_DECOMPRESSED_BYTES);
  } catch (error) {
    return fail(`${algorithm} decompression failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Checked here too: the bound must hold whatever compressor the store was given.
  if (inner.byteLength > MAX_DECOMPRESSED_BYTES) return fail(`${algorithm} decompression failed: the output passes ${MAX_DECOMPRESSED_BYTES} bytes`);
  const decoded = decodeInner(inner);
  // A compressed record's stamp cannot be read back at its place: it is not offered.
  return decoded.ok ? { ok: true, record: decoded.record } : decoded;
}

function decodeInner(inner: Uint8Array): DecodeResult {
  if (inner.byteLength < INNER_HEADER_BYTES) return fail('truncated header');
  const kind = inner[0];
  const view = new DataView(inner.buffer, inner.byteOffset, inner.byteLength);
  const bodyStart = INNER_HEADER_BYTES + view.getUint32(1);
  const expectedBytes = bodyStart + view.getUint32(5);
  if (expectedBytes !== inner.byteLength) {
    return fail(`length mismatch: header announces ${expectedBytes} bytes, found ${inner.byteLength}`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(decoder.decode(inner.subarray(INNER_HEADER_BYTES, bodyStart)));
  } catch {
    return fail('metadata is not valid JSON');
  }
  if (!isObject(meta) || Array.isArray(meta)) return fail('metadata is not an object');
  const problem = recordFieldsProblem(meta);
  if (problem !== undefined) return fail(problem);
  const bodyBytes = inner.subarray(bodyStart);
  let body: CachedBody;
  if (kind === 1) {
    const as = meta['a'];
    if (as !== undefined && !isBinaryKind(as)) return fail('field a is not a binary body kind');
    const bytes = new Uint8Array(bodyBytes); // a copy: never alias a pooled buffer
    body = as === undefined ? { type: 'binary', bytes } : { type: 'binary', bytes, as };
  } else if (kind === 0) {
    try {
      body = { type: 'text', text: decoder.decode(bodyBytes) };
    } catch {
      return fail('text body is not valid UTF-8');
    }
  } else if (kind === 2 && typeof meta['t'] === 'string' && bodyBytes.byteLength === 0) {
    body = { type: 'text', text: meta['t'] };
  } else {
    return fail(`unknown body kind ${String(kind)}`);
  }
  const stamp = meta['n'];
  const record = buildRecord(meta, body);
  return typeof stamp === 'string' && STAMP.test(stamp) ? { ok: true, record, stamp } : { ok: true, record };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Builds the record from checked metadata, copying only known fields (no prototype surprises). */
function buildRecord(meta: Fields, body: CachedBody): CacheRecord {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(meta['headers'] as Record<string, string>)) headers[name] = value;
  const record: Mutable<CacheRecord> = {
    v: RECORD_FORMAT_VERSION,
    key: meta['key'] as string,
    method: meta['method'] as string,
    url: meta['url'] as string,
    status: meta['status'] as number,
    statusText: meta['statusText'] as string,
    headers,
    body,
    requestTime: meta['requestTime'] as number,
    responseTime: meta['responseTime'] as number,
    createdAt: meta['createdAt'] as number,
    expiresAt: meta['expiresAt'] as number,
  };
  // Optional fields are assigned only when present: exactOptionalPropertyTypes forbids an explicit undefined.
  if (meta['vary'] !== undefined) record.vary = meta['vary'] as string[];
  if (meta['varyValues'] !== undefined) record.varyValues = meta['varyValues'] as (string | null)[];
  if (meta['varyEpoch'] !== undefined) record.varyEpoch = meta['varyEpoch'] as number;
  if (meta['ttlMs'] !== undefined) record.ttlMs = meta['ttlMs'] as number;
  if (meta['tags'] !== undefined) record.tags = meta['tags'] as string[];
  return record;
}

function fail(reason: string): DecodeResult {
  return { ok: false, reason };
}

/** `String.prototype.isWellFormed` where the runtime has it (Node 20, current browsers). */
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** True when the string has no lone surrogates, so UTF-8 round-trips it exactly. */
function isWellFormed(text: string): boolean {
  if (nativeIsWellFormed !== undefined) return nativeIsWellFormed.call(text);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

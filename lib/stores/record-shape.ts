/**
 * Helpers shared by the stores: a structural check that a value read back is a {@link CacheRecord}
 * of this format version (the browser stores check whole records, the codec checks the metadata it
 * decodes), and base64 for bytes.
 *
 * Nothing here may use `Buffer`, `process` or a `node:` module: it is bundled for browsers.
 */
import { RECORD_FORMAT_VERSION, type CachedBody } from '../record.js';

export type Fields = Record<string, unknown>;

/** A binary body's `as`: what kind of bytes the adapter produced. */
export type BinaryKind = NonNullable<Extract<CachedBody, { type: 'binary' }>['as']>;

export const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isStringArray = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isVaryValues = (value: unknown): boolean => Array.isArray(value) && value.every((item) => item === null || typeof item === 'string');

const BINARY_KINDS: ReadonlySet<unknown> = new Set<BinaryKind>(['buffer', 'arraybuffer', 'uint8array', 'stream', 'webstream']);

/** True for the values a binary body's `as` may take. */
export function isBinaryKind(value: unknown): value is BinaryKind {
  return BINARY_KINDS.has(value);
}

function isStringMap(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((item) => typeof item === 'string');
}

function isBody(value: unknown): value is CachedBody {
  if (!isObject(value)) return false;
  if (value['type'] === 'text') return typeof value['text'] === 'string';
  if (value['type'] === 'binary') return value['bytes'] instanceof Uint8Array && (value['as'] === undefined || isBinaryKind(value['as']));
  return false;
}

/** Why the fields of `value` other than `body` are not those of a record this version can use; `undefined` when they are. */
export function recordFieldsProblem(value: Fields): string | undefined {
  if (value['v'] !== RECORD_FORMAT_VERSION) return `record format version ${JSON.stringify(value['v'])} is not ${RECORD_FORMAT_VERSION}`;
  for (const field of ['key', 'method', 'url', 'statusText'] as const) {
    if (typeof value[field] !== 'string') return `field ${field} is not a string`;
  }
  for (const field of ['status', 'requestTime', 'responseTime', 'createdAt', 'expiresAt'] as const) {
    if (!isFiniteNumber(value[field])) return `field ${field} is not a number`;
  }
  for (const field of ['varyEpoch', 'ttlMs'] as const) {
    if (value[field] !== undefined && !isFiniteNumber(value[field])) return `field ${field} is not a number`;
  }
  if (!isStringMap(value['headers'])) return 'field headers is not a map of strings';
  if (value['vary'] !== undefined && !isStringArray(value['vary'])) return 'field vary is not a list of strings';
  if (value['tags'] !== undefined && !isStringArray(value['tags'])) return 'field tags is not a list of strings';
  if (value['varyValues'] !== undefined && !isVaryValues(value['varyValues'])) return 'field varyValues is not a list of strings and nulls';
  return undefined;
}

/**
 * Why `value` is not a record this version can use, or `undefined` when it is one.
 * Checks the shape only; it never looks at HTTP meaning.
 */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not an object';
  return recordFieldsProblem(value) ?? (isBody(value['body']) ? undefined : 'field body is not a text or binary body');
}

/** Bytes as standard base64, without `Buffer` (browsers and Node both have `btoa`). */
export function bytesToBase64(bytes: Uint8Array): string {
  const chunkLength = 0x8000;
  let binary = '';
  for (let start = 0; start < bytes.length; start += chunkLength) {
    binary += String.fromCharCode(...bytes.subarray(start, start + chunkLength));
  }
  return btoa(binary);
}

/** The inverse of {@link bytesToBase64}; throws a `DOMException` on text that is not base64. */
export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

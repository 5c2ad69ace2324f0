/** Bodies: what the adapter produced, as stored, and back; private copies for each caller. */
import type { CachedBody } from '../record.js';
import { StreamedBytes, streamOf } from './stream-body.js';

interface BufferLike {
  from(bytes: Uint8Array): Uint8Array;
  isBuffer(value: unknown): boolean;
}
/** Node's Buffer when present (never imported, so browser bundles stay free of it). */
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

/** The adapter's raw body as something storable; undefined for streams, Blobs and other live objects. */
export function toCachedBody(data: unknown): CachedBody | undefined {
  if (typeof data === 'string') return { type: 'text', text: data };
  if (data === undefined || data === null) return { type: 'text', text: '' };
  if (data instanceof Uint8Array) {
    if (data instanceof StreamedBytes) return data.toCachedBody();
    const as = NodeBuffer?.isBuffer(data) ? 'buffer' : 'uint8array';
    return { type: 'binary', bytes: new Uint8Array(data), as };
  }
  if (data instanceof ArrayBuffer) return { type: 'binary', bytes: new Uint8Array(data.slice(0)), as: 'arraybuffer' };
  if (Array.isArray(data) || (typeof data === 'object' && Object.getPrototypeOf(data) === Object.prototype)) {
    // A custom adapter answered with parsed JSON: keep its text; axios parses it again on a hit.
    return { type: 'text', text: JSON.stringify(data) };
  }
  return undefined;
}

/** A private copy of a stored body for one caller: strings are immutable, bytes are copied. */
export function fromCachedBody(body: CachedBody): unknown {
  if (body.type === 'text') return body.text;
  switch (body.as) {
    case 'arraybuffer':
      return body.bytes.slice().buffer;
    case 'buffer':
      return NodeBuffer ? NodeBuffer.from(body.bytes) : body.bytes.slice();
    case 'stream':
    case 'webstream':
      return streamOf(body.bytes, body.as);
    default:
      return body.bytes.slice();
  }
}

/** A private copy of a raw adapter body for one of several callers sharing it: bytes copied, same kind kept. */
export function copyRawBody(data: unknown): unknown {
  if (data instanceof ArrayBuffer) return data.slice(0);
  if (data instanceof Uint8Array) return NodeBuffer?.isBuffer(data) ? NodeBuffer.from(data) : data.slice();
  return data;
}

const encoder = new TextEncoder();

/** The size of a stored body in bytes, as the adapter's `maxContentLength` counts it. */
export function cachedBodyLength(body: CachedBody): number {
  return body.type === 'text' ? encoder.encode(body.text).length : body.bytes.length;
}

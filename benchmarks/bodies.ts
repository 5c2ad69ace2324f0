/**
 * The bodies every contender serves, prepared once, and the "prepared adapter": an axios adapter
 * that answers at once with a prepared body, as the real http adapter would hand it to axios (a JSON
 * *string* for the default responseType, a Buffer for `arraybuffer`).
 */
import { AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse, ResponseType } from 'axios';

export interface BodyCase {
  /** 'json-1k', 'json-100k', 'binary-100k'. */
  readonly id: string;
  readonly label: string;
  readonly responseType: ResponseType;
  /** What the adapter returns: a string (JSON) or a Buffer (binary). */
  readonly body: string | Buffer;
  readonly contentType: string;
  readonly bytes: number;
}

/** A deterministic JSON document of about `targetBytes` bytes: an array of small user-like objects. */
export function jsonOfSize(targetBytes: number, seed = 1): string {
  const items: object[] = [];
  let size = 2;
  for (let i = 0; size < targetBytes; i++) {
    const item = { id: seed * 100_000 + i, name: `user ${i}`, city: i % 2 === 0 ? 'Paris' : 'Lyon', score: (i * 37) % 101, tags: ['a', 'b'] };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return JSON.stringify(items);
}

/** Deterministic pseudo-random bytes (xorshift32), so runs compare. */
export function bytesOfSize(bytes: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(bytes);
  let state = seed >>> 0;
  for (let i = 0; i < bytes; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

export function bodyCases(): BodyCase[] {
  const json1k = jsonOfSize(1024);
  const json100k = jsonOfSize(100 * 1024);
  const binary = bytesOfSize(100 * 1024);
  return [
    { id: 'json-1k', label: '1 KB JSON', responseType: 'json', body: json1k, contentType: 'application/json', bytes: Buffer.byteLength(json1k) },
    { id: 'json-100k', label: '100 KB JSON', responseType: 'json', body: json100k, contentType: 'application/json', bytes: Buffer.byteLength(json100k) },
    { id: 'binary-100k', label: '100 KB binary', responseType: 'arraybuffer', body: binary, contentType: 'application/octet-stream', bytes: binary.byteLength },
  ];
}

/** Response headers of the prepared origin: cacheable for an hour by every contender. */
export function preparedHeaders(body: BodyCase): Record<string, string> {
  return {
    'content-type': body.contentType,
    'content-length': String(body.bytes),
    'cache-control': 'public, max-age=3600',
    etag: '"v1"',
    date: new Date().toUTCString(),
  };
}

/**
 * An adapter that answers at once with the prepared body. Each response gets its own headers object
 * (as any adapter builds one per response); the body itself is the prepared string, and the prepared
 * Buffer unless `freshBuffer` asks for a copy per response (as the http adapter makes one per response:
 * an origin whose answers a cache keeps must not share one Buffer with the floor).
 */
export function preparedAdapter(body: BodyCase, freshBuffer = false): AxiosAdapter {
  const headers = preparedHeaders(body);
  return (config) => {
    const response: AxiosResponse = {
      data: freshBuffer && typeof body.body !== 'string' ? Buffer.from(body.body) : body.body,
      status: 200,
      statusText: 'OK',
      headers: new AxiosHeaders(headers),
      config,
      request: {},
    };
    return Promise.resolve(response);
  };
}

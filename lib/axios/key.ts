import type { InternalAxiosRequestConfig } from 'axios';
import { hmacSha256Hex, sha256Hex } from './hash.js';
import { describe } from './resolve-options.js';
import type { WireRequest } from './wire-request.js';

/** Marks a body the cache cannot key (a stream, FormData, Blob): such a request bypasses the cache. */
export const UNKEYABLE = Symbol('unkeyable');

/** What the default key is built from, besides the request: the instance options that shape keys. */
export interface KeyOptions {
  /** Lower-case credential names (`ignoredParams`): their values only ever enter a key as a keyed hash. */
  readonly ignoredParams: ReadonlySet<string>;
  /** Lower-case request headers that are part of every key. */
  readonly matchHeaders: readonly string[];
  /** The secret of the keyed hashes (see the `secret` option). */
  readonly secret: Uint8Array;
}

const encoder = new TextEncoder();

/** The exact bytes of a (transformed) request body, as axios sends them; UNKEYABLE for streams and forms. */
function bodyBytes(data: unknown): Uint8Array | undefined | typeof UNKEYABLE {
  let bytes: Uint8Array;
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string') bytes = encoder.encode(data);
  else if (data instanceof Uint8Array) bytes = data;
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (data instanceof URLSearchParams) bytes = encoder.encode(data.toString());
  else return UNKEYABLE;
  // An empty body goes out as no body at all.
  return bytes.length === 0 ? undefined : bytes;
}

const TEXT_RESPONSE_TYPES: ReadonlySet<string> = new Set(['', 'json', 'text', 'document']);

/**
 * Whether the caller asks for bytes (`arraybuffer`, `blob`) rather than text. Not a key part: a stored body of the
 * other kind is simply not used for this caller (see the flow), so that invalidation still finds one key per URL.
 */
export function wantsBytes(config: InternalAxiosRequestConfig): boolean {
  return !TEXT_RESPONSE_TYPES.has(config.responseType ?? '');
}
const DEFAULT_ENCODINGS: ReadonlySet<string> = new Set(['utf8', 'utf-8']);

/**
 * The per-caller options that change the bytes the adapter hands back, as a key part (`responseEncoding`,
 * `decompress: false`, the redirect mode, the http adapter's `socketPath`): two callers that would get different bodies from the same origin answer never share an
 * entry. Empty for axios' defaults.
 */
export function responseShape(config: InternalAxiosRequestConfig): string {
  // Each part with a leading comma, the first one dropped at the end: no array on the hit path.
  let parts = '';
  const type = config.responseType ?? '';
  const encoding = config.responseEncoding;
  if (typeof encoding === 'string' && !DEFAULT_ENCODINGS.has(encoding.toLowerCase()) && TEXT_RESPONSE_TYPES.has(type)) parts += `,encoding=${encoding.toLowerCase()}`;
  if (config.decompress === false) parts += ',decompress=false';
  // A caller that follows no redirects gets the 3xx itself, which must never answer a caller that follows them.
  if (config.maxRedirects === 0) parts += ',redirects=0';
  const fetchRedirect = (config.fetchOptions as { redirect?: unknown } | undefined)?.redirect;
  if (fetchRedirect === 'manual' || fetchRedirect === 'error') parts += `,redirect=${fetchRedirect}`;
  // The http adapter sends a request with a socketPath to the server on that Unix socket, whatever host the URL names:
  // two sockets are two servers. Percent-encoded, so the path can hold no space or comma of the key's own syntax.
  const socketPath = config.socketPath;
  if (typeof socketPath === 'string' && socketPath !== '') parts += `,socket=${encodeURIComponent(socketPath)}`;
  return parts.slice(1);
}

/**
 * The default key: `METHOD url`, then, where they apply, a keyed hash of the exact body bytes (any method: some
 * APIs search with GET bodies), and the {@link callerSuffix}. Parts are separated by spaces, which a parsed URL
 * never contains, so no two different requests can share a key.
 */
export function defaultKey(
  wire: WireRequest,
  config: InternalAxiosRequestConfig,
  options: KeyOptions,
): string | typeof UNKEYABLE {
  const bytes = bodyBytes(config.data);
  if (bytes === UNKEYABLE) return UNKEYABLE;
  // Keyed: a body often holds a password or a personal detail that a bare SHA-256 would give away to a dictionary.
  const body = bytes === undefined ? '' : ` body:${hmacSha256Hex(options.secret, bytes)}`;
  const rest = `${body}${callerSuffix(wire, config, options)}`;
  const last = lastKey;
  if (last.url === wire.url && last.method === wire.method && last.rest === rest) return last.key;
  const key = `${wire.method} ${wire.url}${rest}`;
  lastKey = { method: wire.method, url: wire.url, rest, key };
  return key;
}

/**
 * The last default key built, given back while its parts are the same: the same string object, whose hash the
 * store's map has worked out already, where a string built anew is hashed again on every lookup (about 0.2 µs
 * of a hit from the same URL).
 */
let lastKey = { method: '', url: '', rest: '', key: '' };

/**
 * The key parts that come from the caller rather than the URL: a keyed hash of the credential query parameters (so
 * `?token=alice` and `?token=bob` never share an entry, while neither token is kept), a hash of the `matchHeaders`
 * values (credential values keyed) and the response shape. Invalidation after an unsafe request reuses the
 * unsafe request's own suffix to reach the same caller's entries of the target URLs.
 */
export function callerSuffix(wire: WireRequest, config: InternalAxiosRequestConfig, options: KeyOptions): string {
  let key = wire.credentialParams === '' ? '' : ` cred:${hmacSha256Hex(options.secret, wire.credentialParams)}`;
  if (options.matchHeaders.length > 0) {
    const lines = options.matchHeaders.map((name) => {
      const value = wire.headers.get(name);
      if (value === undefined) return `${name}!`;
      return options.ignoredParams.has(name) ? `${name}#${hmacSha256Hex(options.secret, value)}` : `${name}:${value}`;
    });
    key += ` headers:${sha256Hex(lines.join('\n'))}`;
  }
  const shape = responseShape(config);
  if (shape !== '') key += ` as:${shape}`;
  return key;
}

/**
 * The key suffixes whose entries an unsafe request invalidates at each target URL (RFC 9111 §4.4): the caller's own
 * (credentials, matched headers, shape) and the bare one, each within the request's partition and without it.
 */
export function invalidationSuffixes(wire: WireRequest, config: InternalAxiosRequestConfig, options: KeyOptions, partition: string): readonly string[] {
  const own = callerSuffix(wire, config, options);
  return [...new Set([own + partition, partition, own, ''])];
}

/** The key of a plain request for `url` with these key parts after the URL: what invalidation deletes. */
export function keyOf(method: string, url: string, suffix: string): string {
  return `${method} ${url}${suffix}`;
}

/** A key's method and URL (the URL never holds a space; the parts after it are dropped). */
export function methodAndUrl(key: string): { readonly method: string; readonly url: string } {
  const first = key.indexOf(' ');
  if (first === -1) return { method: '', url: key };
  const second = key.indexOf(' ', first + 1);
  return { method: key.slice(0, first), url: key.slice(first + 1, second === -1 ? undefined : second) };
}

/** The key part of a partition: only ever a keyed hash, as a partition is often a session or user id. */
export function partitionSuffix(secret: Uint8Array, partition: string | undefined): string {
  return partition === undefined ? '' : ` partition:${hmacSha256Hex(secret, partition)}`;
}

/** The request's partition: its own `cache.partition`, else what the `partition` option returns for it. */
export function partitionOf(options: KeyingOptions, config: InternalAxiosRequestConfig, request: { readonly partition?: string | undefined }): string | undefined | KeyOptionError {
  if (request.partition !== undefined || !options.partition) return request.partition;
  const chosen: unknown = options.partition(config);
  if (chosen !== undefined && (typeof chosen !== 'string' || chosen === '')) {
    return new KeyOptionError(`axios-http-cache: option "partition" must return a non-empty string or undefined, got ${describe(chosen)}`);
  }
  return chosen;
}

/** What keys a request: the default key's options, plus the user's own key and partition functions. */
export interface KeyingOptions extends KeyOptions {
  readonly key: ((request: InternalAxiosRequestConfig) => string) | undefined;
  readonly partition: ((request: InternalAxiosRequestConfig) => string | undefined) | undefined;
}

/** A `key` or `partition` option that returned something unusable: the request goes uncached, with an error event. */
export class KeyOptionError extends TypeError {}

/**
 * The one key builder: the request's own `cache.key`, else the `key` option, else {@link defaultKey}; then the
 * partition (see {@link partitionOf}). Returns
 * UNKEYABLE for bodies that cannot be keyed, and a {@link KeyOptionError} for a `key` or `partition` function that
 * does not return a non-empty string (one entry shared by every URL would be far worse than no caching).
 */
export function requestKey(
  options: KeyingOptions,
  wire: WireRequest,
  config: InternalAxiosRequestConfig,
  request: { readonly key?: string | undefined },
  partition: string | undefined,
): string | typeof UNKEYABLE | KeyOptionError {  let key: string | typeof UNKEYABLE;
  if (request.key !== undefined) key = request.key;
  else if (options.key) {
    const custom: unknown = options.key(config);
    if (typeof custom !== 'string' || custom === '') {
      return new KeyOptionError(`axios-http-cache: option "key" must return a non-empty string, got ${describe(custom)}; the request was sent uncached`);
    }
    key = custom;
  } else key = defaultKey(wire, config, options);
  return key === UNKEYABLE ? key : key + partitionSuffix(options.secret, partition);
}

/**
 * The name of the store lease a miss takes with `dedupe: 'store'`: the full key, plus a keyed hash of every
 * credential the request carries (headers too, which the key leaves out), so that one user's lease never makes
 * another user wait.
 */
export function leaseName(key: string, wire: WireRequest, secret: Uint8Array): string {
  return wire.credentials === '' ? key : `${key} lease-cred:${hmacSha256Hex(secret, wire.credentials)}`;
}

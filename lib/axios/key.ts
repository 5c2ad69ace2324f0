import { AxiosHeaders } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import { sha256Hex } from './hash.js';

/** Marks a body the cache cannot key (a stream, FormData, Blob): such a request bypasses the cache. */
export const UNKEYABLE = Symbol('unkeyable');

const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;
const MEMO_LIMIT = 2000;

/** One header value as a string; arrays (repeated fields) are joined with ", ". */
export function headerValueString(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => headerValueString(item)).join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** The request headers the flow decides on, found in one pass over the headers. */
export interface HeaderScan {
  cacheControl?: string;
  pragma?: string;
  authorization?: string;
  /** The first conditional or range header the caller set itself, if any. */
  conditional?: string;
}

const CALLER_CONDITIONALS: ReadonlySet<string> = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range']);

/**
 * One pass over the request headers (cheaper on the hit path than one case-insensitive lookup per name).
 * Absent, null and false values count as absent, as axios does when it sends the request.
 */
export function scanRequestHeaders(config: InternalAxiosRequestConfig): HeaderScan {
  const scan: HeaderScan = {};
  const headers = config.headers as unknown as Record<string, unknown> | undefined;
  if (!headers) return scan;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || value === null || value === false) continue;
    const lower = name.toLowerCase();
    if (lower === 'cache-control') scan.cacheControl = headerValueString(value);
    else if (lower === 'pragma') scan.pragma = headerValueString(value);
    else if (lower === 'authorization') scan.authorization = headerValueString(value);
    else if (scan.conditional === undefined && CALLER_CONDITIONALS.has(lower)) scan.conditional = lower;
  }
  return scan;
}

/** All request headers as a plain object with lower-case names (for RFC 9111 request directives and Vary). */
export function requestHeaders(config: InternalAxiosRequestConfig): Record<string, string> {
  const result: Record<string, string> = {};
  const headers: unknown = config.headers;
  const source: Record<string, unknown> = headers instanceof AxiosHeaders ? headers.toJSON() : (headers as Record<string, unknown> | null) ?? {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === null || value === false) continue;
    result[name.toLowerCase()] = headerValueString(value);
  }
  return result;
}

function paramValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** `config.params` as [name, value] pairs, in insertion order. */
function paramPairs(params: unknown): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (params === undefined || params === null) return pairs;
  if (params instanceof URLSearchParams) {
    params.forEach((value, name) => pairs.push([name, value]));
    return pairs;
  }
  if (typeof params !== 'object') return pairs;
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) pairs.push([name, paramValue(item)]);
    else pairs.push([name, paramValue(value)]);
  }
  return pairs;
}

function joinPath(baseURL: string | undefined, url: string, allowAbsolute: boolean): string {
  if (baseURL && (!ABSOLUTE_URL.test(url) || !allowAbsolute)) {
    return url ? `${baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : baseURL;
  }
  return url;
}

function normalise(raw: string, extra: Array<[string, string]>, ignored: ReadonlySet<string>): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href ?? 'http://localhost/';
  let parsed: URL;
  try {
    parsed = new URL(raw, base);
  } catch {
    return raw; // not a URL we can normalise: key it verbatim
  }
  const pairs: Array<[string, string]> = [];
  parsed.searchParams.forEach((value, name) => pairs.push([name, value]));
  pairs.push(...extra);
  const kept = pairs.filter(([name]) => !ignored.has(name.toLowerCase()));
  // Stable sort by name keeps the order of repeated names, which can be meaningful to the origin.
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  parsed.hash = '';
  parsed.search = kept.length === 0 ? '' : new URLSearchParams(kept).toString();
  return parsed.href;
}

/**
 * The request's absolute URL, normalised for keying: lower-case scheme and host, no default port, no
 * fragment, query parameters (from the URL and `config.params`) sorted by name, ignored ones removed.
 */
export type UrlNormaliser = (config: InternalAxiosRequestConfig) => string;

/**
 * Makes a normaliser for one cache. It memoises (up to 2,000 distinct URLs) because URL parsing is
 * the largest cost of building a key on the hit path.
 */
export function createUrlNormaliser(ignored: ReadonlySet<string>): UrlNormaliser {
  const memo = new Map<string, string>();
  return (config) => {
    const raw = joinPath(config.baseURL, config.url ?? '', config.allowAbsoluteUrls !== false);
    const extra = paramPairs(config.params);
    const memoKey = extra.length === 0 ? raw : `${raw}\u0000${JSON.stringify(extra)}`;
    let url = memo.get(memoKey);
    if (url === undefined) {
      url = normalise(raw, extra, ignored);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(memoKey, url);
    }
    return url;
  };
}

function redactJson(text: string, ignored: ReadonlySet<string>): string {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return text;
    const kept = Object.entries(value).filter(([name]) => !ignored.has(name.toLowerCase()));
    return JSON.stringify(Object.fromEntries(kept));
  } catch {
    return text;
  }
}

/** A hash of the (already transformed) request body, ignored top-level JSON fields removed; UNKEYABLE for streams and forms. */
export function bodyHash(data: unknown, ignored: ReadonlySet<string>): string | undefined | typeof UNKEYABLE {
  if (data === undefined || data === null || data === '') return undefined;
  if (typeof data === 'string') return sha256Hex(redactJson(data, ignored));
  if (data instanceof Uint8Array) return sha256Hex(data);
  if (data instanceof ArrayBuffer) return sha256Hex(new Uint8Array(data));
  if (data instanceof URLSearchParams) return sha256Hex(data.toString());
  return UNKEYABLE;
}

/** The default key: `METHOD url`, plus a body hash and a hash of the `matchHeaders` values where they apply. */
export function defaultKey(
  method: string,
  url: string,
  config: InternalAxiosRequestConfig,
  ignored: ReadonlySet<string>,
  matchHeaders: readonly string[],
  keyBody: boolean,
): string | typeof UNKEYABLE {
  let key = `${method} ${url}`;
  if (keyBody) {
    const hash = bodyHash(config.data, ignored);
    if (hash === UNKEYABLE) return UNKEYABLE;
    if (hash !== undefined) key += ` body:${hash}`;
  }
  if (matchHeaders.length > 0) {
    const headers = requestHeaders(config);
    key += ` headers:${sha256Hex(matchHeaders.map((name) => `${name}:${headers[name] ?? ''}`).join('\n'))}`;
  }
  return key;
}

/**
 * The request as it goes on the wire, worked out once per request from the config the caching adapter receives.
 *
 * axios still changes the request inside its adapter, after the cache has seen the config: it builds the URL with
 * `paramsSerializer`, turns `auth` (and, in Node's http adapter, `user:pass@` in the URL) into `Authorization`,
 * and in browsers copies the XSRF cookie into a header. Keys, the credential check of RFC 9111 §3.5, `Vary`
 * matching and de-duplication all read this model, never the raw config, so they see what the origin will see.
 */
import { Axios } from 'axios';
import type { AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios';
import { BoundedMemo, stringBytes } from '../semantics/memo.js';

/** One request, as the origin will receive it. */
export interface WireRequest {
  /** Upper-case method. */
  readonly method: string;
  /**
   * The absolute URL the key is built from: axios' own URL building (base URL, params, paramsSerializer),
   * parsed as the adapters parse it; no fragment, no userinfo, and the query parameters named in
   * `ignoredParams` removed. Everything else is kept verbatim and in order.
   */
  readonly url: string;
  /** Request headers by lower-case name, including the `Authorization` axios adds itself. */
  readonly headers: ReadonlyMap<string, string>;
  /**
   * Every credential the request carries, as `name=value` lines (headers and query parameters named in
   * `ignoredParams`, `Authorization` from `auth` or URL userinfo, cookies, the browser XSRF header): empty when
   * it carries none. Kept in memory only; anything persisted is a keyed hash of it.
   */
  readonly credentials: string;
  /** The credential query parameters alone, as `?name=value` lines; they are left out of `url`. */
  readonly credentialParams: string;
}

/** A builder with no defaults of its own: `getUri` is axios' URL building (buildFullPath + buildURL + paramsSerializer). */
const uriBuilder = new Axios({});
const ABSOLUTE = /^[a-z][a-z\d+\-.]*:/i;

function fallbackBase(): string {
  return (globalThis as { location?: { href?: string } }).location?.href ?? 'http://localhost/';
}

/** One header value as a string; arrays (repeated fields) are joined with ", ". */
export function headerValueString(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => headerValueString(item)).join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/**
 * Request headers by lower-case name; absent, null and false values are skipped as axios skips them. A Map: header
 * names come from callers and origins, and a Map never reaches a prototype (it is also the fastest to build).
 */
export function lowerCaseHeaders(headers: unknown): Map<string, string> {
  const result = new Map<string, string>();
  if (headers === null || typeof headers !== 'object') return result;
  // AxiosHeaders keeps each header as an own property, as a plain object does.
  const source = headers as Record<string, unknown>;
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined || value === null || value === false || typeof value === 'function') continue;
    result.set(name.toLowerCase(), headerValueString(value));
  }
  return result;
}

/** A query parameter's name as compared with `ignoredParams`: decoded (`+` is a space), lower-case. */
function decodeName(raw: string): string {
  return safeDecode(raw.replace(/\+/g, ' ')).toLowerCase();
}

/** A parsed request URL: what keys use, and what the URL itself carries as credentials. */
export interface ParsedUrl {
  readonly url: string;
  /** `user:password` from the URL, decoded, when it has userinfo. */
  readonly userinfo: string | undefined;
  /** `name=value` lines of the query parameters named in `ignoredParams`. */
  readonly credentialParams: string;
}

/** What of a config makes its URL. */
export type UrlParts = Pick<InternalAxiosRequestConfig, 'url' | 'baseURL' | 'params' | 'paramsSerializer' | 'allowAbsoluteUrls'>;

/** The key URL of a request given as a URL (and base URL): for invalidation targets and management queries. */
export type UrlNormaliser = (config: UrlParts) => string;

const ABSOLUTE_WITH_AUTHORITY = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * The URL axios sends: `baseURL` joined to `url` as axios' buildFullPath does; with params, that URL parsed (as
 * Node's http adapter does) and the params appended through axios' own serialisation (`paramsSerializer`
 * included) via `getUri`. Without params, axios' buildURL leaves the URL as it is, so the hit path skips getUri.
 */
function builtUri(config: UrlParts): string {
  // Its text: axios' adapters also take a URL object (`new URL(url)`), whose text may change between two requests.
  const url = String(config.url ?? '');
  const { baseURL } = config;
  const full = !baseURL || (ABSOLUTE_WITH_AUTHORITY.test(url) && config.allowAbsoluteUrls !== false)
    ? url
    : url ? `${baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : baseURL;
  if (config.params === undefined || config.params === null) return full;
  // Node's http adapter parses the URL first, then appends the serialised params to its path and query.
  const parsed = new URL(full, ABSOLUTE.test(full) ? undefined : fallbackBase());
  const userinfo = parsed.username || parsed.password ? `${parsed.username}:${parsed.password}@` : '';
  const parts: AxiosRequestConfig = { url: `${parsed.protocol}//${userinfo}${parsed.host}${parsed.pathname}${parsed.search}`, params: config.params as unknown };
  if (config.paramsSerializer !== undefined) parts.paramsSerializer = config.paramsSerializer;
  return uriBuilder.getUri(parts);
}

/**
 * An http(s) URL that WHATWG URL parsing leaves exactly as it is (up to an empty query): lower-case scheme and host
 * name, no userinfo, an explicit path, and only characters no percent-encode set touches. What the pattern cannot
 * rule out is checked in {@link alreadyParsed}.
 */
const PLAIN_URL = /^(https?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([1-9][0-9]{0,4}))?(\/[A-Za-z0-9\-._~!$&()*+,;=:@/%]*)(\?[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*)?$/;
/** A path segment WHATWG URL parsing removes or resolves: `.` or `..`, percent-encoded or not. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:\/|$)/i;
/** A host name that WHATWG URL parsing reads as an IPv4 address (its last label is a number) or decodes (punycode). */
const NUMERIC_OR_PUNYCODE = /(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)$|(?:^|\.)xn--/i;

/** An IPv4 address as WHATWG URL parsing writes it: four decimal numbers up to 255, no leading zeros. */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

/**
 * The URL's query (with its `?`, or '' when it has none) when `new URL(built)` would give back `built` itself, or
 * undefined when only the full parse can tell. Most request URLs are of this kind; a miss then skips the parse.
 */
function alreadyParsed(built: string): string | undefined {
  const match = PLAIN_URL.exec(built);
  if (match === null) return undefined;
  const [, scheme, host = '', port, path = '', query = ''] = match;
  if ((NUMERIC_OR_PUNYCODE.test(host) && !CANONICAL_IPV4.test(host)) || DOT_SEGMENT.test(path)) return undefined;
  if (port !== undefined && (Number(port) > 65535 || port === (scheme === 'http' ? '80' : '443'))) return undefined;
  return query;
}

function parseBuilt(built: string, ignored: ReadonlySet<string>): ParsedUrl | typeof AS_BUILT {
  const plainQuery = alreadyParsed(built);
  let parsed: { readonly protocol: string; readonly host: string; readonly pathname: string; readonly search: string } & Partial<Pick<URL, 'username' | 'password'>>;
  if (plainQuery === undefined) {
    // The adapters parse the URL with WHATWG URL rules too, so what this parse normalises, they normalise alike.
    parsed = new URL(built, ABSOLUTE.test(built) ? undefined : fallbackBase());
  } else {
    const queryStart = built.length - plainQuery.length;
    const hostStart = built.indexOf('//') + 2;
    const pathStart = built.indexOf('/', hostStart);
    // `new URL` reads an empty query ('?' alone) as none.
    parsed = { protocol: built.slice(0, hostStart - 2), host: built.slice(hostStart, pathStart), pathname: built.slice(pathStart, queryStart), search: plainQuery === '?' ? '' : plainQuery };
  }
  const userinfo = parsed.username || parsed.password ? `${safeDecode(parsed.username ?? '')}:${safeDecode(parsed.password ?? '')}` : undefined;
  const kept: string[] = [];
  let credentialParams = '';
  const search = parsed.search.slice(1);
  if (search !== '') {
    for (const pair of search.split('&')) {
      const equals = pair.indexOf('=');
      const name = decodeName(equals === -1 ? pair : pair.slice(0, equals));
      if (ignored.has(name)) credentialParams += `?${pair}\n`;
      else kept.push(pair);
    }
  }
  const query = kept.length === 0 ? '' : `?${kept.join('&')}`;
  const url = `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`;
  return url === built && userinfo === undefined && credentialParams === '' ? AS_BUILT : { url, userinfo, credentialParams };
}

/**
 * What the memo keeps for the usual URL: one that is its own key URL (normalised already, no userinfo, no credential
 * parameter). The memo then holds nothing but its key, a string every record of that URL shares, instead of a parse
 * result of its own: with a cache full of distinct URLs, about 150 bytes less per entry.
 */
const AS_BUILT = null;

/**
 * One cache's URL parser: the request's absolute URL as axios sends it, reduced for keying. Parses are remembered by
 * the exact URL string in a memo bounded in bytes (URLs can be long) that belongs to this cache and is emptied by
 * `cache.clear()`. Throws what axios would throw for a URL or params it cannot serialise.
 */
export class UrlParser {
  readonly #memo = new BoundedMemo<ParsedUrl | typeof AS_BUILT>((parsed) => (parsed === AS_BUILT ? 0 : stringBytes(parsed.url) + stringBytes(parsed.userinfo ?? '') + stringBytes(parsed.credentialParams)));
  readonly #ignored: ReadonlySet<string>;
  /** The last request's URL parts and parse, when it had no params. */
  #last: { readonly url: string | undefined; readonly baseURL: string | undefined; readonly allowAbsoluteUrls: boolean | undefined; readonly parsed: ParsedUrl } | undefined;

  constructor(ignored: ReadonlySet<string>) {
    this.#ignored = ignored;
  }

  parse(config: UrlParts): ParsedUrl {
    const last = this.#last;
    // The same URL as the request before, without params: the same parse (saves building and hashing the URL).
    if (last !== undefined && (config.params === undefined || config.params === null) && last.url === config.url && last.baseURL === config.baseURL && last.allowAbsoluteUrls === config.allowAbsoluteUrls) {
      return last.parsed;
    }
    const built = builtUri(config);
    // A relative URL (a browser's) names the resource of the page it is requested from: 'items' on /a/ is not 'items'
    // on /b/. Its parse is remembered under the page's URL too (a key starting with a line break, which no absolute URL
    // does), and never stands for the next request's.
    const relative = !ABSOLUTE.test(built);
    const parsed = this.#memo.remember(relative ? `\n${fallbackBase()}\n${built}` : built, () => parseBuilt(built, this.#ignored)) ?? { url: built, userinfo: undefined, credentialParams: '' };
    // Only a parse made without params stands for the next request's (its URL alone does not say what params added),
    // and only for a URL given as text (a URL object compares by identity, and may have changed since).
    this.#last = !relative && (config.url === undefined || typeof config.url === 'string') && (config.params === undefined || config.params === null) ? { url: config.url, baseURL: config.baseURL, allowAbsoluteUrls: config.allowAbsoluteUrls, parsed } : undefined;
    return parsed;
  }

  /** Estimated bytes the memo holds now; never above its budget (256 KB). */
  get memoBytes(): number {
    return this.#memo.bytes;
  }

  /** The key URL alone. */
  readonly url: UrlNormaliser = (config) => this.parse(config).url;

  clear(): void {
    this.#last = undefined;
    this.#memo.clear();
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface CookieReader {
  readonly cookie?: string;
}

/** The browser XSRF header axios adds from a cookie (same-origin requests, or `withXSRFToken: true`); undefined outside browsers. */
function xsrfHeader(config: InternalAxiosRequestConfig, url: string): [string, string] | undefined {
  const doc = (globalThis as { document?: CookieReader }).document;
  const name = config.xsrfHeaderName;
  const cookieName = config.xsrfCookieName;
  if (doc === undefined || typeof doc.cookie !== 'string' || !name || !cookieName) return undefined;
  if (config.withXSRFToken === false) return undefined;
  if (config.withXSRFToken !== true && typeof config.withXSRFToken !== 'function') {
    const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
    if (origin === undefined || !url.startsWith(`${origin}/`)) return undefined;
  }
  for (const part of doc.cookie.split(';')) {
    const [rawName, ...rest] = part.trim().split('=');
    if (rawName === cookieName) return [name.toLowerCase(), safeDecode(rest.join('='))];
  }
  return undefined;
}

function basic(userinfo: string): string {
  const bytes = new TextEncoder().encode(userinfo);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** Works out the wire request. `ignored` holds the lower-case credential names (`ignoredParams`). */
export function wireRequest(config: InternalAxiosRequestConfig, urls: UrlParser, ignored: ReadonlySet<string>): WireRequest {
  const method = (config.method ?? 'get').toUpperCase();
  const { url, userinfo, credentialParams } = urls.parse(config);
  const headers = lowerCaseHeaders(config.headers);
  // axios' adapters: `auth` wins, then (Node's http adapter) userinfo in the URL; either replaces the header.
  const auth = config.auth;
  if (auth) headers.set('authorization', basic(`${auth.username ?? ''}:${auth.password ?? ''}`));
  else if (userinfo !== undefined) headers.set('authorization', basic(userinfo));
  const xsrf = xsrfHeader(config, url);
  if (xsrf) headers.set(xsrf[0], xsrf[1]);

  let lines: string[] | undefined;
  for (const [name, value] of headers) {
    if (ignored.has(name) || name === 'cookie' || (xsrf !== undefined && name === xsrf[0])) (lines ??= []).push(`${name}: ${value}\n`);
  }
  return { method, url, headers, credentials: lines === undefined ? credentialParams : credentialParams + lines.sort().join(''), credentialParams };
}

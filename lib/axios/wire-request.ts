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

/** Where the scheme of `url` ends (its `:`), or -1 when it starts with none: a letter, then letters, digits, `+`, `-`, `.`. */
function schemeEnd(url: string): number {
  for (let i = 0; i < url.length; i++) {
    const code = url.charCodeAt(i) | 0x20; // lower-case for letters
    if (code >= 0x61 && code <= 0x7a) continue;
    if (i === 0) return -1;
    const raw = url.charCodeAt(i);
    if (raw === 0x3a) return i;
    if (!((raw >= 0x30 && raw <= 0x39) || raw === 0x2b || raw === 0x2d || raw === 0x2e)) return -1;
  }
  return -1;
}

/** An absolute URL: one with a scheme. */
function isAbsolute(url: string): boolean {
  return schemeEnd(url) !== -1;
}

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

/** A URL axios' buildFullPath takes as absolute: a scheme and `//`, or `//` alone. */
function isAbsoluteWithAuthority(url: string): boolean {
  return url.startsWith('//', schemeEnd(url) + 1);
}

/** `baseURL` and `url` joined as axios' combineURLs joins them: one `/` between, up to two trailing ones of `baseURL` dropped. */
function combineUrls(baseURL: string, url: string): string {
  let end = baseURL.length;
  if (baseURL.charCodeAt(end - 1) === 0x2f) end -= baseURL.charCodeAt(end - 2) === 0x2f ? 2 : 1;
  let start = 0;
  while (url.charCodeAt(start) === 0x2f) start++;
  return `${baseURL.slice(0, end)}/${url.slice(start)}`;
}

/**
 * The URL axios sends: `baseURL` joined to `url` as axios' buildFullPath does; with params, that URL parsed (as
 * Node's http adapter does) and the params appended through axios' own serialisation (`paramsSerializer`
 * included) via `getUri`. Without params, axios' buildURL leaves the URL as it is, so the hit path skips getUri.
 */
function builtUri(config: UrlParts): string {
  // Its text: axios' adapters also take a URL object (`new URL(url)`), whose text may change between two requests.
  const url = String(config.url ?? '');
  const { baseURL } = config;
  const full = !baseURL || (isAbsoluteWithAuthority(url) && config.allowAbsoluteUrls !== false) ? url : url ? combineUrls(baseURL, url) : baseURL;
  if (config.params === undefined || config.params === null) return full;
  // Node's http adapter parses the URL first, then appends the serialised params to its path and query.
  const parsed = new URL(full, isAbsolute(full) ? undefined : fallbackBase());
  const userinfo = parsed.username || parsed.password ? `${parsed.username}:${parsed.password}@` : '';
  const parts: AxiosRequestConfig = { url: `${parsed.protocol}//${userinfo}${parsed.host}${parsed.pathname}${parsed.search}`, params: config.params as unknown };
  if (config.paramsSerializer !== undefined) parts.paramsSerializer = config.paramsSerializer;
  return uriBuilder.getUri(parts);
}

/** Per ASCII code: {@link PATH} when a path may hold it as it is, {@link QUERY} when a query may (no percent-encode set touches it). */
const URL_CHARS = new Uint8Array(128);
const PATH = 1;
const QUERY = 2;
for (const char of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/%") URL_CHARS[char.charCodeAt(0)] = PATH | QUERY;
URL_CHARS[0x3f] = QUERY; // '?'

/** `.`, `..` or their percent-encoded forms (`%2e`, any case): a path segment WHATWG URL parsing removes or resolves. */
function isDotSegment(url: string, start: number, end: number): boolean {
  const length = end - start;
  if (length === 1 || length === 2) return url.charCodeAt(start) === 0x2e && (length === 1 || url.charCodeAt(start + 1) === 0x2e);
  if (length !== 3 && length !== 4 && length !== 6) return false;
  const lower = url.slice(start, end).toLowerCase();
  return lower === '%2e' || lower === '.%2e' || lower === '%2e.' || lower === '%2e%2e';
}

/**
 * Where the query of `url` starts (its `?`, or its length when it has none) when `new URL(url)` would give back `url`
 * itself up to an empty query, or -1 when only the full parse can tell. Most request URLs are of this kind; a miss
 * then skips the parse. One scan: a lower-case `http` or `https` scheme; a lower-case host name of letters, digits
 * and `-` in non-empty labels, neither punycode (`xn--`) nor numeric (WHATWG URL parsing reads a host whose last
 * label is a number as an IPv4 address) unless a canonical IPv4 address (four decimal numbers up to 255, no leading
 * zeros); no userinfo; a port from 1 to 65535 without leading zeros, not the scheme's default; an explicit path with
 * no dot segment; and only characters no percent-encode set touches.
 */
export function plainQueryStart(url: string): number {
  let i: number;
  let defaultPort: number;
  if (url.startsWith('http://')) {
    i = 7;
    defaultPort = 80;
  } else if (url.startsWith('https://')) {
    i = 8;
    defaultPort = 443;
  } else return -1;
  const length = url.length;
  // The host, label by label: `octets` counts the labels that are a canonical IPv4 number.
  let labels = 0;
  let octets = 0;
  let numeric = false;
  let code = 0;
  for (;;) {
    const labelStart = i;
    let digits = true;
    let value = 0;
    for (; i < length; i++) {
      code = url.charCodeAt(i);
      if (code >= 0x30 && code <= 0x39) value = value * 10 + code - 0x30;
      else if ((code >= 0x61 && code <= 0x7a) || code === 0x2d) digits = false;
      else break;
    }
    const labelLength = i - labelStart;
    if (labelLength === 0) return -1;
    labels += 1;
    if (digits && value <= 255 && (labelLength === 1 || url.charCodeAt(labelStart) !== 0x30)) octets += 1;
    if (labelLength >= 4 && url.startsWith('xn--', labelStart)) return -1;
    if (i >= length || code !== 0x2e) {
      // The last label: a number (decimal, or hexadecimal after 0x) makes the host an IPv4 address.
      numeric = digits || (url.charCodeAt(labelStart) === 0x30 && url.charCodeAt(labelStart + 1) === 0x78 && isHexTail(url, labelStart + 2, i));
      break;
    }
    i += 1;
  }
  if (numeric && (labels !== 4 || octets !== 4)) return -1;
  if (i < length && code === 0x3a) {
    const portStart = ++i;
    let port = 0;
    for (; i < length; i++) {
      code = url.charCodeAt(i);
      if (code < 0x30 || code > 0x39) break;
      port = port * 10 + code - 0x30;
    }
    if (i === portStart || i - portStart > 5 || url.charCodeAt(portStart) === 0x30 || port > 65535 || port === defaultPort) return -1;
  }
  if (i >= length || url.charCodeAt(i) !== 0x2f) return -1;
  // The path, segment by segment, up to the query.
  let segmentStart = i + 1;
  for (i += 1; i < length; i++) {
    code = url.charCodeAt(i);
    if (code === 0x2f || code === 0x3f) {
      if (isDotSegment(url, segmentStart, i)) return -1;
      if (code === 0x3f) break;
      segmentStart = i + 1;
    } else if (code >= 128 || (URL_CHARS[code]! & PATH) === 0) return -1;
  }
  if (i >= length) return isDotSegment(url, segmentStart, length) ? -1 : length;
  const queryStart = i;
  for (i += 1; i < length; i++) {
    code = url.charCodeAt(i);
    if (code >= 128 || (URL_CHARS[code]! & QUERY) === 0) return -1;
  }
  return queryStart;
}

/** Whether `url` holds only lower-case hexadecimal digits from `start` to `end` (none at all included). */
function isHexTail(url: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = url.charCodeAt(i);
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) return false;
  }
  return true;
}

/**
 * The key URL of `prefix` (scheme, host and path, as parsed) and `search` (the query without its `?`): the query
 * parameters named in `ignored` left out and returned as credential lines.
 */
function withoutCredentials(prefix: string, search: string, userinfo: string | undefined, ignored: ReadonlySet<string>): ParsedUrl {
  // The kept pairs are joined only once one is left out; until then the query stays as it is.
  let kept: string[] | undefined;
  let credentialParams = '';
  let start = 0;
  while (search !== '') {
    let end = search.indexOf('&', start);
    if (end === -1) end = search.length;
    let nameEnd = start;
    while (nameEnd < end && search.charCodeAt(nameEnd) !== 0x3d) nameEnd++;
    if (ignored.has(queryName(search.slice(start, nameEnd)))) {
      kept ??= start === 0 ? [] : search.slice(0, start - 1).split('&');
      credentialParams += `?${search.slice(start, end)}\n`;
    } else kept?.push(search.slice(start, end));
    if (end === search.length) break;
    start = end + 1;
  }
  const query = kept === undefined ? search : kept.join('&');
  // A query made of one empty pair left after the others were taken out stays ('?'), as it always has.
  const url = query === '' && (kept === undefined || kept.length === 0) ? prefix : `${prefix}?${query}`;
  return { url, userinfo, credentialParams };
}

/** A query parameter's name as compared with `ignoredParams`: decoded (`+` is a space) when it holds `%` or `+`, lower-case. */
function queryName(raw: string): string {
  return (raw.includes('%') || raw.includes('+') ? safeDecode(raw.replace(/\+/g, ' ')) : raw).toLowerCase();
}

function parseBuilt(built: string, ignored: ReadonlySet<string>): ParsedUrl {
  const queryStart = plainQueryStart(built);
  if (queryStart !== -1) return withoutCredentials(built.slice(0, queryStart), built.slice(queryStart + 1), undefined, ignored);
  // The adapters parse the URL with WHATWG URL rules too, so what this parse normalises, they normalise alike.
  const parsed = new URL(built, isAbsolute(built) ? undefined : fallbackBase());
  const userinfo = parsed.username || parsed.password ? `${safeDecode(parsed.username)}:${safeDecode(parsed.password)}` : undefined;
  return withoutCredentials(`${parsed.protocol}//${parsed.host}${parsed.pathname}`, parsed.search.slice(1), userinfo, ignored);
}

/**
 * One cache's URL parser: the request's absolute URL as axios sends it, reduced for keying. Only the last request's
 * parse is remembered (most URLs parse with one scan, {@link plainQueryStart}, which costs less than remembering
 * them would). Throws what axios would throw for a URL or params it cannot serialise.
 */
export class UrlParser {
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
    // on /b/. Its parse never stands for the next request's.
    const relative = !isAbsolute(built);
    const parsed = parseBuilt(built, this.#ignored);
    // Only a parse made without params stands for the next request's (its URL alone does not say what params added),
    // and only for a URL given as text (a URL object compares by identity, and may have changed since).
    this.#last = !relative && (config.url === undefined || typeof config.url === 'string') && (config.params === undefined || config.params === null) ? { url: config.url, baseURL: config.baseURL, allowAbsoluteUrls: config.allowAbsoluteUrls, parsed } : undefined;
    return parsed;
  }

  /** The parse the next request of the same URL parts will be given back (the last one, when it had no params). */
  lastParse(): ParsedUrl | undefined {
    return this.#last?.parsed;
  }

  /** The key URL alone. */
  readonly url: UrlNormaliser = (config) => this.parse(config).url;
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
  // Outside browsers, before any config read: each one is a dictionary lookup (axios' configs have no prototype).
  if (doc === undefined || typeof doc.cookie !== 'string') return undefined;
  const name = config.xsrfHeaderName;
  const cookieName = config.xsrfCookieName;
  if (!name || !cookieName) return undefined;
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

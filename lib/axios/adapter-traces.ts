/**
 * What the adapter knew about a response and axios did not pass on, read from the traces each adapter leaves:
 *
 * - Redirects are followed inside the adapter, so a response may answer another URL than the one requested, after a
 *   3xx the cache never saw (whose `private` or `no-store` it could not honour). Such a response is never stored.
 *   Node's http adapter (follow-redirects) puts the final URL on `response.request.res.responseUrl`;
 *   XMLHttpRequest has `responseURL`; the fetch adapter keeps no trace, so the cache hands it a fetch that notes it.
 * - A compressed body delimited only by the connection closing (HTTP/1, neither `Content-Length` nor chunked) ends
 *   the same way whether the origin finished or the network cut it, and it decodes without an error when cut. Such a
 *   body is never stored. Node's http adapter leaves the raw headers on `response.request.res`; the fetch tracker
 *   notes the framing headers. (An uncompressed body cut there cannot be told from a complete one by anybody.)
 */
import { getAdapter } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { UrlParser, WireRequest } from './wire-request.js';

interface FetchResponseLike {
  readonly redirected?: boolean;
  readonly url?: string;
  readonly headers?: { get(name: string): string | null };
}
type FetchLike = (input: unknown, init?: unknown) => Promise<FetchResponseLike>;

/** What the fetch tracker noted, by the Request object axios passed to fetch (its `response.request`). */
const fetchTraces = new WeakMap<object, { readonly finalUrl: string | undefined; readonly unframedCompressed: boolean }>();
const trackers = new WeakMap<FetchLike, FetchLike>();

function compressedWithoutFraming(contentEncoding: string | null | undefined, contentLength: unknown, transferEncoding: unknown): boolean {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  return encoding !== '' && encoding !== 'identity' && (contentLength === null || contentLength === undefined) && (transferEncoding === null || transferEncoding === undefined);
}

function track(fetch: () => FetchLike | undefined): FetchLike {
  return (input, init) => {
    const original = fetch();
    if (!original) return Promise.reject(new TypeError('axios-http-cache: fetch is not available in this environment; use the http or xhr adapter'));
    return original(input, init).then((response) => {
      if (typeof input === 'object' && input !== null) {
        const headers = response.headers;
        fetchTraces.set(input, {
          finalUrl: response.redirected === true && typeof response.url === 'string' ? response.url : undefined,
          unframedCompressed: IN_NODE && headers ? compressedWithoutFraming(headers.get('content-encoding'), headers.get('content-length'), headers.get('transfer-encoding')) : false,
        });
      }
      return response;
    });
  };
}

/** Node's fetch (undici) takes a body that ended with the connection as complete; browsers report such cuts themselves. */
const IN_NODE = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';

const globalTracker = track(() => (globalThis as { fetch?: FetchLike }).fetch);

/**
 * What to choose the inner adapter with (axios' `getAdapter` reads only `env` of it): the request's `env`, with an
 * `env.fetch` that leaves traces. A tracker is made once per fetch function, because axios' fetch adapter keeps one
 * instance per `env.fetch` it is given.
 */
function withAdapterTraces(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
  const env = config.env as { fetch?: unknown } | undefined;
  const own = env?.fetch;
  if (own !== undefined && typeof own !== 'function') return config;
  let tracker = globalTracker;
  if (typeof own === 'function') {
    const original = own as FetchLike;
    tracker = trackers.get(original) ?? track(() => original);
    trackers.set(original, tracker);
  }
  return { env: { ...config.env, fetch: tracker } } as InternalAxiosRequestConfig;
}

type AdapterSetting = NonNullable<InternalAxiosRequestConfig['adapter']>;

/** The adapter axios would choose from `setting` for this request, handed a fetch that leaves traces. */
export function tracedAdapter(setting: AdapterSetting, config: InternalAxiosRequestConfig): AxiosAdapter {
  return getAdapter(setting, withAdapterTraces(config));
}

/** One of the `env` fields axios' choice of adapter reads (its fetch adapter is made once per fetch, Request, Response and Blob, own properties only). */
function envField(env: Record<string, unknown> | null | undefined, name: 'fetch' | 'Request' | 'Response' | 'Blob'): unknown {
  return env != null && Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
}

/**
 * {@link tracedAdapter} for one setting, chosen again only when a request's `env` holds another fetch, Request,
 * Response or Blob than the last request's: a miss then neither copies `env` nor walks the adapter list.
 */
export function tracedAdapterOf(setting: AdapterSetting): (config: InternalAxiosRequestConfig) => AxiosAdapter {
  let last: { readonly fetch: unknown; readonly Request: unknown; readonly Response: unknown; readonly Blob: unknown; readonly adapter: AxiosAdapter } | undefined;
  return (config) => {
    const env = config.env as Record<string, unknown> | null | undefined;
    const fetch = envField(env, 'fetch');
    const Request = envField(env, 'Request');
    const Response = envField(env, 'Response');
    const Blob = envField(env, 'Blob');
    if (last !== undefined && last.fetch === fetch && last.Request === Request && last.Response === Response && last.Blob === Blob) return last.adapter;
    const adapter = tracedAdapter(setting, config);
    last = { fetch, Request, Response, Blob, adapter };
    return adapter;
  };
}

interface RequestTraces {
  readonly res?: { readonly responseUrl?: unknown; readonly rawHeaders?: unknown; readonly httpVersionMajor?: unknown } | null;
  readonly responseURL?: unknown;
}

function requestOf(response: AxiosResponse): (RequestTraces & object) | undefined {
  const request = response.request as (RequestTraces & object) | null | undefined;
  return request !== null && typeof request === 'object' ? request : undefined;
}

/** The key URL a response was redirected to, or undefined when it answers the URL requested (credential parameters included). */
export function redirectedTo(response: AxiosResponse, wire: WireRequest, urls: UrlParser): string | undefined {
  const request = requestOf(response);
  if (!request) return undefined;
  const final = fetchTraces.get(request)?.finalUrl ?? request.res?.responseUrl ?? request.responseURL;
  if (typeof final !== 'string' || final === '') return undefined;
  // The usual answer: the key URL itself, which parses to itself (no second parse).
  if (final === wire.url && wire.credentialParams === '') return undefined;
  try {
    const parsed = urls.parse({ url: final });
    return parsed.url === wire.url && parsed.credentialParams === wire.credentialParams ? undefined : parsed.url;
  } catch {
    return final;
  }
}

/** True when the response has a compressed body delimited only by the connection closing (see above). */
export function unframedCompressed(response: AxiosResponse, method: string): boolean {
  if (method === 'HEAD' || response.status === 204 || response.status === 304) return false;
  const request = requestOf(response);
  if (!request) return false;
  const traced = fetchTraces.get(request);
  if (traced) return traced.unframedCompressed;
  const res = request.res;
  if (!res || !Array.isArray(res.rawHeaders) || res.httpVersionMajor !== 1) return false;
  const raw = res.rawHeaders as unknown[];
  let encoding: string | undefined;
  let length: string | undefined;
  let transfer: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i];
    // Only names of the lengths of the three looked for are lower-cased (content-length 14, content-encoding 16, transfer-encoding 17).
    if (typeof field !== 'string' || (field.length !== 14 && field.length !== 16 && field.length !== 17)) continue;
    const name = field.toLowerCase();
    if (name === 'content-encoding') encoding = String(raw[i + 1]);
    else if (name === 'content-length') length = String(raw[i + 1]);
    else if (name === 'transfer-encoding') transfer = String(raw[i + 1]);
  }
  return compressedWithoutFraming(encoding, length, transfer);
}

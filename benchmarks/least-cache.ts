/**
 * The miss floor: the least any cache in front of axios does on a miss, as a reference row beside the miss (never a
 * cache to use: it normalises nothing, decides nothing by RFC 9111 beyond a max-age, shares no call, survives no
 * failure). It builds a key from the method and the URL as given, looks it up in a map, calls the http adapter with a
 * config and headers of its own (the adapter writes into the headers it is given), reads `max-age`, and keeps the
 * status, the string headers and the body (bytes copied, so no caller can change them) in an LRU map bounded as the
 * MemoryStore default is: 1,000 entries and 50 MiB, sized as MemoryStore sizes a record.
 */
import axios, { AxiosError, AxiosHeaders, getAdapter } from 'axios';
import type { AxiosInstance, AxiosResponse, CreateAxiosDefaults, InternalAxiosRequestConfig } from 'axios';
import { LRUCache } from 'lru-cache';

interface Entry {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: unknown;
  readonly expiresAt: number;
}

const MAX_AGE = /(?:^|,)\s*max-age=(\d+)/i;

/** A body no caller shares: strings as they are, bytes copied. */
function ownBody(data: unknown): unknown {
  if (data instanceof Uint8Array) return Buffer.from(data);
  if (data instanceof ArrayBuffer) return data.slice(0);
  return data;
}

/** An entry's size as MemoryStore estimates a record's: 2 bytes per character of text, bytes as they are, 256 more. */
function entrySize(entry: Entry): number {
  let chars = 0;
  for (const name in entry.headers) chars += name.length + (entry.headers[name]?.length ?? 0);
  const body = typeof entry.data === 'string' ? 2 * entry.data.length : entry.data instanceof Uint8Array ? entry.data.byteLength : 0;
  return 256 + 2 * chars + body;
}

export function leastCacheInstance(defaults: CreateAxiosDefaults): AxiosInstance {
  const http = getAdapter('http');
  const entries = new LRUCache<string, Entry>({ max: 1000, maxSize: 50 * 1024 * 1024, sizeCalculation: entrySize });
  const api = axios.create(defaults);
  api.defaults.adapter = async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const key = `${(config.method ?? 'get').toUpperCase()} ${config.baseURL ?? ''}${config.url ?? ''}`;
    const stored = entries.get(key);
    if (stored !== undefined && stored.expiresAt > Date.now()) {
      return { data: ownBody(stored.data), status: stored.status, statusText: '', headers: new AxiosHeaders(stored.headers), config, request: {} };
    }
    const response = await http({ ...config, headers: new AxiosHeaders(config.headers), validateStatus: null } as InternalAxiosRequestConfig);
    const maxAge = MAX_AGE.exec(String(response.headers['cache-control'] ?? ''));
    if (maxAge !== null && response.status === 200) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers[name] = value;
      entries.set(key, { status: response.status, headers, data: ownBody(response.data), expiresAt: Date.now() + Number(maxAge[1]) * 1000 });
    }
    response.config = config;
    // Settled as axios' adapters settle, by the caller's own validateStatus.
    if (config.validateStatus && !config.validateStatus(response.status)) throw new AxiosError(`Request failed with status code ${response.status}`, AxiosError.ERR_BAD_RESPONSE, config, response.request, response);
    return response;
  };
  return api;
}

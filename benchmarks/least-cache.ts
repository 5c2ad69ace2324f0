/**
 * The miss floor: the least any cache in front of axios does on a miss, as a reference row beside the miss (never a
 * cache to use: it normalises nothing, decides nothing by RFC 9111 beyond a max-age, shares no call, survives no
 * failure). It builds a key from the method and the URL as given, looks it up in a map, calls the http adapter with a
 * config and headers of its own (the adapter writes into the headers it is given), reads `max-age`, and keeps the
 * status, the string headers and the body in an LRU map of 1,000 entries, as the MemoryStore default holds.
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

export function leastCacheInstance(defaults: CreateAxiosDefaults): AxiosInstance {
  const http = getAdapter('http');
  const entries = new LRUCache<string, Entry>({ max: 1000 });
  const api = axios.create(defaults);
  api.defaults.adapter = async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const key = `${(config.method ?? 'get').toUpperCase()} ${config.baseURL ?? ''}${config.url ?? ''}`;
    const stored = entries.get(key);
    if (stored !== undefined && stored.expiresAt > Date.now()) {
      return { data: stored.data, status: stored.status, statusText: '', headers: new AxiosHeaders(stored.headers), config, request: {} };
    }
    const response = await http({ ...config, headers: new AxiosHeaders(config.headers), validateStatus: null } as InternalAxiosRequestConfig);
    const maxAge = MAX_AGE.exec(String(response.headers['cache-control'] ?? ''));
    if (maxAge !== null && response.status === 200) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers[name] = value;
      entries.set(key, { status: response.status, headers, data: response.data, expiresAt: Date.now() + Number(maxAge[1]) * 1000 });
    }
    response.config = config;
    // Settled as axios' adapters settle, by the caller's own validateStatus.
    if (config.validateStatus && !config.validateStatus(response.status)) throw new AxiosError(`Request failed with status code ${response.status}`, AxiosError.ERR_BAD_RESPONSE, config, response.request, response);
    return response;
  };
  return api;
}

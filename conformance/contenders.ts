/**
 * The caches under test, each reached through a WHATWG fetch: ours (axios + attachCache, default options apart from
 * `shared`) and undici's cache interceptor (undici's fetch over `new Agent().compose(interceptors.cache(...))`).
 */
import { Agent as HttpAgent } from 'node:http';
import axios from 'axios';
import { Agent, fetch as undiciFetch, interceptors } from 'undici';
import { attachCache } from '../lib/index.js';
import { createAxiosFetch } from './fetch-shim.js';
import type { CacheModeMapping, FetchInit, FetchLike } from './fetch-shim.js';

export const CONTENDERS = ['ours-private', 'ours-shared', 'undici-private', 'undici-shared'] as const;
export type ContenderName = (typeof CONTENDERS)[number];

export const CONTENDER_LABELS: Readonly<Record<ContenderName, string>> = {
  'ours-private': 'axios-http-cache (default, private)',
  'ours-shared': 'axios-http-cache (shared: true)',
  'undici-private': "undici cache (type: 'private')",
  'undici-shared': "undici cache (type: 'shared')",
};

export function isContender(name: string): name is ContenderName {
  return (CONTENDERS as readonly string[]).includes(name);
}

export interface Contender {
  readonly fetch: FetchLike;
  /** Releases sockets so the process can end. */
  close(): Promise<void>;
}

export function createContender(name: ContenderName, cacheModes: CacheModeMapping = 'request-headers'): Contender {
  if (name === 'ours-private' || name === 'ours-shared') {
    // No kept-alive sockets: the suite's origin closes an idle socket after Node's 5 s default, and on a loaded
    // machine axios may write to one in the moment it closes ("socket hang up"), failing a test the cache never saw.
    const instance = axios.create({ httpAgent: new HttpAgent({ keepAlive: false }) });
    const handle = attachCache(instance, name === 'ours-shared' ? { shared: true } : {});
    return {
      fetch: createAxiosFetch(instance, { cacheModes }),
      close: () => {
        handle.detach();
        return Promise.resolve();
      },
    };
  }
  const agent = new Agent().compose(interceptors.cache({ type: name === 'undici-shared' ? 'shared' : 'private' }));
  const fetch: FetchLike = async (url: string, init: FetchInit = {}) => {
    const request: NonNullable<Parameters<typeof undiciFetch>[1]> = { dispatcher: agent };
    if (init.method !== undefined) request.method = init.method;
    if (init.headers !== undefined) request.headers = init.headers as NonNullable<typeof request.headers>;
    if (init.body !== undefined) request.body = init.body;
    if (init.cache !== undefined) request.cache = init.cache;
    if (init.redirect !== undefined) request.redirect = init.redirect;
    const response = await undiciFetch(url, request);
    // undici's Response class is its own; the suite only reads status, headers and text(), which both have.
    return response as unknown as Response;
  };
  return { fetch, close: () => agent.close() };
}

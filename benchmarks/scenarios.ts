/**
 * The one-shot checks: origin requests made by 100 concurrent identical cold requests, and heap
 * retained per cached 1 KB entry.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import axios, { AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosInstance } from 'axios';
import { buildMemoryStorage, setupCache } from 'axios-cache-interceptor';
import { attachCache, MemoryStore, type CacheStore } from '../lib/index.js';
import { jsonOfSize } from './bodies.js';
import type { Origin } from './servers.js';

export interface ConcurrencyResult {
  readonly label: string;
  readonly requests: number;
  readonly originRequests: number;
  /** Every answer carried the full body. */
  readonly allAnswered: boolean;
}

/** Fires `requests` identical GETs at once at a cold cache (origin answers after 20 ms) and counts origin requests. */
export async function concurrentColdRequests(label: string, api: Getter, origin: Origin, tag: string, requests = 100): Promise<ConcurrencyResult> {
  const path = `/slow/json-1k?run=${encodeURIComponent(tag)}`;
  const answers = await Promise.all(Array.from({ length: requests }, () => api.get<unknown>(path)));
  const allAnswered = answers.every((response) => response.status === 200 && Array.isArray(response.data));
  return { label, requests, originRequests: origin.count(path), allAnswered };
}

export function ahcInstance(origin: Origin, store: CacheStore): AxiosInstance {
  const api = axios.create({ baseURL: origin.baseUrl });
  attachCache(api, { store });
  return api;
}

/** The part of an axios (or axios-cache-interceptor) instance these checks use. */
export interface Getter {
  get<T>(url: string): Promise<{ status: number; data: T }>;
}

export function aciInstance(origin: Origin): Getter {
  return setupCache(axios.create({ baseURL: origin.baseUrl }), { storage: buildMemoryStorage(false, false, false) });
}

export interface MemoryResult {
  readonly label: string;
  readonly entries: number;
  readonly bodyBytes: number;
  readonly retainedBytesPerEntry: number;
}

/** `gc()` through V8's flag, so `npm run bench` needs no `--expose-gc`. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc !== 'function') throw new Error('gc() is not available');
  return () => {
    (gc as () => void)();
    (gc as () => void)();
  };
}

/** An adapter answering each URL with its own freshly built ~1 KB JSON string (as the network would). */
function distinctBodies(): AxiosAdapter {
  let seed = 0;
  return (config) => Promise.resolve({
    data: jsonOfSize(1024, ++seed),
    status: 200,
    statusText: 'OK',
    headers: new AxiosHeaders({ 'content-type': 'application/json', 'cache-control': 'public, max-age=3600', etag: `"${seed}"`, date: new Date().toUTCString() }),
    config,
    request: {},
  });
}

/**
 * Heap retained per cached entry: heap after filling a cache with `entries` distinct 1 KB responses
 * (responses dropped, two full GCs) minus heap before, divided by `entries`.
 */
async function retainedPerEntry(label: string, entries: number, fill: (adapter: AxiosAdapter) => { api: Getter; keep: unknown }): Promise<MemoryResult> {
  const gc = collector();
  gc();
  const beforeBytes = process.memoryUsage().heapUsed;
  const held = fill(distinctBodies());
  for (let i = 0; i < entries; i++) await held.api.get(`/entries/${i}`);
  gc();
  const afterBytes = process.memoryUsage().heapUsed;
  if (held.keep === undefined) throw new Error('nothing held');
  return { label, entries, bodyBytes: jsonOfSize(1024, 1).length, retainedBytesPerEntry: (afterBytes - beforeBytes) / entries };
}

export async function memoryPerEntry(entries: number): Promise<MemoryResult[]> {
  const ahc = await retainedPerEntry('axios-http-cache, MemoryStore', entries, (adapter) => {
    const store = new MemoryStore({ maxEntries: entries * 2, maxBytes: 1024 * 1024 * 1024 });
    const api = axios.create({ baseURL: 'http://bench.local', adapter });
    attachCache(api, { store });
    return { api, keep: store };
  });
  const aci = await retainedPerEntry('axios-cache-interceptor, memory storage', entries, (adapter) => {
    const storage = buildMemoryStorage(false, false, false);
    const api = setupCache(axios.create({ baseURL: 'http://bench.local', adapter }), { storage });
    return { api, keep: storage };
  });
  return [ahc, aci];
}

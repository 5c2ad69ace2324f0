/** The attachCache scenarios of the page: miss then hit, `cache: false`, persistence across reloads and tabs. */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { attachCache, type CacheHandle } from '../../../lib/index.js';
import { IndexedDBStore } from '../../../lib/stores/indexeddb.js';
import type { CacheStore } from '../../../lib/stores/store.js';
import { WebStorageStore } from '../../../lib/stores/web-storage.js';
import { check, type PageResults } from './report.js';

export type StoreKind = 'memory' | 'localStorage' | 'indexedDB';

/** Database and prefix the persistence scenarios share across reloads and tabs. */
export const DEMO_DB_NAME = 'demo-idb';
export const DEMO_PREFIX = 'demo-ls:';

export interface CachedClient {
  readonly api: AxiosInstance;
  readonly cache: CacheHandle;
  readonly store: CacheStore;
}

export function makeClient(kind: StoreKind): CachedClient {
  const api = axios.create({ baseURL: location.origin });
  const store: CacheStore | undefined =
    kind === 'localStorage' ? new WebStorageStore({ prefix: DEMO_PREFIX }) : kind === 'indexedDB' ? new IndexedDBStore({ dbName: DEMO_DB_NAME }) : undefined;
  const cache = attachCache(api, store === undefined ? {} : { store });
  return { api, cache, store: cache.store };
}

/** Resolves on the next `stored` event (the write may finish after the response is delivered). */
export function nextStored(cache: CacheHandle, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no stored event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (): void => {
      clearTimeout(timer);
      cache.off('stored', listener);
      resolve();
    };
    cache.on('stored', listener);
  });
}

export async function hitsOf(pathAndQuery: string): Promise<number> {
  const response = await fetch(`/__hits?url=${encodeURIComponent(pathAndQuery)}`);
  return ((await response.json()) as { hits: number }).hits;
}

const describeResponse = (response: AxiosResponse): string => `fromCache=${String(response.fromCache)} status=${response.cacheInfo?.status ?? 'none'}`;

/** Expected bytes of /api/binary: 0..255 four times. */
export function binaryPattern(): Uint8Array {
  return Uint8Array.from({ length: 1024 }, (_, index) => index % 256);
}

function sameBytes(actual: unknown, expected: Uint8Array): boolean {
  const bytes = actual instanceof ArrayBuffer ? new Uint8Array(actual) : actual instanceof Uint8Array ? actual : undefined;
  return bytes !== undefined && bytes.length === expected.length && bytes.every((byte, index) => byte === expected[index]);
}

export async function missThenHit(results: PageResults): Promise<void> {
  const { api, cache } = makeClient('memory');
  const stored = nextStored(cache);
  const first = await api.get('/api/items?id=1');
  await stored;
  check(results, 'memory: first request is a miss', first.fromCache === false && first.cacheInfo?.status === 'miss', describeResponse(first));
  const second = await api.get('/api/items?id=1');
  check(results, 'memory: second request is a hit', second.fromCache === true && second.cacheInfo?.status === 'hit', describeResponse(second));
  check(results, 'memory: the hit carries the same data', JSON.stringify(second.data) === JSON.stringify(first.data), JSON.stringify(second.data));
  const bypass = await api.get('/api/items?id=1', { cache: false });
  check(results, 'cache: false goes to the network', bypass.fromCache !== true && bypass.cacheInfo?.status !== 'hit', describeResponse(bypass));
  const hits = await hitsOf('/api/items?id=1');
  check(results, 'the origin saw two requests (miss and cache: false)', hits === 2, `hits=${hits}`);
  results.facts['itemsHits'] = hits;
}

async function readStream(data: unknown): Promise<Uint8Array | undefined> {
  if (!(data instanceof ReadableStream)) return undefined;
  const reader = (data as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const step = await reader.read();
    if (step.done) break;
    chunks.push(step.value);
  }
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** `responseType: 'stream'` with the fetch adapter: a ReadableStream read whole is stored, and a hit is a ReadableStream. */
export async function streamMissThenHit(results: PageResults): Promise<void> {
  const api = axios.create({ baseURL: location.origin, adapter: 'fetch' });
  const cache = attachCache(api);
  const url = '/api/binary?stream=1';
  const stored = nextStored(cache);
  const first = await api.get(url, { responseType: 'stream' });
  const firstBytes = await readStream(first.data);
  await stored;
  check(results, 'stream: the miss is a ReadableStream of the origin bytes', first.cacheInfo?.status === 'miss' && firstBytes !== undefined && sameBytes(firstBytes, binaryPattern()), describeResponse(first));
  const second = await api.get(url, { responseType: 'stream' });
  const secondBytes = await readStream(second.data);
  check(results, 'stream: the hit is a ReadableStream of the same bytes', second.cacheInfo?.status === 'hit' && secondBytes !== undefined && sameBytes(secondBytes, binaryPattern()), describeResponse(second));
  const bytes = await api.get(url, { responseType: 'arraybuffer' });
  check(results, 'stream: the stream entry does not answer an arraybuffer request', bytes.cacheInfo?.status === 'miss', describeResponse(bytes));
}

/** First page load: clears the persistent stores, then fills them through a miss each. */
export async function seedPersistentStores(results: PageResults): Promise<void> {
  for (const kind of ['localStorage', 'indexedDB'] as const) {
    const { api, cache, store } = makeClient(kind);
    await store.clear?.();
    const stored = nextStored(cache);
    const response = await api.get(`/api/persist?store=${kind}`);
    await stored;
    check(results, `${kind}: first request is a miss and gets stored`, response.fromCache === false, describeResponse(response));
    if (kind === 'indexedDB') {
      const binaryStored = nextStored(cache);
      const binary = await api.get<ArrayBuffer>('/api/binary', { responseType: 'arraybuffer' });
      await binaryStored;
      check(results, 'indexedDB: binary response is a miss and gets stored', binary.fromCache === false && sameBytes(binary.data, binaryPattern()), describeResponse(binary));
      await checkRawBinaryRow(results);
    }
  }
}

/** Reads the IndexedDB row directly: the body must be a Uint8Array of the response's length, not base64 text. */
async function checkRawBinaryRow(results: PageResults): Promise<void> {
  const store = new IndexedDBStore({ dbName: DEMO_DB_NAME });
  let found: { type: string; bytesType: string; length: number } | undefined;
  for await (const record of store.entries()) {
    if (record.url.endsWith('/api/binary') && record.body.type === 'binary') {
      found = { type: record.body.type, bytesType: Object.prototype.toString.call(record.body.bytes), length: record.body.bytes.byteLength };
    }
  }
  await store.close();
  check(results, 'indexedDB: the binary body is stored as bytes (structured clone, no base64)', found?.bytesType === '[object Uint8Array]' && found.length === 1024, JSON.stringify(found));
}

/** After a reload (or in another tab): the persistent stores answer without the network. */
export async function hitsAfterReload(results: PageResults, label: string): Promise<void> {
  for (const kind of ['localStorage', 'indexedDB'] as const) {
    const { api } = makeClient(kind);
    const response = await api.get(`/api/persist?store=${kind}`);
    check(results, `${kind}: ${label} the request is a hit`, response.fromCache === true && response.cacheInfo?.status === 'hit', describeResponse(response));
    if (kind === 'indexedDB') {
      const binary = await api.get<ArrayBuffer>('/api/binary', { responseType: 'arraybuffer' });
      check(results, `indexedDB: ${label} the binary response is a hit with the same bytes`, binary.fromCache === true && sameBytes(binary.data, binaryPattern()), describeResponse(binary));
    }
  }
}

/** Exposed as `window.__request` so the Node test can drive requests in any tab. */
export async function requestVia(kind: StoreKind, url: string): Promise<{ fromCache: boolean; status: string }> {
  const { cache, api, store } = makeClient(kind);
  const stored = nextStored(cache, 2_000).then(() => true, () => false);
  const response = await api.get(url);
  if (response.fromCache !== true) await stored;
  cache.detach();
  await store.close?.();
  return { fromCache: response.fromCache === true, status: response.cacheInfo?.status ?? 'none' };
}

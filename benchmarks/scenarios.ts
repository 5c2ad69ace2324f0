/**
 * The one-shot checks: origin requests made by 100 concurrent identical cold requests, and memory
 * retained per cached 1 KB entry (measured by `retained.ts` in child processes).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import { buildMemoryStorage, setupCache } from 'axios-cache-interceptor';
import { attachCache, type CacheStore } from '../lib/index.js';
import { jsonOfSize } from './bodies.js';
import type { RetainedCache, RetainedFigures } from './retained.js';
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
  readonly heapBytesPerEntry: number;
  readonly externalBytesPerEntry: number;
  /** Heap plus external memory retained per entry, after GC, in a fresh process. */
  readonly retainedBytesPerEntry: number;
}

export interface EmptyStoreResult {
  readonly label: string;
  /** Heap plus external memory an empty store retains, in a fresh process. */
  readonly bytes: number;
}

const execFileAsync = promisify(execFile);
const RETAINED_SCRIPT = fileURLToPath(new URL('retained.ts', import.meta.url));

/** Runs one measurement of `retained.ts` in a fresh child process (through tsx, as `npm run bench` runs). */
async function retainedInChild(cache: RetainedCache, entries: number): Promise<RetainedFigures> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', import.meta.resolve('tsx'), RETAINED_SCRIPT, cache, String(entries)], { maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout) as RetainedFigures;
}

function memoryRow(label: string, entries: number, figures: RetainedFigures): MemoryResult {
  return {
    label,
    entries,
    bodyBytes: jsonOfSize(1024, 1).length,
    heapBytesPerEntry: figures.heapBytes,
    externalBytesPerEntry: figures.externalBytes,
    retainedBytesPerEntry: figures.heapBytes + figures.externalBytes,
  };
}

/**
 * Memory retained per cached 1 KB response, each figure in a fresh child process (the children run side by side:
 * memory figures do not depend on CPU time): the defaults (1,000 entries), `largeEntries` entries, the peer's
 * default memory storage, and an empty MemoryStore with the largest limits.
 */
export async function memoryPerEntry(largeEntries: number): Promise<{ readonly rows: MemoryResult[]; readonly emptyStore: EmptyStoreResult }> {
  const [defaults, large, aci, empty] = await Promise.all([
    retainedInChild('ahc-defaults', 1000),
    retainedInChild('ahc-sized', largeEntries),
    retainedInChild('aci-defaults', 1000),
    retainedInChild('empty', 0),
  ]);
  return {
    rows: [
      memoryRow('axios-http-cache, defaults (MemoryStore)', 1000, defaults),
      memoryRow(`axios-http-cache, MemoryStore sized for ${largeEntries.toLocaleString('en')} entries`, largeEntries, large),
      memoryRow('axios-cache-interceptor, defaults (memory storage)', 1000, aci),
    ],
    emptyStore: { label: 'new MemoryStore({ maxEntries: 1e6, maxBytes: 1e9 })', bytes: empty.heapBytes + empty.externalBytes },
  };
}

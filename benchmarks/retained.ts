/**
 * One memory measurement, in a process of its own (`npm run bench` starts one per row, so that nothing an earlier
 * row allocated or compiled is counted): `tsx benchmarks/retained.ts <cache> <entries>`, where `<cache>` is
 * `ahc-defaults` (attachCache with no options: the default MemoryStore), `ahc-sized` (a MemoryStore with room for
 * `entries`), `aci-defaults` (axios-cache-interceptor's default memory storage) or `empty` (a MemoryStore with the
 * largest limits, holding nothing). Prints one JSON line: heap and external bytes retained, per entry (in all for
 * `empty`), after full GCs.
 *
 * Before the baseline, 2,000 requests go through a throwaway cache of the same kind: code compiled once and
 * module state are then not counted as memory of the entries.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import axios, { AxiosHeaders } from 'axios';
import type { AxiosAdapter } from 'axios';
import { setupCache } from 'axios-cache-interceptor';
import { attachCache, MemoryStore } from '../lib/index.js';
import { jsonOfSize } from './bodies.js';

export type RetainedCache = 'ahc-defaults' | 'ahc-sized' | 'aci-defaults' | 'empty';

export interface RetainedFigures {
  readonly heapBytes: number;
  readonly externalBytes: number;
}

const WARM_UP_REQUESTS = 2000;

/** `gc()` through V8's flag, so the child needs no `--expose-gc`. */
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

interface Filled {
  readonly held: () => Promise<number>;
}

/** A cache of the kind asked for, filled with `entries` distinct responses; resolves what keeps it alive. */
async function fill(cache: Exclude<RetainedCache, 'empty'>, entries: number, host: string): Promise<Filled> {
  const api = axios.create({ baseURL: `http://${host}`, adapter: distinctBodies() });
  if (cache === 'aci-defaults') {
    const cached = setupCache(api);
    for (let i = 0; i < entries; i++) await cached.get(`/entries/${i}`, { id: `entry-${i}` });
    return {
      held: async () => {
        let count = 0;
        for (let i = 0; i < entries; i++) if ((await cached.storage.get(`entry-${i}`)).state === 'cached') count++;
        return count;
      },
    };
  }
  const handle = attachCache(api, cache === 'ahc-sized' ? { store: new MemoryStore({ maxEntries: entries, maxBytes: 1024 ** 3 }) } : undefined);
  for (let i = 0; i < entries; i++) await api.get(`/entries/${i}`);
  return { held: async () => (await handle.store.count?.()) ?? 0 };
}

/** Fills a throwaway cache and returns nothing: no frame of the measurement keeps the throwaway cache alive. */
async function warmUp(cache: Exclude<RetainedCache, 'empty'>, entries: number): Promise<void> {
  await fill(cache, entries, 'warm-up.local');
}

/**
 * Memory once garbage is gone: a turn of the event loop (what the last request left to promise jobs is let go by
 * then) and full GCs, again until the heap stops shrinking (a single GC does not always free all that is free).
 */
async function quiesced(gc: () => void): Promise<NodeJS.MemoryUsage> {
  let usage = process.memoryUsage();
  for (let round = 0; round < 10; round++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
    const next = process.memoryUsage();
    const shrunk = usage.heapUsed - next.heapUsed > 1024;
    usage = next;
    if (round > 0 && !shrunk) break;
  }
  return usage;
}

async function measure(cache: RetainedCache, entries: number): Promise<RetainedFigures> {
  const gc = collector();
  if (cache !== 'empty') await warmUp(cache, Math.min(entries, WARM_UP_REQUESTS));
  const before = await quiesced(gc);
  let kept: unknown;
  if (cache === 'empty') {
    kept = new MemoryStore({ maxEntries: 1e6, maxBytes: 1e9 });
  } else {
    const filled = await fill(cache, entries, 'bench.local');
    const held = await filled.held();
    if (held !== entries) throw new Error(`${cache}: ${held} of ${entries} entries held`);
    kept = filled;
  }
  const after = await quiesced(gc);
  if (kept === undefined) throw new Error('nothing kept');
  const per = cache === 'empty' ? 1 : entries;
  return { heapBytes: (after.heapUsed - before.heapUsed) / per, externalBytes: (after.external - before.external) / per };
}

const [cache, entriesText = '1000'] = process.argv.slice(2);
if (cache === 'ahc-defaults' || cache === 'ahc-sized' || cache === 'aci-defaults' || cache === 'empty') {
  process.stdout.write(`${JSON.stringify(await measure(cache, Number(entriesText)))}\n`);
} else {
  throw new Error(`usage: tsx benchmarks/retained.ts ahc-defaults|ahc-sized|aci-defaults|empty [entries]`);
}

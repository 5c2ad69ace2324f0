// A separate process for the cross-process tests and benchmark rows: `node --import tsx test/support/dedupe-worker.ts
// '<json WorkerTask>'`. It opens the store, prints `ready`, waits for a line on stdin (so every worker starts at the
// same moment), then either sends `concurrent` identical GETs at once (`burst`) or keeps `concurrent` loops of GETs over
// `keys` URLs going for `durationMs` (`hammer`), all through attachCache with dedupe: 'store', and prints one JSON line
// (WorkerReport). Every request carries `x-worker: <pid>`, so the origin can tell the workers apart.
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import axios from 'axios';
import { attachCache } from '../../lib/index.js';
import type { CacheStore } from '../../lib/index.js';
import { Cluster } from 'ioredis';
import { MongoStore } from '../../lib/stores/mongodb.js';
import { SqliteStore } from '../../lib/stores/sqlite.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { TieredStore } from '../../lib/stores/tiered.js';
import { parseClusterNodes } from './redis-cluster.js';
import { quantileOfSorted } from '../../benchmarks/stats.js';

/** How a worker opens each kind of shared store: adding a store to the multi-process tests and rows is one line here. */
const redisStore = (task: WorkerTask): RedisStore => new RedisStore({ url: task.serverUrl, prefix: task.namespace, redisOptions: { connectTimeout: 1000, maxRetriesPerRequest: 0 } });

/** `store` whose close() also runs `alsoClose` (what the store was given and does not close itself). */
function closingToo<T extends CacheStore & { close(): Promise<void> }>(store: T, alsoClose: () => Promise<unknown>): T {
  const closeStore = store.close.bind(store);
  return Object.assign(store, {
    async close(): Promise<void> {
      await closeStore();
      await alsoClose();
    },
  });
}

const STORES = {
  redis: redisStore,
  /** A TieredStore (MemoryStore near tier) over a RedisStore on `serverUrl`. */
  tiered: (task: WorkerTask) => {
    const far = redisStore(task);
    return closingToo(new TieredStore({ far }), () => far.close());
  },
  /** A RedisStore over an ioredis Cluster; `serverUrl` lists the nodes as `host:port,host:port`. */
  'redis-cluster': (task: WorkerTask) => {
    const client = new Cluster(parseClusterNodes(task.serverUrl) ?? [], { maxRedirections: 32 });
    return closingToo(new RedisStore({ client, prefix: task.namespace }), () => client.quit());
  },
  mongodb: (task: WorkerTask) => new MongoStore({ url: task.serverUrl, dbName: task.namespace, collectionName: 'http', clientOptions: { serverSelectionTimeoutMS: 1000 } }),
  /** A SqliteStore on the file `${namespace}.db` in the directory `serverUrl`. */
  sqlite: (task: WorkerTask) => new SqliteStore({ path: join(task.serverUrl, `${task.namespace}.db`) }),
} satisfies Record<string, (task: WorkerTask) => CacheStore & { close(): Promise<void> }>;

export type StoreKind = keyof typeof STORES;

export interface WorkerTask {
  readonly kind: StoreKind;
  readonly serverUrl: string;
  readonly namespace: string;
  /** The URL requested; in `hammer` mode `&k=<n>` (or `?k=<n>`) picks one of `keys` URLs. */
  readonly url: string;
  /** Requests at once (`burst`), or loops running side by side (`hammer`). */
  readonly concurrent: number;
  readonly leaseMs: number;
  readonly storeTimeoutMs?: number;
  /** @default 'burst' */
  readonly mode?: 'burst' | 'hammer';
  readonly keys?: number;
  readonly durationMs?: number;
}

export interface WorkerReport {
  readonly pid: number;
  /** How many requests were answered each way: their cacheInfo status, or `failed: <message>`. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** The `operation` of every `error` event the cache emitted. */
  readonly errorEvents: readonly string[];
  /** From the start signal to the last answer (ms). */
  readonly elapsedMs: number;
  /** The 99th percentile of the requests' latencies (ms). */
  readonly p99Ms: number;
}

const task = JSON.parse(process.argv[2] ?? '') as WorkerTask;
const store = STORES[task.kind](task);
const api = axios.create({ headers: { 'x-worker': String(process.pid) } });
const cache = attachCache(api, { store, dedupe: 'store', dedupeLeaseMs: task.leaseMs, storeTimeoutMs: task.storeTimeoutMs ?? 5000, secret: 'a secret every worker shares' });
const errorEvents: string[] = [];
cache.on('error', (event) => errorEvents.push(event.operation));

// Connected before the start, so that connecting is not what spreads the workers apart.
await Promise.resolve(store.get('warm-up')).catch(() => undefined);
console.log('ready');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));

const outcomes: Record<string, number> = {};
const latencies: number[] = [];
async function timedGet(url: string): Promise<void> {
  const sent = performance.now();
  const outcome = await api.get(url).then(
    (response) => response.cacheInfo?.status ?? 'no cacheInfo',
    (error: unknown) => `failed: ${(error as Error).message}`,
  );
  latencies.push(performance.now() - sent);
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
}

const started = performance.now();
if (task.mode === 'hammer') {
  const until = started + (task.durationMs ?? 10_000);
  const keys = task.keys ?? 100;
  const separator = task.url.includes('?') ? '&' : '?';
  let next = 0;
  await Promise.all(Array.from({ length: task.concurrent }, async () => {
    while (performance.now() < until) await timedGet(`${task.url}${separator}k=${next++ % keys}`);
  }));
} else {
  await Promise.all(Array.from({ length: task.concurrent }, () => timedGet(task.url)));
}
const elapsedMs = performance.now() - started;
latencies.sort((a, b) => a - b);
const report: WorkerReport = { pid: process.pid, outcomes, errorEvents, elapsedMs, p99Ms: quantileOfSorted(latencies, 0.99) };
console.log(JSON.stringify(report));
await store.close().catch(() => undefined);
process.exit(0);

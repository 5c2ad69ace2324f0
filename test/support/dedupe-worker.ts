// A separate process for the cross-process dedupe tests and benchmark: `node --import tsx test/support/dedupe-worker.ts
// '<json WorkerTask>'`. It opens the store, prints `ready`, waits for a line on stdin (so every worker starts at the
// same moment), sends `concurrent` identical GETs through attachCache with dedupe: 'store', and prints one JSON line
// (WorkerReport). Every request carries `x-worker: <pid>`, so the origin can tell the workers apart.
import { createInterface } from 'node:readline';
import axios from 'axios';
import { attachCache } from '../../lib/index.js';
import type { CacheStore } from '../../lib/index.js';
import { MongoStore } from '../../lib/stores/mongodb.js';
import { RedisStore } from '../../lib/stores/redis.js';

export interface WorkerTask {
  readonly kind: 'redis' | 'mongodb';
  readonly serverUrl: string;
  readonly namespace: string;
  readonly url: string;
  readonly concurrent: number;
  readonly leaseMs: number;
  readonly storeTimeoutMs?: number;
}

export interface WorkerReport {
  readonly pid: number;
  /** How each request was answered: its cacheInfo status, or `failed: <message>`. */
  readonly outcomes: readonly string[];
  /** The `operation` of every `error` event the cache emitted. */
  readonly errorEvents: readonly string[];
  /** From the start signal to the last answer (ms). */
  readonly elapsedMs: number;
}

const task = JSON.parse(process.argv[2] ?? '') as WorkerTask;
const store: CacheStore & { close(): Promise<void> } = task.kind === 'redis'
  ? new RedisStore({ url: task.serverUrl, prefix: task.namespace, redisOptions: { connectTimeout: 1000, maxRetriesPerRequest: 0 } })
  : new MongoStore({ url: task.serverUrl, dbName: task.namespace, collectionName: 'http', clientOptions: { serverSelectionTimeoutMS: 1000 } });
const api = axios.create({ headers: { 'x-worker': String(process.pid) } });
const cache = attachCache(api, { store, dedupe: 'store', dedupeLeaseMs: task.leaseMs, storeTimeoutMs: task.storeTimeoutMs ?? 5000, secret: 'a secret every worker shares' });
const errorEvents: string[] = [];
cache.on('error', (event) => errorEvents.push(event.operation));

// Connected before the start, so that connecting is not what spreads the workers apart.
await Promise.resolve(store.get('warm-up')).catch(() => undefined);
console.log('ready');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));

const started = performance.now();
const outcomes = await Promise.all(Array.from({ length: task.concurrent }, () => api.get(task.url).then(
  (response) => response.cacheInfo?.status ?? 'no cacheInfo',
  (error: unknown) => `failed: ${(error as Error).message}`,
)));
const report: WorkerReport = { pid: process.pid, outcomes, errorEvents, elapsedMs: performance.now() - started };
console.log(JSON.stringify(report));
await store.close().catch(() => undefined);
process.exit(0);

/**
 * Rows measured across processes (worker processes from `test/support/dedupe-worker.ts`, sharing one store, with
 * `dedupe: 'store'`): origin requests made by 4 processes x 50 concurrent identical cold requests, and 4 processes
 * hammering 100 hot keys (hits per second, p99, origin requests). SQLite needs no server: its rows always run.
 */
import type { Origin } from './servers.js';
import { WorkerGroup } from '../test/support/dedupe-workers.js';
import type { StoreKind, WorkerReport, WorkerTask } from '../test/support/dedupe-workers.js';

/** A shared store the rows run on, when its server is there. */
export interface SharedStore {
  readonly label: string;
  readonly kind: StoreKind;
  readonly serverUrl: string;
  /** Whether the hot-keys row runs on it too (the cold row runs on every store). */
  readonly hotKeys: boolean;
}

/**
 * The stores of the multi-process rows, given the servers found: adding a store to both rows is one line here (and its
 * factory in the worker's STORES).
 */
export function sharedStores(servers: { readonly redisUrl: string | undefined; readonly mongoUrl: string | undefined; readonly redisClusterNodes: string | undefined }, sqliteDir: string): SharedStore[] {
  const candidates: Array<SharedStore | undefined> = [
    servers.redisUrl === undefined ? undefined : { label: 'RedisStore', kind: 'redis', serverUrl: servers.redisUrl, hotKeys: true },
    servers.redisUrl === undefined ? undefined : { label: 'TieredStore (MemoryStore near, RedisStore far)', kind: 'tiered', serverUrl: servers.redisUrl, hotKeys: true },
    servers.redisClusterNodes === undefined ? undefined : { label: 'RedisStore on a 3-master Redis Cluster', kind: 'redis-cluster', serverUrl: servers.redisClusterNodes, hotKeys: true },
    servers.mongoUrl === undefined ? undefined : { label: 'MongoStore', kind: 'mongodb', serverUrl: servers.mongoUrl, hotKeys: false },
    // No server: the processes share the file `${namespace}.db` in this directory.
    { label: 'SqliteStore (one file)', kind: 'sqlite', serverUrl: sqliteDir, hotKeys: true },
  ];
  return candidates.filter((store): store is SharedStore => store !== undefined);
}

export interface ProcessColdResult {
  readonly label: string;
  readonly processes: number;
  readonly requests: number;
  readonly originRequests: number;
  readonly allAnswered: boolean;
}

export interface HotKeysResult {
  readonly label: string;
  readonly processes: number;
  readonly keys: number;
  readonly seconds: number;
  readonly hitsPerSecond: number;
  /** The worst of the processes' 99th percentiles (ms). */
  readonly p99Ms: number;
  readonly originRequests: number;
  readonly allAnswered: boolean;
}

const PROCESSES = 4;
const LEASE_MS = 5000;

function sum(reports: ReadonlyArray<WorkerReport | undefined>, pick: (outcome: string) => boolean): number {
  let total = 0;
  for (const report of reports) for (const [outcome, n] of Object.entries(report?.outcomes ?? {})) if (pick(outcome)) total += n;
  return total;
}

async function runGroup(tasks: readonly WorkerTask[]): Promise<Array<WorkerReport | undefined>> {
  const group = await WorkerGroup.start(tasks);
  try {
    group.go();
    return await group.reports();
  } finally {
    group.killAll();
  }
}

/** 4 processes x `concurrent` identical requests to a cold key, at the same moment. */
export async function coldAcrossProcesses(store: SharedStore, origin: Origin, namespace: string, concurrent = 50): Promise<ProcessColdResult> {
  const path = `/slow/json-1k?run=${encodeURIComponent(namespace)}`;
  const task: WorkerTask = { kind: store.kind, serverUrl: store.serverUrl, namespace, url: `${origin.baseUrl}${path}`, concurrent, leaseMs: LEASE_MS };
  const reports = await runGroup(Array.from({ length: PROCESSES }, () => task));
  const requests = PROCESSES * concurrent;
  const answered = sum(reports, (outcome) => !outcome.startsWith('failed'));
  return { label: `axios-http-cache, ${store.label}`, processes: PROCESSES, requests, originRequests: origin.count(path), allAnswered: answered === requests };
}

/** 4 processes, each with `loops` requests in flight, over `keys` hot URLs for `seconds`. */
export async function hotKeysAcrossProcesses(store: SharedStore, origin: Origin, namespace: string, options: { keys: number; seconds: number; loops: number }): Promise<HotKeysResult> {
  const path = `/data/json-1k?run=${encodeURIComponent(namespace)}`;
  const task: WorkerTask = {
    kind: store.kind, serverUrl: store.serverUrl, namespace, url: `${origin.baseUrl}${path}`, concurrent: options.loops, leaseMs: LEASE_MS,
    mode: 'hammer', keys: options.keys, durationMs: options.seconds * 1000,
  };
  const reports = await runGroup(Array.from({ length: PROCESSES }, () => task));
  let originRequests = 0;
  for (let k = 0; k < options.keys; k++) originRequests += origin.count(`${path}&k=${k}`);
  const elapsedSeconds = Math.max(...reports.map((report) => report?.elapsedMs ?? 0)) / 1000;
  return {
    label: `axios-http-cache, ${store.label}`,
    processes: PROCESSES,
    keys: options.keys,
    seconds: options.seconds,
    hitsPerSecond: sum(reports, (outcome) => outcome === 'hit') / elapsedSeconds,
    p99Ms: Math.max(...reports.map((report) => report?.p99Ms ?? Infinity)),
    originRequests,
    allAnswered: reports.every((report) => report !== undefined) && sum(reports, (outcome) => outcome.startsWith('failed')) === 0,
  };
}

/**
 * Where a miss's time goes, step by step, against a bare request to the same local origin:
 * `node --import tsx benchmarks/profile-miss.ts [json-1k|json-100k|binary-100k] [operations]` (add `--cpu-prof` to
 * open the main thread's `.cpuprofile` in Chrome DevTools).
 *
 * Each step adds one part of the miss to the one before, every request to a new URL:
 * - bare axios (no cache);
 * - the miss floor (`least-cache.ts`: the least any cache does on a miss);
 * - passed by: a cached instance whose request says `cache: false` (the adapter seam and the request's own options);
 * - read-only miss: the request modelled, the store read, the origin asked through single-flight, nothing written;
 * - the miss itself: as above, then the record built and written into the MemoryStore.
 * Batches of every step run in turn, the order reversed every round, and each step's median over rounds of its
 * per-round ratio to bare is printed (wall time, and this process's CPU time, the origin included), as `npm run bench`
 * takes its ratios.
 */
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import { performance } from 'node:perf_hooks';
import { attachCache, MemoryStore } from '../lib/index.js';
import { bodyCases } from './bodies.js';
import { leastCacheInstance } from './least-cache.js';
import { startOrigin } from './servers.js';
import { median } from './stats.js';

const [caseId = 'json-1k', countText = '20000'] = process.argv.slice(2);
const body = bodyCases().find((candidate) => candidate.id === caseId);
if (body === undefined) throw new Error(`unknown body case ${caseId}`);
const origin = await startOrigin([body]);
const base = { baseURL: origin.baseUrl, responseType: body.responseType };

function cached(options: Parameters<typeof attachCache>[1]): AxiosInstance {
  const instance = axios.create(base);
  attachCache(instance, options);
  return instance;
}

interface Step {
  readonly label: string;
  readonly instance: AxiosInstance;
  readonly options?: { readonly cache: false };
}

const steps: readonly Step[] = [
  { label: 'bare axios (no cache)', instance: axios.create(base) },
  { label: 'miss floor (least-cache.ts)', instance: leastCacheInstance(base) },
  { label: 'passed by (cache: false)', instance: cached({ store: new MemoryStore() }), options: { cache: false } },
  { label: 'read-only miss (nothing written)', instance: cached({ store: new MemoryStore(), readOnly: true }) },
  { label: 'miss that stores (MemoryStore)', instance: cached({ store: new MemoryStore() }) },
];

let n = 0;
/** Wall time and CPU time (user + system, this process: the origin included) of `count` requests, in ms. */
async function timed(step: Step, count: number): Promise<[number, number]> {
  const startedAt = performance.now();
  const cpuAt = process.cpuUsage();
  for (let i = 0; i < count; i++) await step.instance.get(`/data/${caseId}?n=${n++}`, step.options);
  const cpu = process.cpuUsage(cpuAt);
  return [performance.now() - startedAt, (cpu.user + cpu.system) / 1000];
}

// Warm-up, and more entries than the MemoryStore default holds (1,000): every measured miss also evicts one.
for (const step of steps) await timed(step, 1100);
const operations = Number(countText);
const batch = Math.max(1, Math.floor(operations / 40));
const walls = steps.map((): number[] => []);
const cpus = steps.map((): number[] => []);
for (let done = 0, round = 0; done < operations; done += batch, round++) {
  // Reversed every round, so that no step always runs right after another's garbage.
  const order = steps.map((_, index) => index);
  if (round % 2 === 1) order.reverse();
  for (const index of order) {
    const [wall, cpu] = await timed(steps[index] as Step, batch);
    walls[index]?.push(wall);
    cpus[index]?.push(cpu);
  }
}
await origin.close();
const bareWalls = walls[0] ?? [];
const bareCpus = cpus[0] ?? [];
process.stdout.write(`${body.label}, ${operations} requests per step, ${walls[0]?.length ?? 0} rounds:\n`);
steps.forEach((step, index) => {
  const wall = walls[index] ?? [];
  const cpu = cpus[index] ?? [];
  const perRequest = ((median(wall) * 1000) / batch).toFixed(1);
  const wallRatio = median(wall.map((ms, round) => ms / (bareWalls[round] ?? ms))).toFixed(3);
  const cpuRatio = median(cpu.map((ms, round) => ms / (bareCpus[round] ?? ms))).toFixed(3);
  process.stdout.write(`  ${step.label.padEnd(34)} ${perRequest.padStart(7)} µs   ${wallRatio}x bare (CPU ${cpuRatio}x)\n`);
});

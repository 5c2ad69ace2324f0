/**
 * A focused loop for profiling one hit path against the floor:
 * `node --cpu-prof --import tsx benchmarks/profile-hit.ts [ahc-memory|ahc-memory-frozen|aci-memory|ahc-redis] [json-1k|json-100k|binary-100k] [operations]`.
 * `ahc-redis` is compared with the Redis floor (raw GET + decode) instead, on REDIS_URL or 127.0.0.1:6379.
 * Alternates batches of the floor and the contender and prints both means and their ratio, in wall time and in this
 * process's CPU time (what the code itself costs, less disturbed by a busy machine); open the
 * main thread's `.cpuprofile` in Chrome DevTools to see the hot spots.
 */
import { performance } from 'node:perf_hooks';
import { bodyCases } from './bodies.js';
import type { Contender } from './harness.js';
import type { RequestContender } from './contender-kit.js';
import { aciMemoryContender, ahcMemoryContender, ahcMemoryFrozenContender, floorContender } from './contenders.js';
import { ahcRedisContenders } from './contenders-servers.js';
import { median } from './stats.js';

const [which = 'ahc-memory', caseId = 'json-1k', countText = '100000'] = process.argv.slice(2);
const body = bodyCases().find((candidate) => candidate.id === caseId);
if (body === undefined) throw new Error(`unknown body case ${caseId}`);
async function pick(): Promise<[RequestContender, RequestContender]> {
  if (which === 'ahc-redis') {
    const [cached, redisFloor] = await ahcRedisContenders(body as NonNullable<typeof body>, process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', `ahc-profile-${process.pid}`);
    if (cached === undefined || redisFloor === undefined) throw new Error('Redis contenders missing');
    return [redisFloor, cached];
  }
  const make = { 'aci-memory': aciMemoryContender, 'ahc-memory-frozen': ahcMemoryFrozenContender }[which] ?? ahcMemoryContender;
  return [floorContender(body as NonNullable<typeof body>), await make(body as NonNullable<typeof body>)];
}
const [floor, contender] = await pick();
const operations = Number(countText);
const batch = Math.max(1, Math.floor(operations / 20));

/** Wall time and this process's CPU time (user + system) of `count` operations, in ms. */
async function timed(subject: Contender, count: number): Promise<{ readonly wallMs: number; readonly cpuMs: number }> {
  const startedAt = performance.now();
  const cpuAt = process.cpuUsage();
  for (let i = 0; i < count; i++) await subject.run();
  const cpu = process.cpuUsage(cpuAt);
  return { wallMs: performance.now() - startedAt, cpuMs: (cpu.user + cpu.system) / 1000 };
}

await timed(floor, 2000);
await timed(contender, 2000);
let floorMs = 0;
let contenderMs = 0;
let floorCpuMs = 0;
let contenderCpuMs = 0;
const ratios: number[] = [];
const cpuRatios: number[] = [];
for (let done = 0; done < operations; done += batch) {
  const floorBatch = await timed(floor, batch);
  const contenderBatch = await timed(contender, batch);
  floorMs += floorBatch.wallMs;
  contenderMs += contenderBatch.wallMs;
  floorCpuMs += floorBatch.cpuMs;
  contenderCpuMs += contenderBatch.cpuMs;
  ratios.push(contenderBatch.wallMs / floorBatch.wallMs);
  cpuRatios.push(contenderBatch.cpuMs / floorBatch.cpuMs);
}
const perOp = (ms: number): string => `${((ms * 1000) / operations).toFixed(2)} µs`;
await contender.close?.();
// The median of per-batch ratios: a shared machine's drift between batches cancels out.
process.stdout.write(`${body.label}: ${floor.label} ${perOp(floorMs)}, ${contender.label} ${perOp(contenderMs)}, ratio ${(contenderMs / floorMs).toFixed(2)}x (median of batch ratios ${median(ratios).toFixed(2)}x)\n`);
// CPU time counts this process only (not redis-server, not the other processes of a busy machine): the cost of the code itself.
process.stdout.write(`  CPU time: floor ${perOp(floorCpuMs)}, ${contender.label} ${perOp(contenderCpuMs)} (median of batch ratios ${median(cpuRatios).toFixed(2)}x)\n`);

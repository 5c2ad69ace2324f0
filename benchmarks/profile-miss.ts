/**
 * A focused loop for profiling the miss path against a bare request to the same local origin:
 * `node --cpu-prof --import tsx benchmarks/profile-miss.ts [json-1k|json-100k|binary-100k] [operations]`.
 * Alternates batches of bare axios and of misses that store into a MemoryStore (a new URL each time, the order of the
 * two swapped every batch), prints both means, the ratio of the totals and the median over batches of the per-batch
 * ratios (wall and CPU), as `npm run bench` takes its ratios; open the main thread's `.cpuprofile` in Chrome DevTools.
 */
import { performance } from 'node:perf_hooks';
import { bodyCases } from './bodies.js';
import type { Contender } from './harness.js';
import { networkContenders } from './contenders.js';
import { startOrigin } from './servers.js';
import { median } from './stats.js';

const [caseId = 'json-1k', countText = '20000'] = process.argv.slice(2);
const body = bodyCases().find((candidate) => candidate.id === caseId);
if (body === undefined) throw new Error(`unknown body case ${caseId}`);
const origin = await startOrigin([body]);
const rows = await Promise.all(networkContenders(body, origin));
const bare = rows.find((row) => row.id === 'origin-bare');
const miss = rows.find((row) => row.id === 'ahc-miss');
if (bare === undefined || miss === undefined) throw new Error('network contenders missing');
const operations = Number(countText);
const batch = Math.max(1, Math.floor(operations / 40));

/** Wall time and CPU time (user + system, this process: the origin included) of `count` operations, in ms. */
async function timed(subject: Contender, count: number): Promise<[number, number]> {
  const startedAt = performance.now();
  const cpuAt = process.cpuUsage();
  for (let i = 0; i < count; i++) await subject.run();
  const cpu = process.cpuUsage(cpuAt);
  return [performance.now() - startedAt, (cpu.user + cpu.system) / 1000];
}

await timed(bare, 500);
await timed(miss, 500);
const bareTotal = { wall: 0, cpu: 0 };
const missTotal = { wall: 0, cpu: 0 };
const wallRatios: number[] = [];
const cpuRatios: number[] = [];
for (let done = 0, round = 0; done < operations; done += batch, round++) {
  // Swapped every round, so that neither side always runs right after the other's garbage.
  const [bareTimes, missTimes] = round % 2 === 0
    ? [await timed(bare, batch), await timed(miss, batch)]
    : [await timed(miss, batch), await timed(bare, batch)].reverse() as [[number, number], [number, number]];
  const [bareWall, bareCpu] = bareTimes;
  const [missWall, missCpu] = missTimes;
  wallRatios.push(missWall / bareWall);
  cpuRatios.push(missCpu / bareCpu);
  bareTotal.wall += bareWall;
  bareTotal.cpu += bareCpu;
  missTotal.wall += missWall;
  missTotal.cpu += missCpu;
}
const perOp = ({ wall, cpu }: typeof bareTotal): string => `${((wall * 1000) / operations).toFixed(1)} µs (CPU ${((cpu * 1000) / operations).toFixed(1)} µs)`;
await origin.close();
process.stdout.write(`${body.label}: ${bare.label} ${perOp(bareTotal)}, ${miss.label} ${perOp(missTotal)}, ratio of totals ${(missTotal.wall / bareTotal.wall).toFixed(2)}x (CPU ${(missTotal.cpu / bareTotal.cpu).toFixed(2)}x), median of ${cpuRatios.length} per-batch ratios ${median(wallRatios).toFixed(2)}x (CPU ${median(cpuRatios).toFixed(2)}x)\n`);

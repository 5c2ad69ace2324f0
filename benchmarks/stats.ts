/**
 * Summary statistics of latency samples (all in milliseconds, as `performance.now()` gives them).
 * Pure functions, no I/O: tested in `test/benchmarks/stats.test.ts`.
 */

/** The q-quantile (0..1) of already-sorted samples, nearest-rank; NaN for no samples. */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

/** The median: the mean of the two middle values for an even count; NaN for no samples. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

export interface LatencySummary {
  readonly samples: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  /** Sequential operations per second: samples divided by the total time spent in them. */
  readonly opsPerSecond: number;
}

export function summarise(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  let totalMs = 0;
  for (const value of sorted) totalMs += value;
  return {
    samples: sorted.length,
    medianMs: median(sorted),
    p99Ms: quantileOfSorted(sorted, 0.99),
    opsPerSecond: totalMs > 0 ? (sorted.length * 1000) / totalMs : Number.NaN,
  };
}

/**
 * The median over rounds of (contender's median in round r) / (floor's median in round r).
 * Rounds where either side has no samples are left out. Comparing within a round cancels slow drift
 * of the machine (other processes, CPU frequency) that would bias a ratio of pooled medians.
 */
export function medianOfRoundRatios(contenderRounds: readonly (readonly number[])[], floorRounds: readonly (readonly number[])[]): number {
  const ratios: number[] = [];
  const rounds = Math.min(contenderRounds.length, floorRounds.length);
  for (let round = 0; round < rounds; round++) {
    const mine = median(contenderRounds[round] ?? []);
    const floor = median(floorRounds[round] ?? []);
    if (Number.isFinite(mine) && Number.isFinite(floor) && floor > 0) ratios.push(mine / floor);
  }
  return median(ratios);
}

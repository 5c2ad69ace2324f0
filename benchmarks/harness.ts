/**
 * The interleaved runner: every contender of a scenario runs a time slice in every round, in a
 * rotated order, in this one process. Samples are per operation, kept per round so ratios to the
 * floor can be taken round by round.
 */
import { performance } from 'node:perf_hooks';

/** One way of answering a request, measured operation by operation. */
export interface Contender {
  /** Stable id (used in results and for the floor lookup). */
  readonly id: string;
  /** What a reader sees in the table and chart. */
  readonly label: string;
  /** One operation: one request, awaited. Rejects on any wrong answer (a miss where a hit is due). */
  run(): Promise<void>;
  /** Releases what the contender holds (clients, keys it wrote). */
  close?(): Promise<void>;
}

export interface RoundOptions {
  readonly rounds: number;
  /** Time each contender gets per round, in ms (at least `minOpsPerSlice` operations). */
  readonly sliceMs: number;
  readonly minOpsPerSlice: number;
  /** Operations run by every contender before the first round (JIT warm-up, connections). */
  readonly warmupOps: number;
}

/** Samples in ms, indexed `[round][operation]`, per contender id. */
export type RoundSamples = Map<string, number[][]>;

async function runSlice(contender: Contender, sliceMs: number, minOps: number): Promise<number[]> {
  const samples: number[] = [];
  const sliceEndsAt = performance.now() + sliceMs;
  for (;;) {
    const startedAt = performance.now();
    await contender.run();
    const endedAt = performance.now();
    samples.push(endedAt - startedAt);
    if (endedAt >= sliceEndsAt && samples.length >= minOps) return samples;
  }
}

export async function runRounds(contenders: readonly Contender[], options: RoundOptions): Promise<RoundSamples> {
  for (const contender of contenders) {
    for (let i = 0; i < options.warmupOps; i++) await contender.run();
  }
  const results: RoundSamples = new Map(contenders.map((contender) => [contender.id, []]));
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order so that no contender always runs right after a slow one (or a GC-heavy one).
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(round + i) % contenders.length];
      if (contender === undefined) continue;
      const samples = await runSlice(contender, options.sliceMs, options.minOpsPerSlice);
      results.get(contender.id)?.push(samples);
    }
  }
  return results;
}

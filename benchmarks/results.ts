/** The shape of one run's results, shared by the runner, the markdown report and the chart. */
import type { ProbeResult } from './contender-kit.js';
import type { ConcurrencyResult, EmptyStoreResult, MemoryResult } from './scenarios.js';
import type { HotKeysResult, ProcessColdResult } from './processes.js';
import type { InvalidationResult } from './tiered.js';
import type { SqliteScaleResult } from './sqlite.js';
import type { LatencySummary } from './stats.js';
import type { TagDeleteResult } from './tag-delete.js';

export interface LatencyRow {
  readonly id: string;
  readonly label: string;
  readonly summary: LatencySummary;
  /** Median over rounds of this row's median / the floor's median in the same round. */
  readonly ratioToFloor: number;
  /** The same against the parsed floor (an adapter handing axios an object parsed in advance). */
  readonly ratioToParsedFloor: number;
  /** Answer checks (absent for the floor, which is no cache). */
  readonly probe?: ProbeResult;
}

export interface CaseResult {
  readonly id: string;
  readonly label: string;
  readonly bytes: number;
  readonly rows: readonly LatencyRow[];
}

/** A miss that stores, next to the bare request to the same local origin, in one body case of the run. */
export interface MissResult {
  readonly caseLabel: string;
  readonly missMs: number;
  readonly bareMs: number;
  /** Median over rounds of (miss median / bare median in the same round). */
  readonly ratioToBare: number;
  /** The same ratio for axios-cache-interceptor's miss and for the miss floor (least-cache.ts), when they ran. */
  readonly aciRatioToBare: number | undefined;
  readonly floorRatioToBare: number | undefined;
}

export interface TargetCheck {
  readonly what: string;
  readonly target: string;
  readonly measured: string;
  /** Undefined when the rows needed were skipped. */
  readonly met: boolean | undefined;
}

export interface RunResults {
  readonly startedAt: string;
  readonly quick: boolean;
  readonly environment: string;
  readonly rounds: number;
  readonly sliceMs: number;
  readonly durationMs: number;
  readonly skipped: readonly string[];
  readonly cases: readonly CaseResult[];
  readonly concurrency: readonly ConcurrencyResult[];
  readonly memory: readonly MemoryResult[];
  /** The rows measured across worker processes sharing one store (processes.ts). */
  readonly processes: { readonly cold: readonly ProcessColdResult[]; readonly hotKeys: readonly HotKeysResult[] };
  /** TieredStore: a write in one process until the other's near copy is gone (absent without Redis). */
  readonly invalidation?: InvalidationResult;
  /** SqliteStore at scale (absent in results made before it was measured). */
  readonly sqlite?: SqliteScaleResult;
  /** delete({ tag }) on a RedisStore; undefined without Redis. */
  readonly tagDelete?: TagDeleteResult;
  readonly emptyStore: EmptyStoreResult;
  readonly misses: readonly MissResult[];
  readonly targets: readonly TargetCheck[];
}

/** Latency for people: µs below 1 ms, else ms. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.1 ? 1 : 0)} µs`;
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

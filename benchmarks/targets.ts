/** The targets, checked against one run's figures. */
import { ACI_MISS_ID, LEAST_MISS_ID } from './contenders.js';
import { formatMs, formatRatio, type CaseResult, type MissResult, type TargetCheck } from './results.js';
import type { RoundSamples } from './harness.js';
import type { ConcurrencyResult, EmptyStoreResult, MemoryResult } from './scenarios.js';
import type { ProcessColdResult } from './processes.js';
import type { SqliteScaleResult } from './sqlite.js';
import { medianOfRoundRatios } from './stats.js';
import type { InvalidationResult } from './tiered.js';
import type { TagDeleteResult } from './tag-delete.js';

export interface CaseSamples {
  readonly result: CaseResult;
  readonly samples: RoundSamples;
}

function row(found: CaseSamples | undefined, id: string): CaseResult['rows'][number] | undefined {
  return found?.result.rows.find((candidate) => candidate.id === id);
}

/** Median over rounds of a/b, when both rows ran. */
function pairRatio(found: CaseSamples | undefined, a: string, b: string): number | undefined {
  const aRounds = found?.samples.get(a);
  const bRounds = found?.samples.get(b);
  return aRounds && bRounds ? medianOfRoundRatios(aRounds, bRounds) : undefined;
}

/** Each case's miss next to the bare request to the same origin, as one ratio per run (median of per-round ratios). */
export function missResults(cases: readonly CaseSamples[]): MissResult[] {
  const results: MissResult[] = [];
  for (const found of cases) {
    const miss = row(found, 'ahc-miss');
    const bare = row(found, 'origin-bare');
    const ratioToBare = pairRatio(found, 'ahc-miss', 'origin-bare');
    if (miss && bare && ratioToBare !== undefined) {
      results.push({
        caseLabel: found.result.label,
        missMs: miss.summary.medianMs,
        bareMs: bare.summary.medianMs,
        ratioToBare,
        aciRatioToBare: pairRatio(found, ACI_MISS_ID, 'origin-bare'),
        floorRatioToBare: pairRatio(found, LEAST_MISS_ID, 'origin-bare'),
      });
    }
  }
  return results;
}

/** Bytes for people: 1,234 bytes, or 12.3 KB past 10,000. */
function formatBytes(bytes: number): string {
  return bytes < 10_000 ? `${Math.round(bytes).toLocaleString('en')} bytes` : `${(bytes / 1000).toFixed(1)} KB`;
}

/** One run's figures, as `checkTargets` reads them; a benchmark that did not run leaves its field undefined. */
export interface TargetInputs {
  readonly cases: readonly CaseSamples[];
  readonly concurrency: readonly ConcurrencyResult[];
  readonly memory: readonly MemoryResult[];
  readonly emptyStore: EmptyStoreResult;
  readonly processCold: readonly ProcessColdResult[];
  readonly sqlite: SqliteScaleResult;
  readonly invalidation?: InvalidationResult | undefined;
  readonly tagDelete?: TagDeleteResult | undefined;
}

/** One row of the targets table: a goal, and the measurement it is checked on (undefined when that did not run). */
interface TargetRow<T> {
  readonly what: string;
  readonly target: string;
  readonly value: T | undefined;
  /** What the row says when `value` is undefined ('not run', 'skipped (no Redis)'). */
  readonly absent: string;
  readonly measured: (value: T) => string;
  readonly met: (value: T) => boolean;
}

/** The row as the report prints it: its measurement shown and checked, or `absent`. */
function checked<T>(row: TargetRow<T>): TargetCheck {
  const { what, target, value } = row;
  return value === undefined
    ? { what, target, measured: row.absent, met: undefined }
    : { what, target, measured: row.measured(value), met: row.met(value) };
}

/** Both values, or undefined when either is missing. */
function both<A, B>(a: A | undefined, b: B | undefined): readonly [A, B] | undefined {
  return a === undefined || b === undefined ? undefined : [a, b];
}

const NO_REDIS = 'skipped (no Redis)';
const isProtected = (found: CaseResult['rows'][number]): string => (found.probe?.isolated === true ? 'protected' : 'NOT protected');

export function checkTargets(inputs: TargetInputs): TargetCheck[] {
  const { cases, concurrency, memory, emptyStore, processCold, sqlite, invalidation, tagDelete } = inputs;
  const byId = (id: string): CaseSamples | undefined => cases.find((found) => found.result.id === id);
  const ours = concurrency.filter((result) => result.label.startsWith('axios-http-cache'));
  return [
    ...([['json-1k', '1 KB', 1.1], ['json-100k', '100 KB', 1.15]] as const).map(([caseId, label, goal]) => checked({
      what: `MemoryStore hit (copying), ${label} JSON, protected from caller mutation`,
      target: `<= ${goal}x string floor`,
      value: row(byId(caseId), 'ahc-memory'),
      absent: 'not run',
      measured: (hit) => `${formatRatio(hit.ratioToFloor)} (${formatMs(hit.summary.medianMs)}), ${isProtected(hit)}`,
      met: (hit) => hit.ratioToFloor <= goal && hit.probe?.isolated === true,
    })),
    ...([['json-1k', '1 KB'], ['json-100k', '100 KB']] as const).map(([caseId, label]) => checked({
      what: `MemoryStore hit, frozen: true, ${label} JSON, protected from caller mutation`,
      target: '<= 1.1x axios-cache-interceptor memory hit',
      value: both(pairRatio(byId(caseId), 'ahc-memory-frozen', 'aci-memory'), row(byId(caseId), 'ahc-memory-frozen')),
      absent: 'not run',
      measured: ([vsAci, frozen]) => `${formatRatio(vsAci)} (${formatMs(frozen.summary.medianMs)}), ${isProtected(frozen)}`,
      met: ([vsAci, frozen]) => vsAci <= 1.1 && frozen.probe?.isolated === true,
    })),
    checked({
      what: 'RedisStore hit, 1 KB JSON',
      target: '<= 1.1x Redis floor (floor + raw GET + decode)',
      value: pairRatio(byId('json-1k'), 'ahc-redis', 'redis-floor'),
      absent: NO_REDIS,
      measured: formatRatio,
      met: (ratio) => ratio <= 1.1,
    }),
    checked({
      what: 'RedisStore hit, 100 KB JSON, vs axios-cache-interceptor Redis storage',
      target: '>= 1.5x faster',
      value: pairRatio(byId('json-100k'), 'aci-redis', 'ahc-redis'),
      absent: NO_REDIS,
      measured: (ratio) => `${formatRatio(ratio)} faster`,
      met: (ratio) => ratio >= 1.5,
    }),
    checked({
      what: 'RedisStore hit, frozen: true, 100 KB JSON, vs axios-cache-interceptor Redis storage',
      target: '>= 3x faster',
      value: pairRatio(byId('json-100k'), 'aci-redis', 'ahc-redis-frozen'),
      absent: NO_REDIS,
      measured: (ratio) => `${formatRatio(ratio)} faster`,
      met: (ratio) => ratio >= 3,
    }),
    checked({
      what: '100 concurrent identical cold requests',
      target: 'exactly 1 origin request per store',
      value: ours.length > 0 ? ours : undefined,
      absent: '',
      measured: (results) => results.map((result) => `${result.label.replace('axios-http-cache, ', '')}: ${result.originRequests}`).join(', '),
      met: (results) => results.every((result) => result.originRequests === 1 && result.allAnswered),
    }),
    checked({
      what: "4 processes x 50 concurrent identical cold requests, sharing a store (dedupe: 'store')",
      target: 'exactly 1 origin request per store',
      value: processCold.length > 0 ? processCold : undefined,
      absent: 'skipped (no Redis, no MongoDB)',
      measured: (results) => results.map((result) => `${result.label.replace('axios-http-cache, ', '')}: ${result.originRequests}`).join(', '),
      met: (results) => results.every((result) => result.originRequests === 1 && result.allAnswered),
    }),
    checked({
      what: 'Miss that stores into a MemoryStore, 1 KB JSON, local origin',
      target: '<= 1.1x the bare request to the same origin',
      value: pairRatio(byId('json-1k'), 'ahc-miss', 'origin-bare'),
      absent: 'not run',
      measured: formatRatio,
      met: (ratio) => ratio <= 1.1,
    }),
    ...memory.filter((result) => result.label.startsWith('axios-http-cache')).map((retained) => checked({
      what: `Heap + external retained per cached 1 KB entry (${retained.label}, ${retained.entries.toLocaleString('en')} entries, fresh process, after GC)`,
      target: '<= 2,000 bytes',
      value: retained.retainedBytesPerEntry,
      absent: 'not run',
      measured: formatBytes,
      met: (bytes) => bytes <= 2000,
    })),
    checked({
      what: `Empty store: ${emptyStore.label} (heap + external, fresh process)`,
      target: '< 100 KB',
      value: emptyStore.bytes,
      absent: 'not run',
      measured: formatBytes,
      met: (bytes) => bytes < 100_000,
    }),
    checked({
      what: `delete({ tag }) on a RedisStore of ${tagDelete?.entries.toLocaleString('en') ?? '10,000'} entries, ${tagDelete?.tagged ?? 10} tagged`,
      target: '< 20 ms',
      value: tagDelete,
      absent: NO_REDIS,
      measured: (found) => `${formatMs(found.indexedMs)} (walking every entry: ${formatMs(found.walkMs)})`,
      met: (found) => found.indexedMs < 20,
    }),
    ...tieredTargets(byId('json-1k'), invalidation),
    ...sqliteTargets(byId, sqlite),
  ];
}

/** Issue 13's targets for SqliteStore: hits next to MemoryStore's, a 100,000-entry file, two writing processes. */
function sqliteTargets(byId: (id: string) => CaseSamples | undefined, sqlite: SqliteScaleResult): TargetCheck[] {
  const size = `${sqlite.entries.toLocaleString('en')} entries`;
  const { writers } = sqlite;
  const all = writers.processes * writers.writesPerProcess;
  return [
    ...([['json-1k', '1 KB'], ['json-100k', '100 KB']] as const).map(([caseId, label]) => checked({
      what: `SqliteStore hit, ${label} JSON`,
      target: '<= 1.3x MemoryStore hit',
      value: pairRatio(byId(caseId), 'ahc-sqlite', 'ahc-memory'),
      absent: 'not run',
      measured: formatRatio,
      met: (ratio) => ratio <= 1.3,
    })),
    checked({ what: `SqliteStore file of ${size}: open`, target: '< 50 ms', value: sqlite.openMs, absent: 'not run', measured: formatMs, met: (ms) => ms < 50 }),
    checked({ what: `SqliteStore file of ${size}: count()`, target: '< 10 ms', value: sqlite.countMs, absent: 'not run', measured: formatMs, met: (ms) => ms < 10 }),
    checked({
      what: `SqliteStore file of ${size}: delete by pattern ${sqlite.patternDeleted.toLocaleString('en')} of them`,
      target: '< 200 ms for 1,000',
      value: sqlite.patternDeleteMs,
      absent: 'not run',
      measured: formatMs,
      met: (ms) => (sqlite.patternDeleted === sqlite.entries / 100 ? ms * (1000 / sqlite.patternDeleted) < 200 : false),
    }),
    checked({
      what: `SqliteStore: ${writers.processes} processes x ${writers.writesPerProcess.toLocaleString('en')} writes into one file at once`,
      target: 'all readable, no SQLITE_BUSY reaching a caller',
      value: writers,
      absent: 'not run',
      measured: (found) => `${found.readable.toLocaleString('en')} of ${all.toLocaleString('en')} readable, ${found.errors.length} failed (${found.errors.filter((error) => error.includes('SQLITE_BUSY')).length} SQLITE_BUSY)`,
      met: (found) => found.readable === all && found.errors.length === 0,
    }),
  ];
}

/** Issue 12's near cache: a near hit at memory speed, a far hit at Redis speed, invalidation within 50 / 250 ms. */
function tieredTargets(found: CaseSamples | undefined, invalidation: InvalidationResult | undefined): TargetCheck[] {
  return [
    checked({
      what: 'TieredStore near hit vs MemoryStore hit, 1 KB JSON',
      target: '<= 1.2x',
      value: pairRatio(found, 'ahc-tiered-near', 'ahc-memory'),
      absent: NO_REDIS,
      measured: formatRatio,
      met: (ratio) => ratio <= 1.2,
    }),
    checked({
      what: 'TieredStore far hit vs RedisStore hit, 1 KB JSON (key dropped from the near tier before each request)',
      target: '<= 1.05x (no slower, within noise)',
      value: pairRatio(found, 'ahc-tiered-far', 'ahc-redis'),
      absent: NO_REDIS,
      measured: formatRatio,
      met: (ratio) => ratio <= 1.05,
    }),
    checked({
      what: `TieredStore: a write in one process until another's near copy is gone (${invalidation?.writes ?? 0} writes, channel up)`,
      target: '<= 50 ms median, <= 250 ms p99',
      value: invalidation,
      absent: NO_REDIS,
      measured: (result) => `${formatMs(result.medianMs)} median, ${formatMs(result.p99Ms)} p99`,
      met: (result) => result.medianMs <= 50 && result.p99Ms <= 250,
    }),
  ];
}

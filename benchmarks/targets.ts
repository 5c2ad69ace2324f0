/** The targets, checked against one run's figures. */
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
      results.push({ caseLabel: found.result.label, missMs: miss.summary.medianMs, bareMs: bare.summary.medianMs, ratioToBare });
    }
  }
  return results;
}

/** Bytes for people: 1,234 bytes, or 12.3 KB past 10,000. */
function formatBytes(bytes: number): string {
  return bytes < 10_000 ? `${Math.round(bytes).toLocaleString('en')} bytes` : `${(bytes / 1000).toFixed(1)} KB`;
}

export function checkTargets(cases: readonly CaseSamples[], concurrency: readonly ConcurrencyResult[], memory: readonly MemoryResult[], emptyStore: EmptyStoreResult, processCold: readonly ProcessColdResult[], sqlite: SqliteScaleResult, invalidation?: InvalidationResult, tagDelete?: TagDeleteResult): TargetCheck[] {
  const byId = (id: string): CaseSamples | undefined => cases.find((found) => found.result.id === id);
  const checks: TargetCheck[] = [];
  for (const [caseId, label, goal] of [['json-1k', '1 KB', 1.1], ['json-100k', '100 KB', 1.15]] as const) {
    const hit = row(byId(caseId), 'ahc-memory');
    checks.push({
      what: `MemoryStore hit (copying), ${label} JSON, protected from caller mutation`,
      target: `<= ${goal}x string floor`,
      measured: hit ? `${formatRatio(hit.ratioToFloor)} (${formatMs(hit.summary.medianMs)}), ${hit.probe?.isolated === true ? 'protected' : 'NOT protected'}` : 'not run',
      met: hit ? hit.ratioToFloor <= goal && hit.probe?.isolated === true : undefined,
    });
  }
  for (const [caseId, label] of [['json-1k', '1 KB'], ['json-100k', '100 KB']] as const) {
    const frozen = row(byId(caseId), 'ahc-memory-frozen');
    const vsAci = pairRatio(byId(caseId), 'ahc-memory-frozen', 'aci-memory');
    checks.push({
      what: `MemoryStore hit, frozen: true, ${label} JSON, protected from caller mutation`,
      target: '<= 1.1x axios-cache-interceptor memory hit',
      measured: vsAci === undefined || frozen === undefined ? 'not run' : `${formatRatio(vsAci)} (${formatMs(frozen.summary.medianMs)}), ${frozen.probe?.isolated === true ? 'protected' : 'NOT protected'}`,
      met: vsAci === undefined || frozen === undefined ? undefined : vsAci <= 1.1 && frozen.probe?.isolated === true,
    });
  }
  const redisVsFloor = pairRatio(byId('json-1k'), 'ahc-redis', 'redis-floor');
  checks.push({
    what: 'RedisStore hit, 1 KB JSON',
    target: '<= 1.1x Redis floor (floor + raw GET + decode)',
    measured: redisVsFloor === undefined ? 'skipped (no Redis)' : formatRatio(redisVsFloor),
    met: redisVsFloor === undefined ? undefined : redisVsFloor <= 1.1,
  });
  const aciOverAhc = pairRatio(byId('json-100k'), 'aci-redis', 'ahc-redis');
  checks.push({
    what: 'RedisStore hit, 100 KB JSON, vs axios-cache-interceptor Redis storage',
    target: '>= 1.5x faster',
    measured: aciOverAhc === undefined ? 'skipped (no Redis)' : `${formatRatio(aciOverAhc)} faster`,
    met: aciOverAhc === undefined ? undefined : aciOverAhc >= 1.5,
  });
  const aciOverFrozen = pairRatio(byId('json-100k'), 'aci-redis', 'ahc-redis-frozen');
  checks.push({
    what: 'RedisStore hit, frozen: true, 100 KB JSON, vs axios-cache-interceptor Redis storage',
    target: '>= 3x faster',
    measured: aciOverFrozen === undefined ? 'skipped (no Redis)' : `${formatRatio(aciOverFrozen)} faster`,
    met: aciOverFrozen === undefined ? undefined : aciOverFrozen >= 3,
  });
  const ours = concurrency.filter((result) => result.label.startsWith('axios-http-cache'));
  checks.push({
    what: '100 concurrent identical cold requests',
    target: 'exactly 1 origin request per store',
    measured: ours.map((result) => `${result.label.replace('axios-http-cache, ', '')}: ${result.originRequests}`).join(', '),
    met: ours.length > 0 ? ours.every((result) => result.originRequests === 1 && result.allAnswered) : undefined,
  });
  checks.push({
    what: "4 processes x 50 concurrent identical cold requests, sharing a store (dedupe: 'store')",
    target: 'exactly 1 origin request per store',
    measured: processCold.length === 0 ? 'skipped (no Redis, no MongoDB)' : processCold.map((result) => `${result.label.replace('axios-http-cache, ', '')}: ${result.originRequests}`).join(', '),
    met: processCold.length > 0 ? processCold.every((result) => result.originRequests === 1 && result.allAnswered) : undefined,
  });
  const miss = pairRatio(byId('json-1k'), 'ahc-miss', 'origin-bare');
  checks.push({
    what: 'Miss that stores into a MemoryStore, 1 KB JSON, local origin',
    target: '<= 1.1x the bare request to the same origin',
    measured: miss === undefined ? 'not run' : formatRatio(miss),
    met: miss === undefined ? undefined : miss <= 1.1,
  });
  for (const retained of memory.filter((result) => result.label.startsWith('axios-http-cache'))) {
    checks.push({
      what: `Heap + external retained per cached 1 KB entry (${retained.label}, ${retained.entries.toLocaleString('en')} entries, fresh process, after GC)`,
      target: '<= 2,000 bytes',
      measured: formatBytes(retained.retainedBytesPerEntry),
      met: retained.retainedBytesPerEntry <= 2000,
    });
  }
  checks.push({
    what: `Empty store: ${emptyStore.label} (heap + external, fresh process)`,
    target: '< 100 KB',
    measured: formatBytes(emptyStore.bytes),
    met: emptyStore.bytes < 100_000,
  });
  checks.push({
    what: `delete({ tag }) on a RedisStore of ${tagDelete?.entries.toLocaleString('en') ?? '10,000'} entries, ${tagDelete?.tagged ?? 10} tagged`,
    target: '< 20 ms',
    measured: tagDelete ? `${formatMs(tagDelete.indexedMs)} (walking every entry: ${formatMs(tagDelete.walkMs)})` : 'skipped (no Redis)',
    met: tagDelete ? tagDelete.indexedMs < 20 : undefined,
  });
  checks.push(...tieredTargets(byId('json-1k'), invalidation));
  checks.push(...sqliteTargets(byId, sqlite));
  return checks;
}

/** Issue 13's targets for SqliteStore: hits next to MemoryStore's, a 100,000-entry file, two writing processes. */
function sqliteTargets(byId: (id: string) => CaseSamples | undefined, sqlite: SqliteScaleResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const [caseId, label] of [['json-1k', '1 KB'], ['json-100k', '100 KB']] as const) {
    const ratio = pairRatio(byId(caseId), 'ahc-sqlite', 'ahc-memory');
    checks.push({
      what: `SqliteStore hit, ${label} JSON`,
      target: '<= 1.3x MemoryStore hit',
      measured: ratio === undefined ? 'not run' : formatRatio(ratio),
      met: ratio === undefined ? undefined : ratio <= 1.3,
    });
  }
  const size = `${sqlite.entries.toLocaleString('en')} entries`;
  checks.push({ what: `SqliteStore file of ${size}: open`, target: '< 50 ms', measured: formatMs(sqlite.openMs), met: sqlite.openMs < 50 });
  checks.push({ what: `SqliteStore file of ${size}: count()`, target: '< 10 ms', measured: formatMs(sqlite.countMs), met: sqlite.countMs < 10 });
  checks.push({
    what: `SqliteStore file of ${size}: delete by pattern ${sqlite.patternDeleted.toLocaleString('en')} of them`,
    target: '< 200 ms for 1,000',
    measured: formatMs(sqlite.patternDeleteMs),
    met: sqlite.patternDeleted === sqlite.entries / 100 ? sqlite.patternDeleteMs * (1000 / sqlite.patternDeleted) < 200 : false,
  });
  const { writers } = sqlite;
  const all = writers.processes * writers.writesPerProcess;
  checks.push({
    what: `SqliteStore: ${writers.processes} processes x ${writers.writesPerProcess.toLocaleString('en')} writes into one file at once`,
    target: 'all readable, no SQLITE_BUSY reaching a caller',
    measured: `${writers.readable.toLocaleString('en')} of ${all.toLocaleString('en')} readable, ${writers.errors.length} failed (${writers.errors.filter((error) => error.includes('SQLITE_BUSY')).length} SQLITE_BUSY)`,
    met: writers.readable === all && writers.errors.length === 0,
  });
  return checks;
}

/** Issue 12's near cache: a near hit at memory speed, a far hit at Redis speed, invalidation within 50 / 250 ms. */
function tieredTargets(found: CaseSamples | undefined, invalidation: InvalidationResult | undefined): TargetCheck[] {
  const near = pairRatio(found, 'ahc-tiered-near', 'ahc-memory');
  const far = pairRatio(found, 'ahc-tiered-far', 'ahc-redis');
  return [
    {
      what: 'TieredStore near hit vs MemoryStore hit, 1 KB JSON',
      target: '<= 1.2x',
      measured: near === undefined ? 'skipped (no Redis)' : formatRatio(near),
      met: near === undefined ? undefined : near <= 1.2,
    },
    {
      what: 'TieredStore far hit vs RedisStore hit, 1 KB JSON (key dropped from the near tier before each request)',
      target: '<= 1.05x (no slower, within noise)',
      measured: far === undefined ? 'skipped (no Redis)' : formatRatio(far),
      met: far === undefined ? undefined : far <= 1.05,
    },
    {
      what: `TieredStore: a write in one process until another's near copy is gone (${invalidation?.writes ?? 0} writes, channel up)`,
      target: '<= 50 ms median, <= 250 ms p99',
      measured: invalidation === undefined ? 'skipped (no Redis)' : `${formatMs(invalidation.medianMs)} median, ${formatMs(invalidation.p99Ms)} p99`,
      met: invalidation === undefined ? undefined : invalidation.medianMs <= 50 && invalidation.p99Ms <= 250,
    },
  ];
}

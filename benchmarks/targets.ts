/** The targets, checked against one run's figures. */
import { formatMs, formatRatio, type CaseResult, type MissResult, type TargetCheck } from './results.js';
import type { RoundSamples } from './harness.js';
import type { ConcurrencyResult, EmptyStoreResult, MemoryResult } from './scenarios.js';
import { medianOfRoundRatios } from './stats.js';

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

export function checkTargets(cases: readonly CaseSamples[], concurrency: readonly ConcurrencyResult[], memory: readonly MemoryResult[], emptyStore: EmptyStoreResult): TargetCheck[] {
  const byId = (id: string): CaseSamples | undefined => cases.find((found) => found.result.id === id);
  const checks: TargetCheck[] = [];
  for (const [caseId, label] of [['json-1k', '1 KB'], ['json-100k', '100 KB']] as const) {
    const hit = row(byId(caseId), 'ahc-memory');
    checks.push({
      what: `MemoryStore hit, ${label} JSON, protected from caller mutation`,
      target: '<= 1.15x floor',
      measured: hit ? `${formatRatio(hit.ratioToFloor)} (${formatMs(hit.summary.medianMs)}), ${hit.probe?.isolated === true ? 'protected' : 'NOT protected'}` : 'not run',
      met: hit ? hit.ratioToFloor <= 1.15 && hit.probe?.isolated === true : undefined,
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
  const ours = concurrency.filter((result) => result.label.startsWith('axios-http-cache'));
  checks.push({
    what: '100 concurrent identical cold requests',
    target: 'exactly 1 origin request per store',
    measured: ours.map((result) => `${result.label.replace('axios-http-cache, ', '')}: ${result.originRequests}`).join(', '),
    met: ours.length > 0 ? ours.every((result) => result.originRequests === 1 && result.allAnswered) : undefined,
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
  return checks;
}

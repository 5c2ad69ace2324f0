/** The targets, checked against one run's figures. */
import { formatMs, formatRatio, type CaseResult, type TargetCheck } from './results.js';
import type { RoundSamples } from './harness.js';
import type { ConcurrencyResult, MemoryResult } from './scenarios.js';
import { medianOfRoundRatios } from './stats.js';
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

export function checkTargets(cases: readonly CaseSamples[], concurrency: readonly ConcurrencyResult[], memory: readonly MemoryResult[], tagDelete?: TagDeleteResult): TargetCheck[] {
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
  const retained = memory.find((result) => result.label.startsWith('axios-http-cache'));
  checks.push({
    what: `Heap retained per cached 1 KB entry (MemoryStore, ${retained?.entries.toLocaleString('en') ?? '10,000'} entries, after GC)`,
    target: '<= 2,500 bytes',
    measured: retained ? `${Math.round(retained.retainedBytesPerEntry).toLocaleString('en')} bytes` : 'not run',
    met: retained ? retained.retainedBytesPerEntry <= 2500 : undefined,
  });
  checks.push({
    what: `delete({ tag }) on a RedisStore of ${tagDelete?.entries.toLocaleString('en') ?? '10,000'} entries, ${tagDelete?.tagged ?? 10} tagged`,
    target: '< 20 ms',
    measured: tagDelete ? `${formatMs(tagDelete.indexedMs)} (walking every entry: ${formatMs(tagDelete.walkMs)})` : 'skipped (no Redis)',
    met: tagDelete ? tagDelete.indexedMs < 20 : undefined,
  });
  return checks;
}

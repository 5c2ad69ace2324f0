/** The targets, checked against one run's figures. */
import { formatMs, formatRatio, type CaseResult, type TargetCheck } from './results.js';
import type { RoundSamples } from './harness.js';
import type { ConcurrencyResult, MemoryResult } from './scenarios.js';
import type { SqliteScaleResult } from './sqlite.js';
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

export function checkTargets(cases: readonly CaseSamples[], concurrency: readonly ConcurrencyResult[], memory: readonly MemoryResult[], sqlite: SqliteScaleResult): TargetCheck[] {
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

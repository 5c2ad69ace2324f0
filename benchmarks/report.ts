/** The markdown report: printed on stdout and written to `benchmarks/results/latest.md`. */
import { formatMs, formatRatio, type CaseResult, type RunResults } from './results.js';
import type { SqliteScaleResult } from './sqlite.js';

function answerNote(row: CaseResult['rows'][number]): string {
  if (row.probe === undefined) return '—';
  if (!row.probe.intact) return 'WRONG BODY';
  return row.probe.isolated ? 'yes' : 'no: shares one object';
}

function caseTable(result: CaseResult): string[] {
  const lines = [
    `### ${result.label} (${result.bytes.toLocaleString('en')} bytes)`,
    '',
    '| Contender | Median | p99 | ops/s | Median vs floor | Caller mutation cannot reach the cache |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const row of result.rows) {
    const ratio = row.id === 'floor' ? '1.00x (floor)' : formatRatio(row.ratioToFloor);
    lines.push(`| ${row.label} | ${formatMs(row.summary.medianMs)} | ${formatMs(row.summary.p99Ms)} | ${Math.round(row.summary.opsPerSecond).toLocaleString('en')} | ${ratio} | ${answerNote(row)} |`);
  }
  lines.push('');
  return lines;
}

export function renderMarkdown(results: RunResults): string {
  const lines: string[] = [
    '# Benchmark results',
    '',
    `Run ${results.startedAt}${results.quick ? ' (QUICK mode: few rounds, figures are rough)' : ''}; ${results.environment}.`,
    `${results.rounds} interleaved rounds of ${results.sliceMs} ms per contender per body; whole run ${(results.durationMs / 1000).toFixed(1)} s.`,
    'Ratios are medians over rounds of (row median / floor median in the same round).',
    '',
  ];
  if (results.skipped.length > 0) {
    lines.push('Skipped:', '', ...results.skipped.map((reason) => `- ${reason}`), '');
  }
  lines.push('## Targets', '', '| Target | Goal | Measured | Met |', '|---|---|---|---|');
  for (const target of results.targets) {
    const met = target.met === undefined ? 'skipped' : target.met ? 'yes' : '**no**';
    lines.push(`| ${target.what} | ${target.target} | ${target.measured} | ${met} |`);
  }
  lines.push('', '## Sequential latency per request', '', '![median latency per contender](latest.svg)', '');
  for (const result of results.cases) lines.push(...caseTable(result));
  lines.push('## 100 concurrent identical requests on a cold cache', '', '| Cache | Requests | Origin requests | All answered |', '|---|---:|---:|---|');
  for (const row of results.concurrency) {
    lines.push(`| ${row.label} | ${row.requests} | ${row.originRequests} | ${row.allAnswered ? 'yes' : '**no**'} |`);
  }
  lines.push('', '## Heap retained per cached 1 KB response', '', '| Cache | Entries | Body bytes | Retained bytes per entry | vs body size |', '|---|---:|---:|---:|---:|');
  for (const row of results.memory) {
    lines.push(`| ${row.label} | ${row.entries.toLocaleString('en')} | ${row.bodyBytes.toLocaleString('en')} | ${Math.round(row.retainedBytesPerEntry).toLocaleString('en')} | ${formatRatio(row.retainedBytesPerEntry / row.bodyBytes)} |`);
  }
  const { sqlite } = results;
  if (sqlite !== undefined) lines.push(...sqliteTable(sqlite));
  lines.push('');
  return lines.join('\n');
}

function sqliteTable(sqlite: SqliteScaleResult): string[] {
  const lines: string[] = [];
  lines.push('', `## SqliteStore at scale (${sqlite.entries.toLocaleString('en')} entries of 1 KB)`, '', '| Operation | Measured |', '|---|---:|');
  lines.push(`| open (\`new SqliteStore({ path })\` + \`ready()\`), median of 5 | ${formatMs(sqlite.openMs)} |`);
  lines.push(`| \`count()\`, median of 5 | ${formatMs(sqlite.countMs)} |`);
  lines.push(`| \`cache.delete({ pattern })\` of ${sqlite.patternDeleted.toLocaleString('en')} entries | ${formatMs(sqlite.patternDeleteMs)} (CPU ${formatMs(sqlite.patternDeleteCpuMs)}) |`);
  const { writers } = sqlite;
  lines.push(`| ${writers.processes} processes x ${writers.writesPerProcess.toLocaleString('en')} writes into one file, at once | ${formatMs(writers.ms)}: ${writers.readable.toLocaleString('en')} of ${(writers.processes * writers.writesPerProcess).toLocaleString('en')} readable, ${writers.errors.length} failed writes |`);
  return lines;
}

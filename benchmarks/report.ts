/** The markdown report: printed on stdout and written to `benchmarks/results/latest.md`. */
import { formatMs, formatRatio, type CaseResult, type RunResults } from './results.js';

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
  lines.push('', '## Misses next to the bare request', '', 'A miss that stores into a MemoryStore (a new URL each time) and a request with no cache, to the same local origin, in the same rounds.', '');
  lines.push('| Body | Miss median | Bare median | Miss / bare (median of per-round ratios) |', '|---|---:|---:|---:|');
  for (const row of results.misses) {
    lines.push(`| ${row.caseLabel} | ${formatMs(row.missMs)} | ${formatMs(row.bareMs)} | ${formatRatio(row.ratioToBare)} |`);
  }
  lines.push('', '## Memory retained per cached 1 KB response', '', 'Heap plus external memory, after full GCs, each row in a fresh process (after a warm-up through a throwaway cache).', '');
  lines.push('| Cache | Entries | Body bytes | Heap per entry | External per entry | Retained per entry | vs body size |', '|---|---:|---:|---:|---:|---:|---:|');
  const bytes = (value: number): string => Math.round(value).toLocaleString('en');
  for (const row of results.memory) {
    lines.push(`| ${row.label} | ${row.entries.toLocaleString('en')} | ${bytes(row.bodyBytes)} | ${bytes(row.heapBytesPerEntry)} | ${bytes(row.externalBytesPerEntry)} | ${bytes(row.retainedBytesPerEntry)} | ${formatRatio(row.retainedBytesPerEntry / row.bodyBytes)} |`);
  }
  lines.push('', `Empty store, \`${results.emptyStore.label}\`: ${bytes(results.emptyStore.bytes)} bytes.`);
  lines.push('');
  return lines.join('\n');
}

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
    '| Contender | Median | p99 | ops/s | Median vs string floor | Median vs parsed floor | Caller mutation cannot reach the cache |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of result.rows) {
    const ratio = row.id === 'floor' ? '1.00x (floor)' : formatRatio(row.ratioToFloor);
    const parsedRatio = row.id === 'floor-parsed' ? '1.00x (floor)' : formatRatio(row.ratioToParsedFloor);
    lines.push(`| ${row.label} | ${formatMs(row.summary.medianMs)} | ${formatMs(row.summary.p99Ms)} | ${Math.round(row.summary.opsPerSecond).toLocaleString('en')} | ${ratio} | ${parsedRatio} | ${answerNote(row)} |`);
  }
  lines.push('');
  return lines;
}

/** The rows measured across processes sharing one store, with dedupe: 'store'. */
function processTables(results: RunResults): string[] {
  const lines = [
    '', "## Identical cold requests from 4 processes sharing a store (dedupe: 'store')", '',
    '| Cache | Processes | Requests | Origin requests | All answered |', '|---|---:|---:|---:|---|',
  ];
  for (const row of results.processes.cold) {
    lines.push(`| ${row.label} | ${row.processes} | ${row.requests} | ${row.originRequests} | ${row.allAnswered ? 'yes' : '**no**'} |`);
  }
  lines.push(
    '', "## 4 processes hammering hot keys (dedupe: 'store')", '',
    '| Cache | Processes | Keys | Seconds | Hits per second | p99 (worst process) | Origin requests | All answered |', '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const row of results.processes.hotKeys) {
    lines.push(`| ${row.label} | ${row.processes} | ${row.keys} | ${row.seconds} | ${Math.round(row.hitsPerSecond).toLocaleString('en')} | ${formatMs(row.p99Ms)} | ${row.originRequests} | ${row.allAnswered ? 'yes' : '**no**'} |`);
  }
  return lines;
}

export function renderMarkdown(results: RunResults): string {
  const lines: string[] = [
    '# Benchmark results',
    '',
    `Run ${results.startedAt}${results.quick ? ' (QUICK mode: few rounds, figures are rough)' : ''}; ${results.environment}.`,
    `${results.rounds} interleaved rounds of ${results.sliceMs} ms per contender per body; whole run ${(results.durationMs / 1000).toFixed(1)} s.`,
    'Ratios are medians over rounds of (row median / floor median in the same round), against two floors: the string floor (bare axios parsing a prepared JSON string, as it parses what the http adapter hands it) and the parsed floor (bare axios handed an object parsed in advance).',
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
  lines.push(...processTables(results));
  lines.push('', '## Misses next to the bare request', '', 'A miss that stores into a MemoryStore and a request with no cache, both to a new URL each time, to the same local origin, in the same rounds; beside them, in the same rounds, axios-cache-interceptor\'s miss (memory storage) and the miss floor: the least any cache does on a miss (a key from the URL as given, a map lookup, its own config for the adapter, a max-age read, a map write: `benchmarks/least-cache.ts`, not a cache to use).', '');
  lines.push('| Body | Miss median | Bare median | Miss / bare (median of per-round ratios) | axios-cache-interceptor miss / bare | Miss floor / bare |', '|---|---:|---:|---:|---:|---:|');
  const ratioOrDash = (ratio: number | undefined): string => (ratio === undefined ? '—' : formatRatio(ratio));
  for (const row of results.misses) {
    lines.push(`| ${row.caseLabel} | ${formatMs(row.missMs)} | ${formatMs(row.bareMs)} | ${formatRatio(row.ratioToBare)} | ${ratioOrDash(row.aciRatioToBare)} | ${ratioOrDash(row.floorRatioToBare)} |`);
  }
  lines.push('', '## Memory retained per cached 1 KB response', '', 'Heap plus external memory, after full GCs, each row in a fresh process (after a warm-up through a throwaway cache).', '');
  lines.push('| Cache | Entries | Body bytes | Heap per entry | External per entry | Retained per entry | vs body size |', '|---|---:|---:|---:|---:|---:|---:|');
  const bytes = (value: number): string => Math.round(value).toLocaleString('en');
  for (const row of results.memory) {
    lines.push(`| ${row.label} | ${row.entries.toLocaleString('en')} | ${bytes(row.bodyBytes)} | ${bytes(row.heapBytesPerEntry)} | ${bytes(row.externalBytesPerEntry)} | ${bytes(row.retainedBytesPerEntry)} | ${formatRatio(row.retainedBytesPerEntry / row.bodyBytes)} |`);
  }
  lines.push('', `Empty store, \`${results.emptyStore.label}\`: ${bytes(results.emptyStore.bytes)} bytes.`);
  if (results.invalidation !== undefined) {
    const { writes, medianMs, p99Ms, maxMs } = results.invalidation;
    lines.push('', '## TieredStore: a write in one process until the near copy in another is gone', '', '| Writes | Median | p99 | Max |', '|---:|---:|---:|---:|');
    lines.push(`| ${writes} | ${formatMs(medianMs)} | ${formatMs(p99Ms)} | ${formatMs(maxMs)} |`);
  }
  const { sqlite } = results;
  if (sqlite !== undefined) lines.push(...sqliteTable(sqlite));
  if (results.tagDelete !== undefined) {
    const found = results.tagDelete;
    lines.push('', `## Delete by tag on RedisStore (${found.entries.toLocaleString('en')} entries, ${found.tagged} tagged)`, '',
      '| Answered from | Rounds | Median | Slowest |', '|---|---:|---:|---:|',
      `| the tag's Redis set (find) | ${found.indexedRounds} | ${formatMs(found.indexedMs)} | ${formatMs(found.indexedMaxMs)} |`,
      `| a walk of every entry (no find) | ${found.walkRounds} | ${formatMs(found.walkMs)} | |`);
  }
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

/** Renders one conformance run (every contender's results) as markdown. */
import { CONTENDER_LABELS } from './contenders.js';
import type { ContenderName } from './contenders.js';
import { emptyTally, failureMessage, isPassing, kindOf, runsIn, tally, verdict } from './suite.js';
import type { SuiteResults, SuiteSection, SuiteTest, Tally } from './suite.js';

export interface ContenderRun {
  readonly name: ContenderName;
  readonly results: SuiteResults;
  readonly durationMs: number;
}

export interface RunMeta {
  readonly suiteVersion: string;
  readonly undiciVersion: string;
  readonly axiosVersion: string;
  readonly nodeVersion: string;
  readonly date: string;
  readonly useBrowserCache: boolean;
}

/** The pairs compared test by test: ours against undici in the same role. */
export const PAIRS: ReadonlyArray<readonly [ContenderName, ContenderName]> = [
  ['ours-private', 'undici-private'],
  ['ours-shared', 'undici-shared'],
];

const cell = (t: Tally): string => `${t.passed} / ${t.failed} / ${t.total}`;
const requiredCell = (t: Tally): string => `${t.requiredPassed} / ${t.requiredFailed} / ${t.requiredTotal}`;
const escape = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

export function totals(suites: readonly SuiteSection[], run: ContenderRun, useBrowserCache: boolean): Tally {
  const into = emptyTally();
  for (const section of suites) tally(suites, section.tests, run.results, useBrowserCache, into);
  return into;
}

function testsOf(suites: readonly SuiteSection[], useBrowserCache: boolean): SuiteTest[] {
  return suites.flatMap((section) => section.tests.filter((test) => runsIn(test, useBrowserCache)));
}

function testLine(suites: readonly SuiteSection[], test: SuiteTest, results: SuiteResults): string {
  const message = failureMessage(results[test.id]);
  return `- \`${test.id}\` (${kindOf(test)}): ${escape(test.name)} Ours: ${verdict(suites, results, test.id)}${message ? ` (${escape(message)})` : ''}`;
}

export function renderReport(suites: readonly SuiteSection[], runs: readonly ContenderRun[], meta: RunMeta): string {
  const lines: string[] = [];
  const labels = runs.map((run) => CONTENDER_LABELS[run.name]);
  lines.push('# HTTP cache conformance: axios-http-cache next to undici', '');
  lines.push(
    `Suite: http-cache-tests ${meta.suiteVersion} (cache-tests.fyi), ${meta.useBrowserCache ? 'browser' : 'proxy'} profile. ` +
      `undici ${meta.undiciVersion}, axios ${meta.axiosVersion}, Node ${meta.nodeVersion}. Run ${meta.date}.`,
    '',
  );
  lines.push(
    'Scored as the suite scores (its lib/display.mjs): cells are passed / failed / total, where passed counts passes and checks answered ' +
      'yes, failed counts failures, optional failures and checks answered no; the rest (a setup failure, a retry, a failed ' +
      'dependency) is not scored. Both contenders get identical requests: a WHATWG fetch without an HTTP cache of its own over the cache under test.',
    '',
  );
  lines.push('## Totals', '');
  const allTotals = runs.map((run) => totals(suites, run, meta.useBrowserCache));
  lines.push(
    ...table(
      ['', ...labels],
      [
        ['All tests', ...allTotals.map(cell)],
        ['Required (passed / failed / total)', ...allTotals.map(requiredCell)],
        ['Optimal (passed / total)', ...allTotals.map((t) => `${t.optimalPassed} / ${t.optimalTotal}`)],
        ['Checks answered yes', ...allTotals.map((t) => `${t.checkYes} / ${t.checkTotal}`)],
        ['Run time (s)', ...runs.map((run) => (run.durationMs / 1000).toFixed(1))],
      ],
    ),
    '',
  );
  lines.push('## By section', '');
  const sectionRows = suites
    .filter((section) => section.tests.some((test) => runsIn(test, meta.useBrowserCache)))
    .map((section) => [escape(section.name), ...runs.map((run) => cell(tally(suites, section.tests, run.results, meta.useBrowserCache)))]);
  lines.push(...table(['Section', ...labels], sectionRows), '');
  lines.push('## Required tests by section (passed / failed / total)', '');
  const requiredRows = suites
    .filter((section) => section.tests.some((test) => runsIn(test, meta.useBrowserCache) && kindOf(test) === 'required'))
    .map((section) => [escape(section.name), ...runs.map((run) => requiredCell(tally(suites, section.tests, run.results, meta.useBrowserCache)))]);
  lines.push(...table(['Section', ...labels], requiredRows), '');

  const tests = testsOf(suites, meta.useBrowserCache);
  for (const [ours, theirs] of PAIRS) {
    const ourRun = runs.find((run) => run.name === ours);
    const theirRun = runs.find((run) => run.name === theirs);
    if (!ourRun || !theirRun) continue;
    const passes = (run: ContenderRun, test: SuiteTest): boolean => isPassing(verdict(suites, run.results, test.id));
    const weLose = tests.filter((test) => !passes(ourRun, test) && passes(theirRun, test));
    const weWin = tests.filter((test) => passes(ourRun, test) && !passes(theirRun, test));
    lines.push(`## ${CONTENDER_LABELS[ours]} fails, ${CONTENDER_LABELS[theirs]} passes (${weLose.length})`, '');
    lines.push(...(weLose.length ? weLose.map((test) => testLine(suites, test, ourRun.results)) : ['None.']), '');
    lines.push(`## ${CONTENDER_LABELS[ours]} passes, ${CONTENDER_LABELS[theirs]} fails (${weWin.length})`, '');
    lines.push(...(weWin.length ? weWin.map((test) => `- \`${test.id}\` (${kindOf(test)})`) : ['None.']), '');
  }
  for (const run of runs.filter((candidate) => candidate.name.startsWith('ours'))) {
    const failedRequired = tests.filter((test) => verdict(suites, run.results, test.id) === 'fail');
    lines.push(`## Required tests ${CONTENDER_LABELS[run.name]} fails (${failedRequired.length})`, '');
    lines.push(...(failedRequired.length ? failedRequired.map((test) => testLine(suites, test, run.results)) : ['None.']), '');
  }
  return lines.join('\n');
}

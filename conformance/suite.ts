/**
 * The http-cache-tests suite (cache-tests.fyi) as data, and how its results are scored. The suite itself comes from
 * the `http-cache-tests` devDependency; nothing of it is copied here.
 */

/** One request step of a suite test; only the fields the runner looks at are typed. */
export interface SuiteRequest {
  readonly [field: string]: unknown;
}

export interface SuiteTest {
  readonly id: string;
  readonly name: string;
  /** `required` (the default), `optimal` (a SHOULD or better behaviour) or `check` (a yes/no question). */
  readonly kind?: 'required' | 'optimal' | 'check';
  readonly depends_on?: readonly string[];
  readonly browser_only?: boolean;
  readonly browser_skip?: boolean;
  readonly requests: readonly SuiteRequest[];
}

export interface SuiteSection {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly tests: readonly SuiteTest[];
}

/** What the suite's runner records per test: `true`, or the failed assertion's `[name, message]`. */
export type RawResult = true | readonly [string, string];

/**
 * The suite's own verdicts (its lib/display.mjs): a test whose dependency did not pass says nothing; a `Setup` failure
 * means the test could not even be set up (the cache did something earlier that the test needed not to happen).
 */
export type Verdict = 'pass' | 'fail' | 'optional-fail' | 'yes' | 'no' | 'setup-fail' | 'retry' | 'dependency-fail' | 'untested';

export type SuiteResults = Readonly<Record<string, RawResult>>;

export function findTest(suites: readonly SuiteSection[], id: string): SuiteTest | undefined {
  for (const section of suites) {
    const test = section.tests.find((candidate) => candidate.id === id);
    if (test) return test;
  }
  return undefined;
}

export function kindOf(test: SuiteTest): 'required' | 'optimal' | 'check' {
  return test.kind ?? 'required';
}

/** Whether a test runs in a profile: proxy-style (`useBrowserCache` false) skips `browser_only` tests, and the reverse. */
export function runsIn(test: SuiteTest, useBrowserCache: boolean): boolean {
  return useBrowserCache ? test.browser_skip !== true : test.browser_only !== true;
}

export function verdict(suites: readonly SuiteSection[], results: SuiteResults, id: string, seen: ReadonlySet<string> = new Set()): Verdict {
  const test = findTest(suites, id);
  const result = results[id];
  if (test === undefined || result === undefined) return 'untested';
  for (const dependency of test.depends_on ?? []) {
    if (seen.has(dependency)) continue;
    const dependencyVerdict = verdict(suites, results, dependency, new Set([...seen, id]));
    if (dependencyVerdict !== 'pass' && dependencyVerdict !== 'yes') return 'dependency-fail';
  }
  if (result !== true && result[0] === 'Setup') return result[1] === 'retry' ? 'retry' : 'setup-fail';
  const passed = result === true;
  switch (kindOf(test)) {
    case 'required':
      return passed ? 'pass' : 'fail';
    case 'optimal':
      return passed ? 'pass' : 'optional-fail';
    case 'check':
      return passed ? 'yes' : 'no';
  }
}

export interface Tally {
  /** Tests that ran in this profile. */
  total: number;
  /** Verdict pass, or yes for a check. */
  passed: number;
  /** Verdict fail, optional-fail, or no for a check. The rest (setup failure, retry, failed dependency) is not scored. */
  failed: number;
  requiredTotal: number;
  requiredPassed: number;
  requiredFailed: number;
  optimalTotal: number;
  optimalPassed: number;
  /** `check` tests answered yes (they are questions, not requirements). */
  checkYes: number;
  checkTotal: number;
}

export function emptyTally(): Tally {
  return { total: 0, passed: 0, failed: 0, requiredTotal: 0, requiredPassed: 0, requiredFailed: 0, optimalTotal: 0, optimalPassed: 0, checkYes: 0, checkTotal: 0 };
}

export const isPassing = (v: Verdict): boolean => v === 'pass' || v === 'yes';
export const isFailing = (v: Verdict): boolean => v === 'fail' || v === 'optional-fail' || v === 'no';

/** Counts some tests' verdicts, as the suite's own display scores them (dependencies honoured). */
export function tally(suites: readonly SuiteSection[], tests: readonly SuiteTest[], results: SuiteResults, useBrowserCache: boolean, into: Tally = emptyTally()): Tally {
  for (const test of tests) {
    if (!runsIn(test, useBrowserCache)) continue;
    const v = verdict(suites, results, test.id);
    into.total += 1;
    if (isPassing(v)) into.passed += 1;
    if (isFailing(v)) into.failed += 1;
    const kind = kindOf(test);
    if (kind === 'required') {
      into.requiredTotal += 1;
      if (v === 'pass') into.requiredPassed += 1;
      if (v === 'fail') into.requiredFailed += 1;
    } else if (kind === 'optimal') {
      into.optimalTotal += 1;
      if (v === 'pass') into.optimalPassed += 1;
    } else {
      into.checkTotal += 1;
      if (v === 'yes') into.checkYes += 1;
    }
  }
  return into;
}

/** Ids of the tests that passed, sorted. */
export function passedIds(results: SuiteResults): string[] {
  return Object.keys(results)
    .filter((id) => results[id] === true)
    .sort();
}

/** The failure message of a test, or '' when it passed. */
export function failureMessage(result: RawResult | undefined): string {
  if (result === undefined) return 'not run';
  if (result === true) return '';
  return `${result[0]}: ${result[1]}`;
}

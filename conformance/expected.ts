/** conformance/expected-passes.json: the suite tests our cache passed when the results were committed. */
import { readFileSync } from 'node:fs';
import type { ContenderRun } from './report.js';
import { passedIds } from './suite.js';

export const EXPECTED_PASSES_FILE = new URL('./expected-passes.json', import.meta.url);

export interface ExpectedPasses {
  readonly suiteVersion: string;
  /** Test ids each of our configurations passed (proxy profile). */
  readonly passes: Readonly<Record<'ours-private' | 'ours-shared', readonly string[]>>;
}

export function expectedFromRuns(runs: readonly ContenderRun[], suiteVersion: string): ExpectedPasses {
  const of = (name: 'ours-private' | 'ours-shared'): string[] => {
    const run = runs.find((candidate) => candidate.name === name);
    return run ? passedIds(run.results) : [];
  };
  return { suiteVersion, passes: { 'ours-private': of('ours-private'), 'ours-shared': of('ours-shared') } };
}

export function readExpected(): ExpectedPasses {
  return JSON.parse(readFileSync(EXPECTED_PASSES_FILE, 'utf8')) as ExpectedPasses;
}

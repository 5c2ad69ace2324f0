/** What the page shows and what the Node test reads back through `window.__results`. */

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ContractSummary {
  readonly passes: number;
  readonly failures: number;
  readonly pending: number;
  readonly passed: readonly string[];
  readonly failed: readonly { readonly title: string; readonly error: string }[];
}

export interface PageResults {
  readonly phase: string;
  done: boolean;
  fatal: string | undefined;
  readonly checks: Check[];
  contract: ContractSummary | undefined;
  /** Facts the Node side asserts on beyond pass/fail (counts, sizes). */
  readonly facts: Record<string, unknown>;
}

declare global {
  interface Window {
    __results: PageResults;
  }
}

export function startResults(phase: string): PageResults {
  const results: PageResults = { phase, done: false, fatal: undefined, checks: [], contract: undefined, facts: {} };
  window.__results = results;
  const phaseElement = document.getElementById('phase');
  if (phaseElement) phaseElement.textContent = phase;
  return results;
}

/** Records one check and adds it as a table row; returns `ok` so callers can branch on it. */
export function check(results: PageResults, name: string, ok: boolean, detail = ''): boolean {
  results.checks.push({ name, ok, detail });
  const row = document.createElement('tr');
  for (const [text, className] of [[name, ''], [ok ? 'pass' : 'FAIL', ok ? 'pass' : 'fail'], [detail, '']] as const) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (className) cell.className = className;
    row.append(cell);
  }
  document.querySelector('#checks tbody')?.append(row);
  return ok;
}

export function finish(results: PageResults, fatal?: unknown): void {
  if (fatal instanceof Error) results.fatal = `${fatal.name}: ${fatal.message}\n${fatal.stack ?? ''}`;
  else if (fatal !== undefined) results.fatal = JSON.stringify(fatal) ?? 'an undefined error';
  results.done = true;
  const status = document.getElementById('status');
  if (status) {
    const failed = results.checks.filter((item) => !item.ok).length + (results.contract?.failures ?? 0) + (results.fatal ? 1 : 0);
    status.textContent = failed === 0 ? 'done, all passed' : `done, ${failed} failed${results.fatal ? `: ${results.fatal}` : ''}`;
    status.className = failed === 0 ? 'pass' : 'fail';
  }
}

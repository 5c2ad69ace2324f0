/**
 * The browser test page. `?phase=first` runs everything once and seeds the persistent stores;
 * `?phase=reload` (after a reload) and `?phase=tab` (a second tab) check that they answer from
 * storage. The Node side (test/browser/browser.test.ts) reads `window.__results`.
 */
import { runContractSuites } from './contract.js';
import { indexedDBQuotaRun } from './idb-quota.js';
import { quotaRun } from './quota.js';
import { check, finish, startResults, type PageResults } from './report.js';
import { hitsAfterReload, missThenHit, requestVia, seedPersistentStores, streamMissThenHit, type StoreKind } from './scenarios.js';

declare global {
  interface Window {
    __request: (kind: StoreKind, url: string) => Promise<{ fromCache: boolean; status: string }>;
  }
}

window.__request = requestVia;

async function run(results: PageResults): Promise<void> {
  check(results, 'no Node globals in the page', typeof (globalThis as { process?: unknown }).process === 'undefined' && typeof (globalThis as { Buffer?: unknown }).Buffer === 'undefined');
  if (results.phase === 'first') {
    await missThenHit(results);
    await streamMissThenHit(results);
    await seedPersistentStores(results);
    results.contract = await runContractSuites();
    const summary = document.getElementById('contract-summary');
    if (summary) summary.textContent = `store contract: ${results.contract.passes} passed, ${results.contract.failures} failed, ${results.contract.pending} skipped`;
    await quotaRun(results);
  } else if (results.phase === 'reload') {
    await hitsAfterReload(results, 'after a reload');
  } else if (results.phase === 'tab') {
    await hitsAfterReload(results, 'in a second tab');
  } else if (results.phase === 'idb-quota') {
    await indexedDBQuotaRun(results);
  }
}

const results = startResults(new URLSearchParams(location.search).get('phase') ?? 'first');
run(results).then(() => finish(results), (error: unknown) => finish(results, error));

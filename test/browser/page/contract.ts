/**
 * Runs the shared store contract suite (test/stores/store-contract.ts) in the page with mocha's
 * own browser build (loaded by index.html as /mocha.js), against real localStorage and IndexedDB.
 */
import { runStoreContract } from '../../stores/store-contract.js';
import { indexedDBHarness, webStorageHarness } from '../support/harnesses.js';
import type { ContractSummary } from './report.js';

export function runContractSuites(): Promise<ContractSummary> {
  mocha.setup({ ui: 'bdd', reporter: 'html', timeout: 30_000 });
  // localStorage holds about 5 MB of UTF-16 per origin and binary bodies go in as base64: a 512 KiB large entry.
  runStoreContract('WebStorageStore over localStorage', webStorageHarness(localStorage, 'contract-ls:'), { largeBodyBytes: 512 * 1024 });
  runStoreContract('IndexedDBStore', indexedDBHarness(indexedDB, 'contract-idb'));
  return new Promise((resolve) => {
    const passed: string[] = [];
    const failed: { title: string; error: string }[] = [];
    let pending = 0;
    const runner = mocha.run();
    runner.on('pass', (test) => passed.push(test.fullTitle()));
    runner.on('fail', (test, error: unknown) => failed.push({ title: test.fullTitle(), error: error instanceof Error ? error.message : String(error) }));
    runner.on('pending', () => {
      pending += 1;
    });
    runner.on('end', () => resolve({ passes: passed.length, failures: failed.length, pending, passed, failed }));
  });
}

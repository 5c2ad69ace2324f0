import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../lib/stores/sqlite.js';
import { runStoreContract, type StoreHarness, type TestClock } from './store-contract.js';

/** A directory of its own for each test's files, removed afterwards. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ahc-sqlite-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('SqliteStore', function () {
  const harness = (driver: 'better-sqlite3' | 'node:sqlite' | 'auto') => async (clock: TestClock): Promise<StoreHarness> => {
    const temp = tempDir();
    const path = join(temp.dir, 'cache.db');
    const stores: SqliteStore[] = [];
    const open = (): SqliteStore => {
      const store = new SqliteStore({ path, driver, now: clock.now, sweepIntervalMs: 0 });
      stores.push(store);
      return store;
    };
    const store = open();
    await store.ready();
    const raw = new Database(path);
    return {
      store,
      rawHas: (key) => Promise.resolve(raw.prepare('SELECT 1 FROM ahc_entries WHERE key = ?').get(key) !== undefined),
      corrupt: (key) => {
        raw.prepare('UPDATE ahc_entries SET data = ? WHERE key = ?').run(Buffer.from([1, 2, 3]), key);
        return Promise.resolve();
      },
      makePeer: () => Promise.resolve(open()),
      settleNativeExpiry: async () => { await store.sweep(); },
      teardown: async () => {
        for (const each of stores) await each.close();
        raw.close();
        temp.remove();
      },
    };
  };

  runStoreContract('SqliteStore (file, better-sqlite3)', harness('better-sqlite3'));
});

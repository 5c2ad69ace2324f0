/**
 * The SqliteStore contract harness, shared by the suite on this Node (better-sqlite3) and the one run under a Node
 * with node:sqlite (`sqlite-node-sqlite.check.ts`): raw access goes through the store's own driver file, so it needs
 * whichever library that Node has.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type SqliteDriverName } from '../../lib/stores/sqlite-driver.js';
import { SqliteStore } from '../../lib/stores/sqlite.js';
import type { StoreHarness, TestClock } from './store-contract.js';

/** A directory of its own, removed by `remove()`. */
export function tempDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ahc-sqlite-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The contract harness for a SqliteStore on a new file, opened with `driver`. */
export function sqliteHarness(driver: SqliteDriverName | 'auto') {
  return async (clock: TestClock): Promise<StoreHarness> => {
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
    const raw = await openSqlite(path, driver);
    return {
      store,
      rawHas: (key) => Promise.resolve(raw.prepare('SELECT 1 AS found FROM ahc_entries WHERE key = ?').get(key) !== undefined),
      corrupt: (key) => {
        raw.prepare('UPDATE ahc_entries SET data = ? WHERE key = ?').run(new Uint8Array([1, 2, 3]), key);
        return Promise.resolve();
      },
      makePeer: () => Promise.resolve(open()),
      writeForeign: () => {
        raw.exec("CREATE TABLE IF NOT EXISTS foreign_notes (note TEXT); INSERT INTO foreign_notes VALUES ('keep me')");
        return Promise.resolve();
      },
      foreignSurvived: () => Promise.resolve(raw.prepare('SELECT note FROM foreign_notes').get()?.['note'] === 'keep me'),
      settleNativeExpiry: async () => {
        await store.sweep();
      },
      teardown: async () => {
        for (const each of stores) await each.close();
        raw.close();
        temp.remove();
      },
    };
  };
}

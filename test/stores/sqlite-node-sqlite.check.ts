/**
 * The store contract for SqliteStore on node:sqlite. Run by `sqlite.test.ts` under a Node that has node:sqlite (this
 * one when it does, else the Node 24 that .ci/run installs), since the suite's own Node 20 has only better-sqlite3.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ReadOnlyError } from '../../lib/errors.js';
import { isLockError, openSqlite } from '../../lib/stores/sqlite-driver.js';
import { SqliteStore } from '../../lib/stores/sqlite.js';
import { makeRecord } from './fixtures.js';
import { runStoreContract } from './store-contract.js';
import { sqliteHarness, tempDir } from './sqlite-harness.js';

runStoreContract('SqliteStore on node:sqlite', sqliteHarness('node:sqlite'));

describe('SqliteStore on node:sqlite', function () {
  it("is what driver 'auto' picks on this Node", async function () {
    const store = new SqliteStore({ path: ':memory:' });
    await store.ready();
    expect(store.driver).to.equal('node:sqlite');
    await store.close();
  });

  it('opens a file read-only on node:sqlite: hits leave the file as it was, writes reject with ReadOnlyError', async function () {
    const temp = tempDir();
    const path = `${temp.dir}/built.db`;
    const now = Date.now();
    const writer = new SqliteStore({ path, driver: 'node:sqlite' });
    await writer.set('k', makeRecord('k', now), now + 60_000);
    await writer.close();
    const before = readFileSync(path);
    const store = new SqliteStore({ path, driver: 'node:sqlite', readOnly: true });
    expect((await store.get('k'))?.key).to.equal('k');
    expect(await Promise.resolve(store.delete('k')).then(() => undefined, (error: unknown) => error)).to.be.instanceOf(ReadOnlyError);
    await store.close();
    expect(readFileSync(path).equals(before)).to.equal(true);
    temp.remove();
  });

  it("reads node:sqlite's locked-database error as a lock, and waits it out", async function () {
    const temp = tempDir();
    const path = `${temp.dir}/locked.db`;
    const store = new SqliteStore({ path, driver: 'node:sqlite', busyTimeoutMs: 2000 });
    await store.ready();
    const other = await openSqlite(path, 'node:sqlite');
    other.exec('BEGIN IMMEDIATE');
    const probe = await openSqlite(path, 'node:sqlite');
    const lockError = (() => {
      try {
        probe.exec('BEGIN IMMEDIATE');
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(isLockError(lockError), String(lockError)).to.equal(true);
    const deleting = store.delete('k');
    setTimeout(() => other.exec('COMMIT'), 200);
    await deleting;
    probe.close();
    other.close();
    await store.close();
    temp.remove();
  });
});

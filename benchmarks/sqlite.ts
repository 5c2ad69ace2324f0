/**
 * SqliteStore in the benchmark: its hit row beside MemoryStore's, and the scale checks of a persistent cache: opening
 * a file of 100,000 entries, counting them, deleting 1,000 of them by URL pattern, and two processes writing into one
 * file at once.
 */
import { execFile } from 'node:child_process';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import axios from 'axios';
import Database from 'better-sqlite3';
import { attachCache } from '../lib/index.js';
import { encodeRecord } from '../lib/stores/codec.js';
import { STATEMENTS, withoutScheme } from '../lib/stores/sqlite-schema.js';
import { SqliteStore } from '../lib/stores/sqlite.js';
import { makeRecord } from '../test/stores/fixtures.js';
import type { BodyCase } from './bodies.js';
import { ahcHit, ahcMiss, requestContender, type RequestContender } from './contender-kit.js';
import { preparedInstance, warmed } from './contenders.js';
import { median } from './stats.js';

const PATH = '/items?page=1';
const root = resolve(import.meta.dirname, '..');

/** axios-http-cache over a SqliteStore on a file of its own in `dir`. */
export async function ahcSqliteContender(body: BodyCase, dir: string): Promise<RequestContender> {
  const store = new SqliteStore({ path: join(dir, `hit-${body.id}.db`) });
  const api = preparedInstance(body, true);
  attachCache(api, { store });
  return warmed(requestContender('ahc-sqlite', 'axios-http-cache, SqliteStore (file)', () => api.get(PATH), ahcHit, () => store.close()), ahcMiss);
}

export interface SqliteScaleResult {
  readonly entries: number;
  /** Median of five `new SqliteStore({ path })` + `ready()` on the full file. */
  readonly openMs: number;
  /** Median of five `count()`. */
  readonly countMs: number;
  readonly patternDeleted: number;
  /**
   * `cache.delete({ pattern })` through attachCache, selecting 1/100 of the entries (five rounds, each on another
   * group): median wall time, and median CPU time of this process.
   */
  readonly patternDeleteMs: number;
  readonly patternDeleteCpuMs: number;
  readonly writers: WritersResult;
}

export interface WritersResult {
  readonly processes: number;
  readonly writesPerProcess: number;
  readonly written: number;
  readonly readable: number;
  /** Failed writes' messages (SQLITE_BUSY or anything else): none expected. */
  readonly errors: readonly string[];
  readonly ms: number;
}

/**
 * Fills `path` with `entries` 1 KB records in one transaction, through the store's own statements (one `set` per
 * entry would make the fixture, not the figures, the slow part). URLs fall in 100 groups: a glob over one group
 * selects 1/100 of them.
 */
async function fill(path: string, entries: number): Promise<void> {
  const store = new SqliteStore({ path, maxEntries: entries * 2, maxBytes: 2 ** 40 });
  await store.ready();
  await store.close();
  const now = Date.now();
  const body = { type: 'text' as const, text: 'x'.repeat(1024) };
  const rows: Array<[string, string, Uint8Array]> = [];
  for (let i = 0; i < entries; i++) {
    const url = `https://api.bench/group-${i % 100}/item-${i}`;
    const key = `GET ${url}`;
    rows.push([key, url, await encodeRecord(makeRecord(key, now, { url, body, expiresAt: now + 86_400_000 }))]);
  }
  const db = new Database(path);
  const insert = db.prepare(STATEMENTS.insert);
  db.transaction(() => {
    for (const [key, url, data] of rows) insert.get(key, withoutScheme(url), 'GET', now, now + 86_400_000, now, data.byteLength + key.length + url.length, Buffer.from(data));
  })();
  db.close();
  // On disk before anything is timed: the kernel writing the fixture's 200 MB back would be measured instead.
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

/** Two (or more) processes each writing `writesPerProcess` entries into one new file at the same time. */
export async function concurrentWriters(dir: string, processes: number, writesPerProcess: number): Promise<WritersResult> {
  const path = join(dir, 'writers.db');
  const started = performance.now();
  const runs = await Promise.all(Array.from({ length: processes }, (_, i) => promisify(execFile)(
    process.execPath, ['--import', 'tsx', 'test/support/sqlite-writer.ts', path, `p${i}`, String(writesPerProcess), '1000'], { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  )));
  const ms = performance.now() - started;
  const reports = runs.map(({ stdout }) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { written: number; errors: string[] });
  const store = new SqliteStore({ path, maxEntries: processes * writesPerProcess * 2, maxBytes: 2 ** 40 });
  let readable = 0;
  for (let p = 0; p < processes; p++) {
    for (let i = 0; i < writesPerProcess; i++) if ((await store.get(`p${p}-${i}`))?.key === `p${p}-${i}`) readable += 1;
  }
  await store.close();
  return {
    processes,
    writesPerProcess,
    written: reports.reduce((sum, report) => sum + report.written, 0),
    readable,
    errors: reports.flatMap((report) => report.errors),
    ms,
  };
}

export async function sqliteScale(dir: string, entries: number, writesPerProcess: number): Promise<SqliteScaleResult> {
  const path = join(dir, 'scale.db');
  await fill(path, entries);
  const options = { path, maxEntries: entries * 2, maxBytes: 2 ** 40 };
  const opens: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const store = new SqliteStore(options);
    await store.ready();
    opens.push(performance.now() - started);
    await store.close();
  }
  const store = new SqliteStore(options);
  await store.ready();
  const counts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const counted = await store.count();
    counts.push(performance.now() - started);
    if (counted !== entries) throw new Error(`count() answered ${counted}, expected ${entries}`);
  }
  const cache = attachCache(axios.create(), { store });
  const deleted: number[] = [];
  const wall: number[] = [];
  const cpuMs: number[] = [];
  for (const group of [7, 17, 27, 37, 47]) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    deleted.push(await cache.delete({ pattern: `https://api.bench/group-${group}/*` }));
    wall.push(performance.now() - started);
    const { user, system } = process.cpuUsage(cpu);
    cpuMs.push((user + system) / 1000);
  }
  await store.close();
  return { entries, openMs: median(opens), countMs: median(counts), patternDeleted: median(deleted), patternDeleteMs: median(wall), patternDeleteCpuMs: median(cpuMs), writers: await concurrentWriters(dir, 2, writesPerProcess) };
}

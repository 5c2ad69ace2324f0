/**
 * The command line tool, run as users run it: a child process (through tsx), against a real Redis, a real FerretDB
 * and a SQLite file, each filled by a cache in this process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import axios from 'axios';
import { expect } from 'chai';
import fc from 'fast-check';
import { printable } from '../../lib/cli/commands.js';
import { build } from 'esbuild';
import nock from 'nock';
import { attachCache } from '../../lib/index.js';
import type { CacheStore } from '../../lib/index.js';
import { MongoStore } from '../../lib/stores/mongodb.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { SqliteStore } from '../../lib/stores/sqlite.js';
import { olderThan, parseCommandLine, UsageError } from '../../lib/cli/args.js';
import { missingServer, sharedMongoUrl, sharedRedisUrl, uniqueName } from '../support/servers.js';

const ORIGIN = 'http://api.test';
const FRESH = { 'cache-control': 'max-age=600', 'content-type': 'application/json' };
const ROOT = join(import.meta.dirname, '..', '..');
/** The CLI built from lib/cli/main.ts into one file inside the checkout (so that its packages resolve), once per run. */
const BUILT = join(ROOT, '.tmp', 'cli', 'axios-http-cache.mjs');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `axios-http-cache args…` in a child process, with `input` on its stdin. */
function cli(args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BUILT, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

/** A store target the CLI can open, and the same store opened in this process. */
interface Target {
  readonly args: readonly string[];
  readonly open: () => CacheStore;
}

interface Backend {
  readonly name: string;
  /** A new, empty namespace (prefix, collection, file). */
  target(context: Mocha.Context): Promise<Target>;
  cleanup(): Promise<void>;
}

/** The stores a server backend opened in this process; cleanup empties its namespace and closes each. */
function serverStores(): { add(store: RedisStore | MongoStore): CacheStore; clearAndClose(): Promise<void> } {
  const opened: Array<RedisStore | MongoStore> = [];
  return {
    add: (store) => {
      opened.push(store);
      return store;
    },
    async clearAndClose() {
      for (const store of opened.splice(0)) {
        await store.clear();
        await store.close();
      }
    },
  };
}

const redisBackend = (): Backend => {
  const opened = serverStores();
  return {
    name: 'Redis',
    async target(context) {
      const url = await sharedRedisUrl();
      if (url === undefined) missingServer(context, 'Redis (REDIS_URL or 127.0.0.1:6379)');
      const prefix = uniqueName('ahc-cli');
      return {
        args: [url, '--prefix', prefix],
        open: () => opened.add(new RedisStore({ url, prefix })),
      };
    },
    cleanup: () => opened.clearAndClose(),
  };
};

const mongoBackend = (): Backend => {
  const opened = serverStores();
  const db = uniqueName('ahc-cli');
  return {
    name: 'MongoDB (FerretDB)',
    async target(context) {
      const url = await sharedMongoUrl();
      if (url === undefined) missingServer(context, 'MongoDB or FerretDB (MONGODB_URL or 127.0.0.1:27018)');
      const collection = uniqueName('entries');
      return {
        args: [url, '--db', db, '--collection', collection],
        open: () => opened.add(new MongoStore({ url, dbName: db, collectionName: collection })),
      };
    },
    cleanup: () => opened.clearAndClose(),
  };
};

const sqliteBackend = (): Backend => {
  const opened: SqliteStore[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ahc-cli-'));
  return {
    name: 'SQLite',
    target() {
      const path = join(dir, `${uniqueName('cache')}.db`);
      return Promise.resolve({
        args: [path],
        open: () => {
          const store = new SqliteStore({ path, sweepIntervalMs: 0 });
          opened.push(store);
          return store;
        },
      });
    },
    async cleanup() {
      for (const store of opened.splice(0)) await store.close();
    },
  };
};

/** Caches four answers in `store`: two users (tag users), a search, and a binary logo. */
async function fill(store: CacheStore): Promise<void> {
  const api = axios.create({ baseURL: ORIGIN });
  attachCache(api, { store });
  for (const id of [1, 2]) {
    nock(ORIGIN).get(`/users/${id}`).reply(200, { id }, FRESH);
    await api.get(`/users/${id}`, { cache: { tags: ['users'] } });
  }
  nock(ORIGIN).get('/search').query(true).reply(200, { results: [] }, FRESH);
  await api.get('/search?q=paris');
  nock(ORIGIN).get('/logo').reply(200, Buffer.from([1, 2, 3]), { 'cache-control': 'max-age=600' });
  await api.get('/logo', { responseType: 'arraybuffer' });
}

describe('the axios-http-cache command line tool', function () {
  this.timeout(60_000);
  let temp: string;
  before(async () => {
    temp = mkdtempSync(join(tmpdir(), 'ahc-cli-out-'));
    nock.disableNetConnect();
    // Built as the package's build would, minus the type declarations: a child process through tsx costs seconds each.
    // Split, so that each store's module (and its driver) loads only when the command opens that store.
    await build({
      entryPoints: [join(ROOT, 'lib', 'cli', 'main.ts')],
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outdir: dirname(BUILT),
      entryNames: 'axios-http-cache',
      outExtension: { '.js': '.mjs' },
      logLevel: 'error',
    });
  });
  after(() => {
    rmSync(temp, { recursive: true, force: true });
    nock.enableNetConnect();
  });
  afterEach(() => nock.cleanAll());

  it('--help prints the usage and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^Usage: axios-http-cache <command> <store>/);
    expect(run.stdout).to.match(/export <store> \[query\] \[--out FILE\]/);
  });

  const USAGE_ERRORS: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
    ['no command', [], /no command given/],
    ['an unknown command', ['purge', 'x.db'], /unknown command "purge"/],
    ['no store', ['list'], /list needs a store/],
    ['an unknown option', ['list', 'x.db', '--colour'], /Unknown option '--colour'/],
    ['a delete without a query', ['delete', 'redis://127.0.0.1:6379'], /delete needs a query .* or --all/],
    ['a delete with a query and --all', ['delete', 'x.db', '--tag', 't', '--all'], /delete takes a query or --all, not both/],
    ['a bad --older-than', ['list', 'redis://127.0.0.1:6379', '--older-than', 'soon'], /--older-than takes an age/],
    ['--expired with --fresh', ['list', 'x.db', '--expired', '--fresh'], /--expired and --fresh exclude each other/],
    ['a query given as an argument', ['list', 'x.db', 'http://api.test/'], /unexpected argument "http:\/\/api\.test\/": list takes its query as options/],
    ['a relative URL', ['show', 'x.db', '/users/7'], /show takes an absolute http\(s\) URL/],
    ['a relative --url', ['list', 'x.db', '--url', 'users'], /--url takes an absolute http\(s\) URL/],
    ['--prefix on a non-Redis store', ['list', 'x.db', '--prefix', 'p'], /--prefix applies to a redis:\/\/ store only/],
    ['--db on a non-MongoDB store', ['list', 'redis://127.0.0.1', '--db', 'd'], /--db and --collection apply to a mongodb:\/\/ store only/],
    ['a --max-line of no bytes', ['import', 'x.db', '--max-line', '0'], /--max-line takes a positive number of bytes, got "0"/],
  ];
  for (const [what, args, message] of USAGE_ERRORS) {
    it(`refuses ${what} as a usage error`, () => {
      expect(() => parseCommandLine(args)).to.throw(UsageError, message);
    });
  }

  it('reads --older-than as an age in units or a date', () => {
    expect(olderThan('90s')).to.equal(90_000);
    expect(olderThan('2h')).to.equal(7_200_000);
    expect(olderThan('1500')).to.equal(1500);
    expect(olderThan('2026-01-31')).to.deep.equal(new Date('2026-01-31'));
  });

  for (const [what, args, message] of [
    ['an unknown option', ['list', 'x.db', '--colour'], /Unknown option '--colour'/],
    ['a missing SQLite file', ['list', join(tmpdir(), 'no-such-cache.db')], /no SQLite file at/],
    ['an unknown URL scheme', ['list', 'memcached://127.0.0.1'], /unknown store "memcached:\/\/127\.0\.0\.1"/],
  ] as const) {
    it(`answers ${what} on stderr with exit code 2 and nothing on stdout`, async () => {
      const run = await cli(args);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stderr).to.match(/Run axios-http-cache --help for usage/);
      expect(run.stdout).to.equal('');
    });
  }

  it('exits 1 naming the store when the server cannot be reached', async () => {
    const run = await cli(['count', 'redis://127.0.0.1:1', '--prefix', 'nothing']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/count failed on Redis redis:\/\/127\.0\.0\.1:1 \(prefix nothing\)/);
  });

  it('show escapes every C0 and C1 control character but line feed and tab, and leaves other text as it is', () => {
    expect(printable('a\u001b]0;owned\u0007b\n\tc\u009bd')).to.equal('a\\x1b]0;owned\\x07b\n\tc\\x9bd');
    const control = (c: string): boolean => {
      const code = c.charCodeAt(0);
      return (code < 0x20 && c !== '\n' && c !== '\t') || (code >= 0x7f && code <= 0x9f);
    };
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const shown = printable(text);
        expect([...shown].some(control)).to.equal(false);
        if (![...text].some(control)) expect(shown).to.equal(text);
      }),
    );
  });

  it('never prints the credentials of a store URL: user, password and password-like parameters read ***', async () => {
    const run = await cli(['count', 'redis://admin:hunter2@127.0.0.1:1/0?password=hunter3&db=0', '--prefix', 'nothing']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/count failed on Redis redis:\/\/\*\*\*@127\.0\.0\.1:1\/0\?password=\*\*\*&db=0 \(prefix nothing\)/);
    expect(run.stderr + run.stdout).not.to.match(/hunter|admin/);
  });

  for (const backend of [redisBackend(), mongoBackend(), sqliteBackend()]) {
    describe(`against ${backend.name}`, () => {
      afterEach(() => backend.cleanup());

      it('count, list (filtered by tag, or as JSON) and show report what the store holds', async function () {
        const target = await backend.target(this);
        await fill(target.open());
        const count = await cli(['count', ...target.args]);
        expect(count).to.include({ code: 0, stdout: '4\n' });
        expect((await cli(['count', ...target.args, '--tag', 'users'])).stdout).to.equal('2\n');

        const list = await cli(['list', ...target.args, '--tag', 'users']);
        expect(list.code).to.equal(0);
        const lines = list.stdout.trim().split('\n').sort();
        expect(lines).to.have.length(2);
        expect(lines[0]).to.match(/^200 GET http:\/\/api\.test\/users\/1 {2}fresh until \d{4}-.*Z {2}expires .*Z {2}tags: users$/);

        const json = await cli(['list', ...target.args, '--json', '--pattern', `${ORIGIN}/search`]);
        const [search] = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(search).to.include({ url: `${ORIGIN}/search?q=paris`, method: 'GET', status: 200, stale: false });
        expect(search).to.not.have.property('data');

        const show = await cli(['show', ...target.args, `${ORIGIN}/users/2`]);
        expect(show.code).to.equal(0);
        expect(show.stdout).to.match(/key: +GET http:\/\/api\.test\/users\/2\n/);
        expect(show.stdout).to.match(/headers:\n(?:.*\n)*? {2}content-type: application\/json\n/);
        expect(show.stdout).to.match(/body:\n\{\n {2}"id": 2\n\}/);
        const binary = await cli(['show', ...target.args, `${ORIGIN}/logo`]);
        expect(binary.stdout).to.match(/\(3 bytes of binary data/);
      });

      it('export writes NDJSON that import loads into another store, whose cache then answers without the origin', async function () {
        const source = await backend.target(this);
        await fill(source.open());
        const file = join(temp, `${uniqueName('export')}.ndjson`);
        const exported = await cli(['export', ...source.args, '--out', file, '--progress']);
        expect(exported.code, exported.stderr).to.equal(0);
        expect(exported.stderr).to.match(/exporting \[#+-*\] 4\/4/);
        expect(exported.stderr).to.match(/exported 4 entries from .* to /);
        expect(existsSync(`${file}.partial`)).to.equal(false);
        const lines = readFileSync(file, 'utf8').trim().split('\n');
        expect(lines.map((line) => (JSON.parse(line) as { format: string }).format)).to.deep.equal(Array(4).fill('axios-http-cache/entry'));

        const destination = await backend.target(this);
        const imported = await cli(['import', ...destination.args, file]);
        expect(imported.code, imported.stderr).to.equal(0);
        expect(imported.stderr).to.match(/imported 4 entries into /);
        const api = axios.create({ baseURL: ORIGIN });
        const cache = attachCache(api, { store: destination.open() });
        const answers = [await api.get('/users/1'), await api.get('/search?q=paris'), await api.get('/logo', { responseType: 'arraybuffer' })];
        expect(answers.map((answer) => answer.cacheInfo?.status)).to.deep.equal(['hit', 'hit', 'hit']);
        expect([...(answers[2]!.data as Buffer)]).to.deep.equal([1, 2, 3]);
        expect(cache.stats().misses).to.equal(0);
      });

      it('export to stdout pipes into import from stdin', async function () {
        const source = await backend.target(this);
        await fill(source.open());
        const exported = await cli(['export', ...source.args, '--tag', 'users']);
        expect(exported.stdout.trim().split('\n')).to.have.length(2);
        const destination = await backend.target(this);
        const imported = await cli(['import', ...destination.args], exported.stdout);
        expect(imported.code, imported.stderr).to.equal(0);
        expect((await cli(['count', ...destination.args])).stdout).to.equal('2\n');
      });

      it('import refuses an invalid line with exit code 1, naming the line and the field', async function () {
        const target = await backend.target(this);
        const bad = join(temp, `${uniqueName('bad')}.ndjson`);
        writeFileSync(bad, '\n{"format":"axios-http-cache/entry","v":1,"key":"GET http://api.test/x","method":"GET","url":"http://api.test/x","status":"ok"}\n');
        const run = await cli(['import', ...target.args, bad]);
        expect(run.code).to.equal(1);
        expect(run.stderr).to.match(/entry 2 \(key "GET http:\/\/api\.test\/x"\): field "status" must be an integer/);
      });

      it('import refuses a line longer than --max-line with exit code 1, naming the line and how many entries it imported before it', async function () {
        const target = await backend.target(this);
        const source = await backend.target(this);
        await fill(source.open());
        const exported = (await cli(['export', ...source.args])).stdout.trim().split('\n');
        const file = join(temp, `${uniqueName('long')}.ndjson`);
        writeFileSync(file, [exported[0], exported[1], `"${'x'.repeat(5000)}"`, exported[2], ''].join('\n'));
        const run = await cli(['import', ...target.args, file, '--max-line', '4096']);
        expect(run.code).to.equal(1);
        expect(run.stderr).to.match(/stopped at entry 3: reading the source failed \(line 3 is longer than 4096 bytes \(--max-line 4096\).*\); 2 entries were imported/);
        expect((await cli(['count', ...target.args])).stdout).to.equal('2\n');
        // Raised, the limit lets the line through: it is then refused for what it is, not for its length.
        const raised = await cli(['import', ...target.args, file, '--max-line', '8192']);
        expect(raised.code).to.equal(1);
        expect(raised.stderr).to.match(/entry 3: must be an object, got /);
      });

      it('delete removes the entries a query selects and says how many; --all removes the rest', async function () {
        const target = await backend.target(this);
        await fill(target.open());
        const deleted = await cli(['delete', ...target.args, '--pattern', `${ORIGIN}/users/*`]);
        expect(deleted.code, deleted.stderr).to.equal(0);
        expect(deleted.stderr).to.match(/deleted 2 entries from /);
        expect((await cli(['list', ...target.args])).stdout.trim().split('\n').map((line) => line.split(' ')[2]).sort()).to.deep.equal([`${ORIGIN}/logo`, `${ORIGIN}/search?q=paris`]);
        const all = await cli(['delete', ...target.args, '--all']);
        expect(all.code, all.stderr).to.equal(0);
        expect((await cli(['count', ...target.args])).stdout).to.equal('0\n');
      });
    });
  }

  it("list, show, count and export open a SQLite file read-only: the file's bytes and modification time stay as they were", async function () {
    const path = join(temp, 'inspected.db');
    const store = new SqliteStore({ path, sweepIntervalMs: 0 });
    await fill(store);
    await store.close();
    const bytes = readFileSync(path);
    const { mtimeMs } = statSync(path);
    for (const args of [['count', path], ['list', path], ['list', path, '--json'], ['show', path, `${ORIGIN}/users/1`], ['export', path]]) {
      const run = await cli(args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(0);
    }
    expect(readFileSync(path).equals(bytes), 'the file is byte for byte the same').to.equal(true);
    expect(statSync(path).mtimeMs).to.equal(mtimeMs);
    expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).to.equal(0);
  });
});

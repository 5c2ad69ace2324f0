import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { expect } from 'chai';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function linkDependency(project: string, name: string): void {
  const target = join(project, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(root, 'node_modules', name), target, 'dir');
}

describe('the packed package, as ESM, CommonJS and TypeScript consumers see it', function () {
  this.timeout(240_000);
  let project: string;

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'ahc-pack-'));
    // Build into dist/, then pack exactly what `npm publish` would ship.
    run(process.execPath, ['scripts/build.mjs'], root);
    // The npm running this test (npm_execpath), not whatever `npm` node_modules/.bin puts first on PATH:
    // a devDependency (http-cache-tests) brings an old npm 6 that cannot --pack-destination.
    const npm = process.env.npm_execpath?.endsWith('.js') ? [process.execPath, process.env.npm_execpath] : ['npm'];
    const packed = JSON.parse(run(npm[0]!, [...npm.slice(1), 'pack', '--json', '--ignore-scripts', '--pack-destination', project], root)) as Array<{ filename: string }>;
    const tarball = join(project, packed[0]!.filename);
    const unpacked = join(project, 'unpacked');
    mkdirSync(unpacked);
    run('tar', ['-xzf', tarball, '-C', unpacked], project);
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    cpSync(join(unpacked, 'package'), join(project, 'node_modules', 'axios-http-cache'), { recursive: true });
    for (const name of ['axios', 'lru-cache', 'ioredis', 'mongodb', 'better-sqlite3', 'typescript', '@types/node']) linkDependency(project, name);
  });

  after(() => rmSync(project, { recursive: true, force: true }));

  it('ships dist/esm and dist/cjs with declarations and no sources or tests', () => {
    const files = readdirSync(join(project, 'node_modules', 'axios-http-cache'));
    expect(files).to.include.members(['dist', 'package.json', 'README.md']);
    expect(files).not.to.include.members(['lib', 'test']);
    expect(readdirSync(join(project, 'node_modules', 'axios-http-cache', 'dist', 'cjs'))).to.include('index.d.ts');
  });

  it('ships source maps that carry their sources, since lib/ is not in the package', () => {
    const dist = join(project, 'node_modules', 'axios-http-cache', 'dist');
    const maps = (readdirSync(dist, { recursive: true }) as string[]).filter((file) => file.endsWith('.js.map'));
    expect(maps.length).to.be.greaterThan(10);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(dist, file), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
      expect(map.sourcesContent, file).to.have.length(map.sources.length);
      for (const content of map.sourcesContent ?? []) expect(content, file).to.be.a('string').and.not.equal('');
    }
  });

  it('exports only the public API from each subpath entry point', () => {
    writeFileSync(
      join(project, 'exports.mjs'),
      `const names = {};
for (const entry of ['redis', 'mongodb', 'sqlite', 'web-storage', 'indexeddb']) names[entry] = Object.keys(await import('axios-http-cache/' + entry)).sort();
console.log(JSON.stringify(names));`,
    );
    const names = JSON.parse(run(process.execPath, ['exports.mjs'], project)) as Record<string, string[]>;
    expect(names).to.deep.equal({ redis: ['RedisStore'], mongodb: ['MongoStore'], sqlite: ['SqliteStore'], 'web-storage': ['WebStorageStore'], indexeddb: ['IndexedDBStore'] });
  });

  const program = (load: string): string => `${load}
const api = axios.create({ adapter: (config) => { calls += 1; return Promise.resolve({ data: '{"n":1}', status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} }); } });
let calls = 0;
const store = new SqliteStore({ path: ':memory:' });
attachCache(api, { store });
api.get('http://x.test/a').then(() => api.get('http://x.test/a')).then(async (r) => {
  console.log(JSON.stringify({ fromCache: r.fromCache, data: r.data, calls, redis: typeof RedisStore, mongo: typeof MongoStore, sqliteEntries: await store.count() }));
  await store.close();
});`;

  it('works from CommonJS require(), subpath stores included (SqliteStore caching)', () => {
    writeFileSync(
      join(project, 'consumer.cjs'),
      program(`const axios = require('axios'); const { attachCache } = require('axios-http-cache'); const { RedisStore } = require('axios-http-cache/redis'); const { MongoStore } = require('axios-http-cache/mongodb'); const { SqliteStore } = require('axios-http-cache/sqlite');`),
    );
    const out = JSON.parse(run(process.execPath, ['consumer.cjs'], project)) as Record<string, unknown>;
    expect(out).to.deep.equal({ fromCache: true, data: { n: 1 }, calls: 1, redis: 'function', mongo: 'function', sqliteEntries: 1 });
  });

  it('works from an ES module import, subpath stores included (SqliteStore caching)', () => {
    writeFileSync(
      join(project, 'consumer.mjs'),
      program(`import axios from 'axios'; import { attachCache } from 'axios-http-cache'; import { RedisStore } from 'axios-http-cache/redis'; import { MongoStore } from 'axios-http-cache/mongodb'; import { SqliteStore } from 'axios-http-cache/sqlite';`),
    );
    const out = JSON.parse(run(process.execPath, ['consumer.mjs'], project)) as Record<string, unknown>;
    expect(out).to.deep.equal({ fromCache: true, data: { n: 1 }, calls: 1, redis: 'function', mongo: 'function', sqliteEntries: 1 });
  });

  it('type-checks a strict TypeScript consumer using the axios augmentation', () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import axios from 'axios';
import { attachCache, MemoryStore, type CacheInfo } from 'axios-http-cache';
import { SqliteStore, type SqliteStoreOptions } from 'axios-http-cache/sqlite';
const api = axios.create();
const sqliteOptions: SqliteStoreOptions = { path: 'cache.db', maxEntries: 10_000 };
export const persistent = attachCache(axios.create(), { store: new SqliteStore(sqliteOptions) });
const cache = attachCache(api, { store: new MemoryStore({ maxEntries: 10 }), ttl: 1000 });
export async function f(): Promise<CacheInfo | undefined> {
  const r = await api.get<{ n: number }>('/x', { cache: { ttl: 5 } });
  await api.get('/y', { cache: false });
  const hit: boolean | undefined = r.fromCache;
  void hit;
  cache.on('hit', (event) => void event.key);
  return r.cacheInfo;
}
export async function typed(): Promise<string> {
  const typedApi = attachCache(axios.create()).instance;
  const b = await typedApi.get('/users');
  return b.cacheInfo.status;
}
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, exactOptionalPropertyTypes: true, module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, types: [] }, files: ['consumer.ts'] }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    try {
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
    } catch (error) {
      expect.fail(String((error as { stdout?: unknown }).stdout ?? error));
    }
  });

  it('ships the axios-http-cache command as its "bin", runnable with node (a shebang, --help, a SQLite round trip)', () => {
    const installed = join(project, 'node_modules', 'axios-http-cache');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = join(installed, manifest.bin['axios-http-cache']!);
    expect(readFileSync(bin, 'utf8')).to.match(/^#!\/usr\/bin\/env node\n/);
    expect(run(process.execPath, [bin, '--help'], project)).to.match(/^Usage: axios-http-cache <command> <store>/);
    const file = join(project, 'cli.db');
    const entry = { format: 'axios-http-cache/entry', v: 1, key: 'GET https://api.example.com/a', method: 'GET', url: 'https://api.example.com/a', status: 200, statusText: 'OK', headers: {}, body: { text: 'a' }, requestTime: Date.now(), responseTime: Date.now(), createdAt: Date.now(), expiresAt: Date.now() + 60_000 };
    writeFileSync(join(project, 'entries.ndjson'), `${JSON.stringify(entry)}\n`);
    run(process.execPath, [bin, 'import', file, 'entries.ndjson'], project);
    expect(run(process.execPath, [bin, 'count', file], project)).to.equal('1\n');
  });
});

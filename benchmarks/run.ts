/**
 * `npm run bench` (full, under 3 minutes) and `npm run bench -- --quick` / `BENCH_QUICK=1` (under ~30 s):
 * every contender of a body case runs interleaved, round by round, in this one process. Writes
 * `benchmarks/results/latest.md` and `latest.svg` (a quick run writes `quick.md`/`quick.svg` instead,
 * so CI never overwrites the committed figures).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from 'ioredis';
import { MongoClient } from 'mongodb';
import { MemoryStore } from '../lib/index.js';
import { MongoStore } from '../lib/stores/mongodb.js';
import { RedisStore } from '../lib/stores/redis.js';
import { bodyCases, type BodyCase } from './bodies.js';
import { probe, type RequestContender } from './contender-kit.js';
import { LEAST_MISS_ID, aciMemoryContender, ahcMemoryContender, ahcMemoryFrozenContender, FLOOR_ID, floorContender, networkContenders, PARSED_FLOOR_ID, parsedFloorContender } from './contenders.js';
import { aciRedisContender, ahcMongoContender, ahcRedisContenders, ahcRedisFrozenContender } from './contenders-servers.js';
import { runRounds, type RoundOptions } from './harness.js';
import { renderMarkdown } from './report.js';
import type { CaseResult, LatencyRow, RunResults } from './results.js';
import { aciInstance, ahcInstance, concurrentColdRequests, memoryPerEntry, type ConcurrencyResult } from './scenarios.js';
import { coldAcrossProcesses, hotKeysAcrossProcesses, sharedStores, type HotKeysResult, type ProcessColdResult } from './processes.js';
import { findMongo, findRedis, findRedisCluster, startOrigin, type Origin, type ServerChoice } from './servers.js';
import { medianOfRoundRatios, summarise } from './stats.js';
import { ahcSqliteContender, sqliteScale } from './sqlite.js';
import { renderSvg } from './svg.js';
import { tagDeleteOnRedis, type TagDeleteResult } from './tag-delete.js';
import { checkTargets, missResults, type CaseSamples } from './targets.js';
import { ahcTieredContenders, invalidationLatency } from './tiered.js';
import { parseClusterNodes } from '../test/support/redis-cluster.js';

const quick = process.argv.includes('--quick') || process.env['BENCH_QUICK'] === '1';
/** `--case=json-1k` (repeatable) measures only those bodies, for iterating on one hot path. */
const onlyCases = process.argv.filter((arg) => arg.startsWith('--case=')).map((arg) => arg.slice('--case='.length));
const ROUNDS: RoundOptions = quick
  ? { rounds: 4, sliceMs: 12, minOpsPerSlice: 5, warmupOps: 30 }
  : { rounds: 25, sliceMs: 90, minOpsPerSlice: 20, warmupOps: 300 };
/** Entries of the large memory row (the defaults row holds 1,000); the quick mode only checks that the measurement still runs. */
const LARGE_ENTRIES = quick ? 10_000 : 100_000;
/** Contenders that are not caches: no answer probe. */
const NOT_CACHES = new Set([FLOOR_ID, PARSED_FLOOR_ID, 'redis-floor', 'origin-bare', LEAST_MISS_ID]);
const RUN_ID = `ahc-bench-${process.pid}`;
/** The hot-keys row across processes: 100 keys for 10 s; the quick mode only checks that it still runs. */
const HOT_KEYS = quick ? { keys: 20, seconds: 2, loops: 8 } : { keys: 100, seconds: 10, loops: 8 };
/** The figures: a file of 100,000 entries, two processes writing 10,000 each (quick: the measurement runs). */
const SQLITE_ENTRIES = quick ? 10_000 : 100_000;
const SQLITE_WRITES_PER_PROCESS = quick ? 1_000 : 10_000;
/** Where the SqliteStore files of this run live; removed at the end. */
const SQLITE_DIR = mkdtempSync(join(tmpdir(), 'ahc-bench-sqlite-'));
/** delete({ tag }): the 10,000 entries with 10 tagged; the quick mode only checks that it still runs. */
const TAG_DELETE = quick ? { entries: 2_000, tagged: 10, rounds: 5, walkRounds: 1 } : { entries: 10_000, tagged: 10, rounds: 30, walkRounds: 3 };

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

interface Servers {
  readonly redisUrl: string | undefined;
  readonly mongoUrl: string | undefined;
  /** The nodes of a Redis Cluster as `host:port,host:port`, for the rows across processes. */
  readonly redisClusterNodes: string | undefined;
  readonly mongo: MongoClient | undefined;
  readonly skipped: string[];
}

async function contendersFor(body: BodyCase, origin: Origin, servers: Servers): Promise<RequestContender[]> {
  const list: Promise<RequestContender | RequestContender[]>[] = [
    Promise.resolve(floorContender(body)),
    Promise.resolve(parsedFloorContender(body)),
    ahcMemoryContender(body),
    ahcSqliteContender(body, SQLITE_DIR),
    ahcMemoryFrozenContender(body),
    aciMemoryContender(body),
  ];
  if (servers.redisUrl !== undefined) {
    list.push(ahcRedisContenders(body, servers.redisUrl, `${RUN_ID}-${body.id}`));
    list.push(ahcRedisFrozenContender(body, servers.redisUrl, `${RUN_ID}-frozen-${body.id}`));
    list.push(aciRedisContender(body, servers.redisUrl, `${RUN_ID}-aci-${body.id}`));
    list.push(ahcTieredContenders(body, servers.redisUrl, `${RUN_ID}-tiered-${body.id}`));
  }
  if (servers.mongo !== undefined) list.push(ahcMongoContender(body, servers.mongo.db(RUN_ID), `http_cache_${body.id.replace(/-/g, '_')}`));
  list.push(...networkContenders(body, origin));
  return (await Promise.all(list)).flat();
}

async function measureCase(body: BodyCase, origin: Origin, servers: Servers): Promise<CaseSamples> {
  const contenders = await contendersFor(body, origin, servers);
  try {
    log(`  ${body.label}: ${contenders.length} contenders x ${ROUNDS.rounds} rounds`);
    const samples = await runRounds(contenders, ROUNDS);
    const floorRounds = samples.get(FLOOR_ID) ?? [];
    const parsedFloorRounds = samples.get(PARSED_FLOOR_ID) ?? [];
    const rows: LatencyRow[] = [];
    for (const contender of contenders) {
      const rounds = samples.get(contender.id) ?? [];
      // Probed after the timed rounds: a cache that shares its object is corrupted by the probe's mutation.
      const checked = NOT_CACHES.has(contender.id) ? undefined : await probe(contender, body);
      rows.push({
        id: contender.id,
        label: contender.label,
        summary: summarise(rounds.flat()),
        ratioToFloor: medianOfRoundRatios(rounds, floorRounds),
        ratioToParsedFloor: medianOfRoundRatios(rounds, parsedFloorRounds),
        ...(checked ? { probe: checked } : {}),
      });
    }
    const result: CaseResult = { id: body.id, label: body.label, bytes: body.bytes, rows };
    return { result, samples };
  } finally {
    for (const contender of contenders) await contender.close?.();
  }
}

async function concurrency(origin: Origin, servers: Servers): Promise<ConcurrencyResult[]> {
  const results = [await concurrentColdRequests('axios-http-cache, MemoryStore', ahcInstance(origin, new MemoryStore()), origin, 'memory')];
  if (servers.redisUrl !== undefined) {
    const store = new RedisStore({ url: servers.redisUrl, prefix: `${RUN_ID}-concurrency` });
    results.push(await concurrentColdRequests('axios-http-cache, RedisStore', ahcInstance(origin, store), origin, 'redis'));
    await store.clear();
    await store.close();
  }
  if (servers.mongo !== undefined) {
    const store = new MongoStore({ db: servers.mongo.db(RUN_ID), collectionName: 'concurrency' });
    await store.ready();
    results.push(await concurrentColdRequests('axios-http-cache, MongoStore', ahcInstance(origin, store), origin, 'mongo'));
    await store.close();
  }
  results.push(await concurrentColdRequests('axios-cache-interceptor, memory storage', aciInstance(origin), origin, 'aci'));
  return results;
}

/** The rows across worker processes, on every shared store found; each store's namespace is removed afterwards. */
async function acrossProcesses(origin: Origin, servers: Servers): Promise<RunResults['processes']> {
  const cold: ProcessColdResult[] = [];
  const hotKeys: HotKeysResult[] = [];
  for (const store of sharedStores(servers, SQLITE_DIR)) {
    for (const row of ['cold', 'hot'] as const) {
      // Worker processes open the store by name: a Redis key prefix, a MongoDB database, a SQLite file (removed with
      // SQLITE_DIR at the end).
      const namespace = `${RUN_ID}-${row}-${store.kind}`;
      try {
        if (row === 'cold') cold.push(await coldAcrossProcesses(store, origin, namespace));
        else if (store.hotKeys) hotKeys.push(await hotKeysAcrossProcesses(store, origin, namespace, HOT_KEYS));
      } finally {
        if (store.kind === 'redis' || store.kind === 'tiered') {
          const cleanup = new RedisStore({ url: store.serverUrl, prefix: namespace });
          await cleanup.clear();
          await cleanup.close();
        } else if (store.kind === 'redis-cluster') {
          const client = new Cluster(parseClusterNodes(store.serverUrl) ?? []);
          await new RedisStore({ client, prefix: namespace }).clear();
          await client.quit();
        } else if (store.kind === 'mongodb') {
          await servers.mongo?.db(namespace).dropDatabase().catch(() => undefined);
        }
      }
    }
  }
  return { cold, hotKeys };
}

async function connectServers(redis: ServerChoice, mongo: ServerChoice, redisCluster: Awaited<ReturnType<typeof findRedisCluster>>): Promise<Servers> {
  const skipped: string[] = [];
  let redisUrl: string | undefined;
  if ('url' in redis) redisUrl = redis.url;
  else skipped.push(`Redis rows: ${redis.skipped}`);
  let client: MongoClient | undefined;
  if ('url' in mongo) {
    client = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
    } catch (error) {
      skipped.push(`MongoDB rows: ${mongo.url} did not accept a connection (${(error as Error).message})`);
      client = undefined;
    }
  } else {
    skipped.push(`MongoDB rows: ${mongo.skipped}`);
  }
  if ('skipped' in redisCluster) skipped.push(`Redis Cluster rows: ${redisCluster.skipped}`);
  const redisClusterNodes = 'handle' in redisCluster ? redisCluster.handle.nodes.map(({ host, port }) => `${host}:${port}`).join(',') : undefined;
  return { redisUrl, mongoUrl: client === undefined || !('url' in mongo) ? undefined : mongo.url, redisClusterNodes, mongo: client, skipped };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const cases = bodyCases().filter((body) => onlyCases.length === 0 || onlyCases.includes(body.id));
  if (cases.length === 0) throw new Error(`no body case matches ${onlyCases.join(', ')}`);
  const [redis, mongo, redisCluster, origin] = await Promise.all([findRedis(), findMongo(), findRedisCluster(), startOrigin(cases)]);
  const servers = await connectServers(redis, mongo, redisCluster);
  for (const reason of servers.skipped) log(`skipping ${reason}`);
  // CI starts both servers: a skipped row there means the scripts rotted, not that a server is missing.
  if (process.env['CI'] === 'true' && servers.skipped.length > 0) process.exitCode = 1;
  try {
    log(`benchmarks (${quick ? 'quick' : 'full'}): memory per entry (child processes)`);
    const memory = await memoryPerEntry(LARGE_ENTRIES);
    log('benchmarks: concurrent cold requests');
    const concurrent = await concurrency(origin, servers);
    log('benchmarks: across processes');
    const processes = await acrossProcesses(origin, servers);
    log('benchmarks: TieredStore invalidation latency');
    const invalidation = servers.redisUrl === undefined ? undefined : await invalidationLatency(servers.redisUrl, `${RUN_ID}-invalidation`, quick ? 50 : 500);
    log(`benchmarks: SqliteStore at scale (${SQLITE_ENTRIES.toLocaleString('en')} entries; 2 processes x ${SQLITE_WRITES_PER_PROCESS.toLocaleString('en')} writes)`);
    const sqlite = await sqliteScale(SQLITE_DIR, SQLITE_ENTRIES, SQLITE_WRITES_PER_PROCESS);
    let tagDelete: TagDeleteResult | undefined;
    if (servers.redisUrl !== undefined) {
      log('benchmarks: delete by tag');
      const { entries, tagged, rounds, walkRounds } = TAG_DELETE;
      tagDelete = await tagDeleteOnRedis(servers.redisUrl, `${RUN_ID}-tags`, entries, tagged, rounds, walkRounds);
    }
    log('benchmarks: sequential latency');
    const measured: CaseSamples[] = [];
    for (const body of cases) measured.push(await measureCase(body, origin, servers));
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    const results: RunResults = {
      startedAt: new Date(startedAt).toISOString(),
      quick,
      environment: `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} x ${cpu}`,
      rounds: ROUNDS.rounds,
      sliceMs: ROUNDS.sliceMs,
      durationMs: Date.now() - startedAt,
      skipped: servers.skipped,
      cases: measured.map((found) => found.result),
      concurrency: concurrent,
      memory: memory.rows,
      emptyStore: memory.emptyStore,
      misses: missResults(measured),
      processes,
      ...(invalidation !== undefined ? { invalidation } : {}),
      sqlite,
      ...(tagDelete === undefined ? {} : { tagDelete }),
      targets: checkTargets({ cases: measured, concurrency: concurrent, memory: memory.rows, emptyStore: memory.emptyStore, processCold: processes.cold, sqlite, invalidation, tagDelete }),
    };
    const markdown = renderMarkdown(results);
    process.stdout.write(markdown);
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
    // Partial runs never overwrite the committed full results.
    const name = quick ? 'quick' : onlyCases.length > 0 ? 'partial' : 'latest';
    await writeFile(join(dir, `${name}.md`), markdown);
    await writeFile(join(dir, `${name}.svg`), renderSvg(results));
    log(`wrote benchmarks/results/${name}.md and ${name}.svg`);
  } finally {
    rmSync(SQLITE_DIR, { recursive: true, force: true });
    await origin.close();
    if (servers.mongo !== undefined) {
      await servers.mongo.db(RUN_ID).dropDatabase().catch(() => undefined);
      await servers.mongo.close();
    }
    if ('owned' in redis) await redis.owned?.dispose();
    if ('handle' in redisCluster) await redisCluster.handle.dispose();
    if ('owned' in mongo) await mongo.owned?.dispose();
  }
}

await main();

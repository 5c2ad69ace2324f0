/**
 * `npx tsx benchmarks/store-get.ts`: median latency of one `store.get` hit (1 KB JSON record) for
 * each store side by side, beside a raw ioredis GET. Redis: REDIS_URL or 127.0.0.1:6379; MongoDB:
 * MONGODB_URL, FerretDB on 127.0.0.1:27018, or a private FerretDB. One run, sequential operations.
 */
import { Redis } from 'ioredis';
import { MemoryStore } from '../lib/stores/memory.js';
import { MongoStore } from '../lib/stores/mongodb.js';
import { RedisStore } from '../lib/stores/redis.js';
import { sharedMongoUrl, sharedRedisUrl, startPrivateFerretDb, uniqueName } from '../test/support/servers.js';
import { makeRecord } from '../test/stores/fixtures.js';

const WARMUP_OPS = 200;

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function medianMicros(ops: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP_OPS; i++) await op();
  const samples: number[] = [];
  for (let i = 0; i < ops; i++) {
    const startedAt = performance.now();
    await op();
    samples.push(performance.now() - startedAt);
  }
  return median(samples) * 1000;
}

async function main(): Promise<void> {
  const now = Date.now();
  const text = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] })) });
  const record = makeRecord('k', now, { body: { type: 'text', text } });
  const rows: [string, number][] = [];
  const prefix = uniqueName('ahc-store-get');

  const memory = new MemoryStore();
  await memory.set('k', record, now + 600_000);
  rows.push(['MemoryStore.get', await medianMicros(5000, () => memory.get('k'))]);

  const redisUrl = await sharedRedisUrl();
  if (redisUrl !== undefined) {
    const client = new Redis(redisUrl);
    const redis = new RedisStore({ client, prefix });
    await redis.set('k', record, now + 600_000);
    rows.push(['raw ioredis getBuffer', await medianMicros(3000, () => client.getBuffer(`${prefix}:k`))]);
    rows.push(['RedisStore.get', await medianMicros(3000, () => redis.get('k'))]);
    await redis.clear?.();
    await client.quit();
  }

  const privateFerret = (await sharedMongoUrl()) === undefined ? await startPrivateFerretDb() : undefined;
  const mongoUrl = privateFerret?.url ?? (await sharedMongoUrl());
  if (mongoUrl !== undefined) {
    const mongo = new MongoStore({ url: mongoUrl, dbName: 'ahc-bench', collectionName: prefix });
    await mongo.ready();
    await mongo.set('k', record, now + 600_000);
    rows.push([`MongoStore.get (${mongo.expiryMode === 'sweep' ? 'FerretDB' : 'MongoDB'})`, await medianMicros(1000, () => mongo.get('k'))]);
    await mongo.clear();
    await mongo.close();
  }
  await privateFerret?.dispose();

  process.stdout.write(`store get, ${text.length}-byte JSON body, median of sequential hits\n`);
  for (const [label, micros] of rows) process.stdout.write(`${label.padEnd(30)} ${micros.toFixed(1).padStart(9)} µs\n`);
}

await main();

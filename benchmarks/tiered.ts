/**
 * TieredStore rows: a near hit and a far hit through attachCache over a TieredStore (near MemoryStore, far
 * RedisStore), and the invalidation latency between two TieredStores on two connections to the same Redis.
 */
import { Redis } from 'ioredis';
import { attachCache, MemoryStore, TieredStore } from '../lib/index.js';
import { RedisStore } from '../lib/stores/redis.js';
import { makeRecord } from '../test/stores/fixtures.js';
import type { BodyCase } from './bodies.js';
import { ahcHit, ahcMiss, requestContender, type RequestContender } from './contender-kit.js';
import { preparedInstance, warmed } from './contenders.js';
import { quantileOfSorted } from './stats.js';

const PATH = '/items?page=1';

/** How long a write in one process stays visible in another's near tier. */
export interface InvalidationResult {
  readonly writes: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * `ahc-tiered-near`: every request a near hit. `ahc-tiered-far`: the key dropped from the near tier before every request,
 * so each is a far hit that refills it (the drop, one MemoryStore delete, is in the measured time).
 */
export async function ahcTieredContenders(body: BodyCase, redisUrl: string, prefix: string): Promise<RequestContender[]> {
  const rows: RequestContender[] = [];
  for (const [id, label, emptyNear] of [['ahc-tiered-near', 'axios-http-cache, TieredStore near hit', false], ['ahc-tiered-far', 'axios-http-cache, TieredStore far hit (Redis)', true]] as const) {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const far = new RedisStore({ client, prefix: `${prefix}-${id}` });
    const store = new TieredStore({ near: new MemoryStore(), far });
    const api = preparedInstance(body, true);
    attachCache(api, { store });
    const close = async (): Promise<void> => {
      await store.close();
      await far.clear();
      await client.quit();
    };
    let key = '';
    const request = emptyNear
      ? () => {
          void store.near.delete(key);
          return api.get(PATH);
        }
      : () => api.get(PATH);
    const row = await warmed(requestContender(id, label, request, ahcHit, close), ahcMiss);
    key = (await row.request()).cacheInfo?.key ?? '';
    rows.push(row);
  }
  return rows;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `writes` times: the reader holds the key near, the writer (its own connection, its own channel) overwrites it; the
 * time from the writer's `set()` call to the reader's near copy being gone.
 */
export async function invalidationLatency(redisUrl: string, prefix: string, writes: number): Promise<InvalidationResult> {
  const clients = [new Redis(redisUrl), new Redis(redisUrl)] as const;
  const [writerFar, readerFar] = clients.map((client) => new RedisStore({ client, prefix }));
  if (writerFar === undefined || readerFar === undefined) throw new Error('two far stores expected');
  const writer = new TieredStore({ far: writerFar, nearMaxAgeMs: 60_000 });
  const reader = new TieredStore({ far: readerFar, nearMaxAgeMs: 60_000 });
  try {
    while (!writer.listening || !reader.listening) await nextTurn();
    const first = Date.now();
    await writer.set('k', makeRecord('k', first), first + 60_000);
    const samples: number[] = [];
    for (let i = 0; i < writes; i++) {
      const now = Date.now();
      const record = makeRecord('k', now, { body: { type: 'text', text: `version ${i}` } });
      while (reader.peekSync('k') === undefined) {
        await reader.get('k');
        await nextTurn();
      }
      const startedAt = performance.now();
      const writing = writer.set('k', record, now + 60_000);
      while (reader.peekSync('k') !== undefined) await nextTurn();
      samples.push(performance.now() - startedAt);
      await writing;
    }
    const sorted = samples.sort((a, b) => a - b);
    return { writes, medianMs: quantileOfSorted(sorted, 0.5), p99Ms: quantileOfSorted(sorted, 0.99), maxMs: sorted[sorted.length - 1] ?? Number.NaN };
  } finally {
    await writer.close();
    await reader.close();
    await writerFar.clear();
    for (const client of clients) await client.quit();
  }
}

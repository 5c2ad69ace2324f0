/**
 * `cache.delete({ tag })` on a RedisStore of many entries, few of them tagged: answered from the tag's Redis set
 * (`find`), side by side with the same store walked entry by entry (the store without `find`, as before tag sets).
 * Each round puts the tagged entries back (untimed), then times one deletion by tag.
 */
import axios from 'axios';
import { attachCache } from '../lib/index.js';
import type { CacheRecord } from '../lib/record.js';
import { RedisStore } from '../lib/stores/redis.js';
import type { CacheStore } from '../lib/stores/store.js';
import { median } from './stats.js';

export interface TagDeleteResult {
  readonly entries: number;
  readonly tagged: number;
  /** Median ms of a deletion by tag answered from the tag set. */
  readonly indexedMs: number;
  /** Slowest round of the same. */
  readonly indexedMaxMs: number;
  readonly indexedRounds: number;
  /** Median ms of the same deletion walking every entry. */
  readonly walkMs: number;
  readonly walkRounds: number;
}

function record(i: number, tags: readonly string[] | undefined, now: number): CacheRecord {
  const url = `https://api.test/items/${i}`;
  return {
    v: 1, key: `GET ${url}`, method: 'GET', url, status: 200, statusText: 'OK',
    headers: { 'content-type': 'application/json', 'cache-control': 'max-age=600' },
    body: { type: 'text', text: `{"id":${i}}` },
    requestTime: now, responseTime: now, createdAt: now, expiresAt: now + 600_000,
    ...(tags === undefined ? {} : { tags }),
  };
}

/** The same store without `find`: deletion by tag walks `entries()`. */
function walkingOnly(store: RedisStore): CacheStore {
  return {
    get: (key) => store.get(key),
    set: (key, value, expiresAt) => store.set(key, value, expiresAt),
    delete: (key) => store.delete(key),
    keys: () => store.keys(),
    entries: () => store.entries(),
  };
}

export async function tagDeleteOnRedis(redisUrl: string, prefix: string, entries: number, tagged: number, rounds: number, walkRounds: number): Promise<TagDeleteResult> {
  const store = new RedisStore({ url: redisUrl, prefix });
  const now = Date.now();
  const tagEvery = Math.floor(entries / tagged);
  const isTagged = (i: number): boolean => i % tagEvery === 0 && i / tagEvery < tagged;
  try {
    for (let start = 0; start < entries; start += 500) {
      await Promise.all(Array.from({ length: Math.min(500, entries - start) }, (_, j) => {
        const i = start + j;
        const made = record(i, isTagged(i) ? ['hot'] : undefined, now);
        return store.set(made.key, made, made.expiresAt);
      }));
    }
    const retag = (): Promise<unknown> => Promise.all(Array.from({ length: tagged }, (_, n) => {
      const made = record(n * tagEvery, ['hot'], now);
      return store.set(made.key, made, made.expiresAt);
    }));
    const indexed = attachCache(axios.create(), { store });
    const walking = attachCache(axios.create(), { store: walkingOnly(store) });
    const timed = async (cache: typeof indexed): Promise<number> => {
      await retag();
      const started = performance.now();
      const deleted = await cache.delete({ tag: 'hot' });
      const ms = performance.now() - started;
      if (deleted !== tagged) throw new Error(`delete({ tag }) deleted ${deleted} entries, not ${tagged}`);
      return ms;
    };
    const indexedMs: number[] = [];
    const walkMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      indexedMs.push(await timed(indexed));
      if (round < walkRounds) walkMs.push(await timed(walking));
    }
    return {
      entries, tagged,
      indexedMs: median(indexedMs), indexedMaxMs: Math.max(...indexedMs), indexedRounds: rounds,
      walkMs: median(walkMs), walkRounds,
    };
  } finally {
    await store.clear();
    await store.close();
  }
}

/**
 * The quota-exceeded run against the real localStorage: fill the origin's quota with items of
 * another namespace, then cache responses through a WebStorageStore until the quota bites.
 */
import axios from 'axios';
import { attachCache, type CacheHandle } from '../../../lib/index.js';
import type { StoreEvent } from '../../../lib/stores/store.js';
import { isQuotaError } from '../../../lib/stores/storage-quota.js';
import { WebStorageStore } from '../../../lib/stores/web-storage.js';
import { check, type PageResults } from './report.js';
import { DEMO_PREFIX, hitsOf } from './scenarios.js';

const FILLER_PREFIX = 'filler:';
const QUOTA_PREFIX = 'quota:';
const BLOB_CHARS = 40_000;
const ROOM_CHARS = 2 * 65_536;

interface Filler {
  readonly name: string;
  readonly chars: number;
}

/** Fills localStorage up to its quota (within 1 KiB of it) with items of FILLER_PREFIX. */
function fillLocalStorage(): Filler[] {
  const fillers: Filler[] = [];
  for (const chars of [1 << 20, 1 << 16, 1 << 10]) {
    const value = 'f'.repeat(chars);
    for (;;) {
      const name = `${FILLER_PREFIX}${fillers.length}`;
      try {
        localStorage.setItem(name, value);
      } catch (error) {
        if (isQuotaError(error)) break;
        throw error;
      }
      fillers.push({ name, chars });
    }
  }
  return fillers;
}

/** Resolves with the next `stored` or `error` event of this cache. */
function nextOutcome(cache: CacheHandle, timeoutMs = 5_000): Promise<'stored' | 'error' | 'timeout'> {
  return new Promise((resolve) => {
    const done = (outcome: 'stored' | 'error' | 'timeout'): void => {
      clearTimeout(timer);
      cache.off('stored', onStored);
      cache.off('error', onError);
      resolve(outcome);
    };
    const onStored = (): void => done('stored');
    // Store warnings (an eviction that made room) reach the cache's error event as operation 'warning'.
    const onError = (event: { operation: string }): void => {
      if (event.operation !== 'warning') done('error');
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    cache.on('stored', onStored);
    cache.on('error', onError);
  });
}

export async function quotaRun(results: PageResults): Promise<void> {
  const store = new WebStorageStore({ prefix: QUOTA_PREFIX });
  await store.clear();
  const storeEvents: StoreEvent[] = [];
  store.onEvent((event) => storeEvents.push(event));
  const api = axios.create({ baseURL: location.origin });
  const cache = attachCache(api, { store });
  const cacheErrors: string[] = [];
  cache.on('error', (event) => cacheErrors.push(`${event.operation}: ${event.error.message}`));

  const fillers = fillLocalStorage();
  try {
    const capacityChars = fillers.reduce((total, filler) => total + filler.chars, 0);
    results.facts['localStorageFillerChars'] = capacityChars;
    // Make room for about three cached responses: drop two 64 Ki-char fillers.
    const freed = fillers.filter((filler) => filler.chars === 1 << 16).slice(0, 2);
    for (const filler of freed) localStorage.removeItem(filler.name);
    const kept = fillers.filter((filler) => !freed.includes(filler));
    check(results, 'quota: localStorage was filled to its quota by another namespace', capacityChars > ROOM_CHARS && freed.length === 2, `${capacityChars} chars of filler`);

    const keys: (string | undefined)[] = [];
    const outcomes: string[] = [];
    for (let index = 1; index <= 5; index += 1) {
      const outcome = nextOutcome(cache);
      const response = await api.get(`/api/blob?i=${index}&chars=${BLOB_CHARS}`);
      outcomes.push(`${index}:${response.status}:${await outcome}`);
      keys.push(response.cacheInfo?.key);
    }
    const evictions = storeEvents.filter((event) => (event.error as { code?: string }).code === 'ECACHE_QUOTA_EVICTED').length;
    check(results, 'quota: every response was cached, evicting older entries of the namespace on quota errors', outcomes.every((text) => text.endsWith(':200:stored')) && evictions > 0, `${outcomes.join(' ')}; ${evictions} eviction(s)`);
    const firstKey = keys[0];
    const lastKey = keys[4];
    const firstGone = firstKey !== undefined && (await store.get(firstKey)) === undefined;
    const lastThere = lastKey !== undefined && (await store.get(lastKey)) !== undefined;
    check(results, 'quota: the oldest entry was evicted and the newest kept', firstGone && lastThere, `first gone=${firstGone}, last kept=${lastThere}`);
    const fillersIntact = kept.every((filler) => localStorage.getItem(filler.name)?.length === filler.chars);
    const demoIntact = Array.from({ length: localStorage.length }, (_, index) => localStorage.key(index)).some((name) => name?.startsWith(DEMO_PREFIX));
    check(results, 'quota: items outside the namespace were never evicted', fillersIntact && demoIntact, `fillers intact=${fillersIntact}, ${DEMO_PREFIX} entry intact=${demoIntact}`);

    // A response too big for the room left even after evicting the whole namespace: a miss plus an error event.
    const hugeUrl = `/api/blob?i=99&chars=${4 * ROOM_CHARS}`;
    const outcome = nextOutcome(cache);
    const huge = await api.get<string>(hugeUrl);
    const hugeOutcome = await outcome;
    check(results, 'quota: an entry that cannot fit still answers the request, reported as an error event', huge.status === 200 && huge.data.length === 4 * ROOM_CHARS && hugeOutcome === 'error', `status=${huge.status} outcome=${hugeOutcome} errors=${JSON.stringify(cacheErrors)}`);
    const again = await api.get<string>(hugeUrl);
    const hugeHits = await hitsOf(hugeUrl);
    check(results, 'quota: the entry that did not fit is a miss the next time', again.fromCache === false && hugeHits === 2, `fromCache=${String(again.fromCache)} origin hits=${hugeHits}`);
  } finally {
    for (const filler of fillers) localStorage.removeItem(filler.name);
    await store.clear();
    cache.detach();
  }
}

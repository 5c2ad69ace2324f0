/**
 * The in-process contenders of one body case: the floor, axios-http-cache over MemoryStore,
 * axios-cache-interceptor over its memory storage, and the network rows (a miss, a 304
 * revalidation, bare axios against the local origin) for scale.
 */
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import { buildMemoryStorage, setupCache } from 'axios-cache-interceptor';
import { attachCache, MemoryStore } from '../lib/index.js';
import { preparedAdapter, type BodyCase } from './bodies.js';
import { ahcHit, ahcMiss, ahcRevalidated, anyAnswer, requestContender, type Expect, type RequestContender } from './contender-kit.js';
import { leastCacheInstance } from './least-cache.js';
import type { Origin } from './servers.js';

export const FLOOR_ID = 'floor';
const PATH = '/items?page=1';

/** An instance answering from the prepared adapter, with the case's responseType. */
export function preparedInstance(body: BodyCase, freshBuffer: boolean): AxiosInstance {
  return axios.create({ baseURL: 'http://bench.local', adapter: preparedAdapter(body, freshBuffer), responseType: body.responseType });
}

/** The floor: bare axios whose adapter answers at once with the prepared string (or Buffer). */
export function floorContender(body: BodyCase): RequestContender {
  const api = preparedInstance(body, false);
  return requestContender(FLOOR_ID, 'floor: bare axios, prepared response', () => api.get(PATH), anyAnswer);
}

export const PARSED_FLOOR_ID = 'floor-parsed';

/**
 * The parsed floor: bare axios whose adapter hands it one object parsed in advance (the same object every time; the
 * Buffer itself for binary), so axios parses nothing: the least any cache can cost, and what a cache sharing one
 * object per entry competes with.
 */
export function parsedFloorContender(body: BodyCase): RequestContender {
  const api = preparedInstance(body, false);
  const parsed: unknown = typeof body.body === 'string' ? JSON.parse(body.body) : body.body;
  const prepared = preparedAdapter(body, false);
  api.defaults.adapter = (config) => prepared(config).then((response) => ({ ...response, data: parsed }));
  return requestContender(PARSED_FLOOR_ID, 'floor: bare axios, parsed object', () => api.get(PATH), anyAnswer);
}

/** How long {@link warmed} waits for the warm-up's entry to be answerable: a store write may land after its response. */
const WARM_UP_WAIT_MS = 10_000;

/**
 * Sends one warm-up request (a miss that stores), then waits until one operation is what the row measures: the store
 * write of a miss finishes after the caller has its answer, later still on a busy machine or a store with I/O.
 */
export async function warmed(contender: RequestContender, firstMustBe?: Expect): Promise<RequestContender> {
  const first = await contender.request();
  if (firstMustBe !== undefined && !firstMustBe(first)) throw new Error(`${contender.label}: the warm-up request was not a miss`);
  const deadline = Date.now() + WARM_UP_WAIT_MS;
  for (;;) {
    try {
      await contender.run();
      return contender;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

export async function ahcMemoryContender(body: BodyCase): Promise<RequestContender> {
  const api = preparedInstance(body, true);
  attachCache(api, { store: new MemoryStore() });
  return warmed(requestContender('ahc-memory', 'axios-http-cache, MemoryStore', () => api.get(PATH), ahcHit), ahcMiss);
}

export async function ahcMemoryFrozenContender(body: BodyCase): Promise<RequestContender> {
  const api = preparedInstance(body, true);
  attachCache(api, { store: new MemoryStore(), frozen: true });
  return warmed(requestContender('ahc-memory-frozen', 'axios-http-cache, MemoryStore, frozen: true', () => api.get(PATH), ahcHit), ahcMiss);
}

/** axios-cache-interceptor answered from its storage. */
export const aciHit: Expect = (response) => (response as { cached?: boolean }).cached === true;

export async function aciMemoryContender(body: BodyCase): Promise<RequestContender> {
  const api = setupCache(preparedInstance(body, true), { storage: buildMemoryStorage() });
  return warmed(requestContender('aci-memory', 'axios-cache-interceptor, memory storage', () => api.get(PATH), aciHit));
}

/**
 * More misses than any of the miss rows' caches holds (1,000 entries, 1,024 for axios-cache-interceptor), run before
 * the first round: each row is measured full, evicting as it stores, in a quick run as in a full one (a cache that
 * fills up during the rounds would be measured in two states).
 */
const FILL_MISSES = 1100;

async function filled(contender: RequestContender): Promise<RequestContender> {
  for (let i = 0; i < FILL_MISSES; i++) await contender.run();
  return contender;
}

/** axios-cache-interceptor went to the origin. */
const aciMiss: Expect = (response) => (response as { cached?: boolean }).cached === false;

export const ACI_MISS_ID = 'aci-miss';
export const LEAST_MISS_ID = 'least-miss';

/** Network rows against the local origin on 127.0.0.1 (real http adapter, keep-alive). */
export function networkContenders(body: BodyCase, origin: Origin): Promise<RequestContender>[] {
  const base = { baseURL: origin.baseUrl, responseType: body.responseType };
  const bare = axios.create(base);
  const missing = axios.create(base);
  attachCache(missing, { store: new MemoryStore() });
  // One counter for both rows: every miss asks for a URL never asked before, and the bare row asks for new URLs too,
  // so that the two differ by the cache alone (the origin and axios see the same kind of request).
  // Its default of 1,024 entries, but no more than the MemoryStore default holds of this body (50 MiB): 100 KB bodies
  // would otherwise keep 100 MB alive in the process every row is measured in.
  const aciMissing = setupCache(axios.create(base), { storage: buildMemoryStorage(false, false, Math.min(1024, Math.floor((50 * 1024 * 1024) / body.bytes))) });
  const least = leastCacheInstance(base);
  let n = 0;
  const revalidating = axios.create(base);
  attachCache(revalidating, { store: new MemoryStore() });
  return [
    Promise.resolve(requestContender('origin-bare', 'bare axios, local origin (no cache)', () => bare.get(`/data/${body.id}?n=${n++}`), anyAnswer)),
    filled(requestContender('ahc-miss', 'axios-http-cache miss, local origin (stores)', () => missing.get(`/data/${body.id}?n=${n++}`), ahcMiss)),
    filled(requestContender(ACI_MISS_ID, 'axios-cache-interceptor miss, local origin (stores)', () => aciMissing.get(`/data/${body.id}?n=${n++}`), aciMiss)),
    filled(requestContender(LEAST_MISS_ID, 'miss floor: the least a cache does on a miss (see least-cache.ts)', () => least.get(`/data/${body.id}?n=${n++}`), anyAnswer)),
    warmed(requestContender('ahc-304', 'axios-http-cache 304 revalidation, local origin', () => revalidating.get(`/etag/${body.id}`), ahcRevalidated), ahcMiss),
  ];
}

import axios from 'axios';
import type { AxiosInstance } from 'axios';
import nock from 'nock';
import { attachCache } from '../../lib/index.js';
import type { CacheHandle, CacheOptions, CacheStore } from '../../lib/index.js';
import { TestClock } from './stores.js';
import type { StoreSetup } from './stores.js';

export const ORIGIN = 'http://api.test';
export const FRESH = { 'cache-control': 'max-age=60', 'content-type': 'application/json' };

export interface Managed {
  readonly api: AxiosInstance;
  readonly cache: CacheHandle;
  readonly clock: TestClock;
  readonly store: CacheStore;
}

/** An axios instance with baseURL ORIGIN, cached in a fresh store of `setup`'s kind. */
export async function managedInstance(setup: StoreSetup, options: CacheOptions = {}): Promise<Managed> {
  const clock = new TestClock();
  const store = await setup.newStore(clock.now);
  const api = axios.create({ baseURL: ORIGIN });
  const cache = attachCache(api, { store, now: clock.now, ...options });
  return { api, cache, clock, store };
}

/** Answers GET `path` once with a fresh JSON body naming it. */
export function serve(path: string, headers: Record<string, string> = FRESH, status = 200): nock.Scope {
  const [pathname, query] = path.split('?');
  const scope = nock(ORIGIN).get(pathname ?? path);
  return (query === undefined ? scope : scope.query(new URLSearchParams(query))).reply(status, { path }, headers);
}

export function resetNock(): void {
  nock.cleanAll();
  nock.disableNetConnect();
}

export { nock };

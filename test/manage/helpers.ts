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

/** Caches GET for each path (one origin call each), with the given tags. */
export async function warm(managed: Managed, paths: readonly string[], tags?: readonly string[]): Promise<void> {
  for (const path of paths) {
    serve(path);
    await managed.api.get(path, tags === undefined ? {} : { cache: { tags } });
  }
}

/** The paths (relative to ORIGIN) of every cached entry, sorted. */
export async function cachedPaths(managed: Managed): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of managed.cache.entries()) paths.push(entry.url.slice(ORIGIN.length));
  return paths.sort();
}

export { nock };

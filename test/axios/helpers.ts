import axios from 'axios';
import type { AxiosInstance } from 'axios';
import nock from 'nock';
import { attachCache } from '../../lib/index.js';
import type { CacheHandle, CacheOptions } from '../../lib/index.js';

export const ORIGIN = 'http://api.test';

/** A clock the test moves by hand. It starts at the real time, so no test depends on the calendar date. */
export class FakeClock {
  constructor(public at = Date.now()) {}
  readonly now = (): number => this.at;
  advance(ms: number): void {
    this.at += ms;
  }
  /** The clock's time as an HTTP date, for Date headers. */
  httpDate(offsetMs = 0): string {
    return new Date(this.at + offsetMs).toUTCString();
  }
}

export interface Cached {
  readonly api: AxiosInstance;
  readonly cache: CacheHandle;
  readonly clock: FakeClock;
}

export function cachedInstance(options: CacheOptions = {}): Cached {
  const clock = new FakeClock();
  const api = axios.create({ baseURL: ORIGIN });
  const cache = attachCache(api, { now: clock.now, ...options });
  return { api, cache, clock };
}

export function resetNock(): void {
  nock.cleanAll();
  nock.disableNetConnect();
}

export { nock };

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { expect } from 'chai';
import { attachCache, StoreClosedError } from '../../lib/index.js';
import type { CacheEventMap } from '../../lib/index.js';
import { isUnreachable } from '../../lib/errors.js';
import { RedisStore, type RedisClientLike } from '../../lib/stores/redis.js';
import { withoutNock } from '../support/real-http.js';

/** A client with every command RedisStore sends, each failing loudly: a closed store must call none of them. */
function untouchableClient(): RedisClientLike {
  const refuse = (): Promise<never> => Promise.reject(new Error('a closed store sent a command'));
  return { getBuffer: refuse, set: refuse, unlink: refuse, strlen: refuse, pttl: refuse, scan: refuse, eval: refuse };
}

describe('A closed store behind attachCache', function () {
  withoutNock();
  let origin: Server;
  let baseURL: string;
  let served = 0;

  before(async function () {
    origin = createServer((_request, response) => {
      served += 1;
      response.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'application/json' });
      response.end(JSON.stringify({ served }));
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  });

  after(async function () {
    await new Promise((resolve) => origin.close(resolve));
  });

  it('is not taken for an unreachable store', function () {
    expect(isUnreachable(new StoreClosedError('RedisStore', 'get'))).to.equal(false);
  });

  it('answers from the origin, reports ECACHE_CLOSED as an error event, and is tried again on the next request (no cool-down)', async function () {
    const store = new RedisStore({ client: untouchableClient(), prefix: 'ahc-closed' });
    await store.close();
    const at = Date.now(); // the cache's clock stands still: a cool-down could not run out between the two requests
    const api = axios.create({ baseURL });
    const cache = attachCache(api, { store, now: () => at });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    const servedBefore = served;

    const first = await api.get('/closed');
    expect(first.status).to.equal(200);
    expect(first.fromCache).to.equal(false);
    const readFailure = errors.find((event) => event.operation === 'get')?.error;
    expect(readFailure).to.be.instanceOf(StoreClosedError);
    expect(readFailure).to.include({ code: 'ECACHE_CLOSED' });
    expect(readFailure?.message).to.match(/RedisStore\.get\(\) was called after RedisStore\.close\(\)/);
    const errorsAfterFirst = cache.stats().errors;

    const second = await api.get('/closed');
    expect(second.fromCache).to.equal(false);
    expect(served - servedBefore).to.equal(2);
    // A store in cool-down is skipped without a failure; a closed one is asked again and fails again.
    expect(cache.stats().errors).to.be.greaterThan(errorsAfterFirst);
    expect(errors.map((event) => (event.error as { code?: unknown }).code)).to.not.include('ECACHE_STORE');
  });
});

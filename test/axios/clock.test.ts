import { expect } from 'chai';
import { FakeClock, cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';

describe('attachCache: one clock for the cache and its default store', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  for (const [description, behindMs] of [['an hour', 3_600_000], ['a year', 365 * 24 * 3_600_000]] as const) {
    it(`answers the second request from the default store when the cache's clock is ${description} behind the real time`, async () => {
      // The default MemoryStore must read expiry with this clock: by the real one, every entry was stored already expired.
      const clockInThePast = new FakeClock(Date.now() - behindMs);
      const { api, cache } = cachedInstance({ now: clockInThePast.now });
      const scope = nock(ORIGIN).get('/past').once().reply(200, 'kept', { 'cache-control': 'max-age=60' });
      await api.get('/past');
      const second = await api.get('/past');
      expect(scope.isDone()).to.equal(true);
      expect(second.cacheInfo?.status).to.equal('hit');
      expect(await cache.count()).to.equal(1);
    });
  }
});

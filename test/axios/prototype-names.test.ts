import { expect } from 'chai';
import { cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';

/** Field names from the network that collide with Object.prototype must be plain names end to end. */
describe('attachCache: field names named after Object.prototype properties', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  for (const vary of ['constructor', '__proto__', 'toString, __proto__']) {
    it(`stores and serves a response with Vary: ${vary} instead of rejecting the request`, async () => {
      const { api } = cachedInstance();
      const scope = nock(ORIGIN).get('/v').once().reply(200, 'body', { 'cache-control': 'max-age=60', vary });
      const first = await api.get('/v');
      const second = await api.get('/v');
      expect(scope.isDone()).to.equal(true);
      expect([first.cacheInfo?.status, second.cacheInfo?.status, second.data]).to.deep.equal(['miss', 'hit', 'body']);
    });
  }

  it('stores and serves a response whose Cache-Control has directives named __proto__ and constructor', async () => {
    const { api } = cachedInstance();
    const scope = nock(ORIGIN).get('/cc').once().reply(200, 'body', { 'cache-control': '__proto__=1, constructor, max-age=60, no-cache="constructor"' });
    await api.get('/cc');
    // A qualified no-cache only drops the named field from storage (RFC 9111 §5.2.2.4).
    const second = await api.get('/cc');
    expect(scope.isDone()).to.equal(true);
    expect(second.cacheInfo?.status).to.equal('hit');
  });
});

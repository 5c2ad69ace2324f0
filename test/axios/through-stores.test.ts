// The request flow end to end on every store: what a record carries must survive the store's encoding.
import { expect } from 'chai';
import { managedInstance, nock, ORIGIN, resetNock } from '../manage/helpers.js';
import { forEachStore } from '../manage/stores.js';

describe('the request flow through every store', function () {
  this.timeout(30_000);
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  forEachStore((setup) => {
    it('keeps the ttl a response was stored with, so it is fresh for exactly that long', async () => {
      const { api, clock } = await managedInstance(setup, { ttl: 30_000 });
      const scope = nock(ORIGIN).get('/ttl').twice().reply(200, { v: 1 });
      await api.get('/ttl');
      clock.advance(10_000);
      expect((await api.get('/ttl')).cacheInfo?.status).to.equal('hit');
      clock.advance(25_000);
      expect((await api.get('/ttl')).cacheInfo?.status).to.equal('miss');
      expect(scope.isDone()).to.equal(true);
    });

    it('hands back a binary body as the same kind of object, byte for byte', async () => {
      const { api } = await managedInstance(setup);
      const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff));
      nock(ORIGIN).get('/bin').once().reply(200, bytes, { 'cache-control': 'max-age=60' });
      await api.get('/bin', { responseType: 'arraybuffer' });
      const hit = await api.get<Buffer>('/bin', { responseType: 'arraybuffer' });
      expect(hit.cacheInfo?.status).to.equal('hit');
      expect(Buffer.isBuffer(hit.data)).to.equal(true);
      expect(Buffer.compare(hit.data, bytes)).to.equal(0);
    });

    it('keeps Vary variants apart and finds each again', async () => {
      const { api } = await managedInstance(setup);
      for (const lang of ['en', 'fr']) {
        nock(ORIGIN, { reqheaders: { 'accept-language': lang } }).get('/v').once().reply(200, { lang }, { vary: 'Accept-Language', 'cache-control': 'max-age=60' });
        await api.get('/v', { headers: { 'Accept-Language': lang } });
      }
      const en = await api.get<{ lang: string }>('/v', { headers: { 'Accept-Language': 'en' } });
      const fr = await api.get<{ lang: string }>('/v', { headers: { 'Accept-Language': 'fr' } });
      expect([en.data.lang, en.fromCache, fr.data.lang, fr.fromCache]).to.deep.equal(['en', true, 'fr', true]);
    });

    it('revalidates a stale entry with its ETag and serves it after a 304', async () => {
      const { api, clock } = await managedInstance(setup);
      nock(ORIGIN).get('/e').reply(200, { v: 1 }, { etag: '"x"', 'cache-control': 'max-age=1' });
      const conditional = nock(ORIGIN, { reqheaders: { 'if-none-match': '"x"' } }).get('/e').reply(304, '', { 'cache-control': 'max-age=60' });
      await api.get('/e');
      clock.advance(5_000);
      const revalidated = await api.get<{ v: number }>('/e');
      expect(conditional.isDone()).to.equal(true);
      expect([revalidated.data.v, revalidated.cacheInfo?.status]).to.deep.equal([1, 'revalidated']);
      expect((await api.get('/e')).cacheInfo?.status).to.equal('hit');
    });
  });
});

import { expect } from 'chai';
import { cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';

describe('attachCache: freshness, revalidation and Vary (RFC 9111 §4)', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('goes back to the origin once max-age has passed', async () => {
    const { api, clock } = cachedInstance();
    const scope = nock(ORIGIN).get('/m').twice().reply(200, 'x', { 'cache-control': 'max-age=10' });
    await api.get('/m');
    clock.advance(9_000);
    expect((await api.get('/m')).fromCache).to.equal(true);
    clock.advance(2_000);
    expect((await api.get('/m')).fromCache).to.equal(false);
    expect(scope.isDone()).to.equal(true);
  });

  it('never stores a response marked no-store', async () => {
    const { api } = cachedInstance();
    const scope = nock(ORIGIN).get('/ns').twice().reply(200, 'x', { 'cache-control': 'no-store, max-age=60' });
    await api.get('/ns');
    expect((await api.get('/ns')).fromCache).to.equal(false);
    expect(scope.isDone()).to.equal(true);
  });

  it('revalidates with If-None-Match and serves the stored body on 304, with the 304 headers merged', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/e').reply(200, { v: 1 }, { etag: '"abc"', 'cache-control': 'max-age=1', 'x-version': 'one' });
    const conditional = nock(ORIGIN, { reqheaders: { 'if-none-match': '"abc"' } })
      .get('/e')
      .reply(304, '', { etag: '"abc"', 'cache-control': 'max-age=60', 'x-version': 'two' });
    await api.get('/e');
    clock.advance(5_000);
    const revalidated = await api.get('/e');
    expect(conditional.isDone()).to.equal(true);
    expect(revalidated.status).to.equal(200);
    expect(revalidated.data).to.deep.equal({ v: 1 });
    expect(revalidated.cacheInfo?.status).to.equal('revalidated');
    expect(revalidated.cacheInfo?.revalidated).to.equal(true);
    expect(revalidated.headers['x-version']).to.equal('two');
    const hit = await api.get('/e');
    expect(hit.cacheInfo?.status).to.equal('hit');
  });

  it('revalidates with If-Modified-Since when only Last-Modified is known', async () => {
    const { api, clock } = cachedInstance();
    const lastModified = clock.httpDate(-86_400_000);
    nock(ORIGIN).get('/lm').reply(200, 'old', { 'last-modified': lastModified, 'cache-control': 'no-cache' });
    const conditional = nock(ORIGIN, { reqheaders: { 'if-modified-since': lastModified } }).get('/lm').reply(304, '');
    await api.get('/lm');
    const again = await api.get('/lm');
    expect(conditional.isDone()).to.equal(true);
    expect(again.data).to.equal('old');
    expect(again.fromCache).to.equal(true);
  });

  it('replaces the stored response when revalidation answers 200', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/r').reply(200, 'v1', { etag: '"1"', 'cache-control': 'max-age=1' });
    nock(ORIGIN).get('/r').reply(200, 'v2', { etag: '"2"', 'cache-control': 'max-age=60' });
    await api.get('/r');
    clock.advance(2_000);
    const fresh = await api.get('/r');
    expect(fresh.data).to.equal('v2');
    expect(fresh.fromCache).to.equal(false);
    expect((await api.get('/r')).data).to.equal('v2');
  });

  it('keeps one stored variant per value of the headers named by Vary', async () => {
    const { api } = cachedInstance();
    const en = nock(ORIGIN, { reqheaders: { 'accept-language': 'en' } }).get('/v').once().reply(200, 'hello', { vary: 'Accept-Language', 'cache-control': 'max-age=60' });
    const fr = nock(ORIGIN, { reqheaders: { 'accept-language': 'fr' } }).get('/v').once().reply(200, 'bonjour', { vary: 'Accept-Language', 'cache-control': 'max-age=60' });
    await api.get('/v', { headers: { 'Accept-Language': 'en' } });
    await api.get('/v', { headers: { 'Accept-Language': 'fr' } });
    const hitEn = await api.get('/v', { headers: { 'Accept-Language': 'en' } });
    const hitFr = await api.get('/v', { headers: { 'Accept-Language': 'fr' } });
    expect([en.isDone(), fr.isDone()]).to.deep.equal([true, true]);
    expect([hitEn.data, hitEn.fromCache]).to.deep.equal(['hello', true]);
    expect([hitFr.data, hitFr.fromCache]).to.deep.equal(['bonjour', true]);
  });

  it('revalidates each Vary variant on its own, and a 304 for one never replaces the other', async () => {
    const { api, clock } = cachedInstance();
    for (const [lang, body] of [['en', 'hello'], ['fr', 'bonjour']] as const) {
      nock(ORIGIN, { reqheaders: { 'accept-language': lang } }).get('/vv').reply(200, body, { vary: 'Accept-Language', etag: `"${lang}"`, 'cache-control': 'max-age=1' });
      nock(ORIGIN, { reqheaders: { 'accept-language': lang, 'if-none-match': `"${lang}"` } }).get('/vv').reply(304, '', { etag: `"${lang}"`, 'cache-control': 'max-age=60' });
    }
    await api.get('/vv', { headers: { 'Accept-Language': 'en' } });
    await api.get('/vv', { headers: { 'Accept-Language': 'fr' } });
    clock.advance(5_000);
    const fr = await api.get('/vv', { headers: { 'Accept-Language': 'fr' } });
    const en = await api.get('/vv', { headers: { 'Accept-Language': 'en' } });
    expect([fr.data, fr.cacheInfo?.status]).to.deep.equal(['bonjour', 'revalidated']);
    expect([en.data, en.cacheInfo?.status]).to.deep.equal(['hello', 'revalidated']);
    const frHit = await api.get('/vv', { headers: { 'Accept-Language': 'fr' } });
    const enHit = await api.get('/vv', { headers: { 'Accept-Language': 'en' } });
    expect([frHit.data, frHit.cacheInfo?.status, enHit.data, enHit.cacheInfo?.status]).to.deep.equal(['bonjour', 'hit', 'hello', 'hit']);
  });

  it('never reuses a response with Vary: *', async () => {
    const { api } = cachedInstance();
    const scope = nock(ORIGIN).get('/star').twice().reply(200, 'x', { vary: '*', 'cache-control': 'max-age=60' });
    await api.get('/star');
    expect((await api.get('/star')).fromCache).to.equal(false);
    expect(scope.isDone()).to.equal(true);
  });

  it('honours a request Cache-Control: no-cache by revalidating', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/nc').reply(200, 'x', { etag: '"e"', 'cache-control': 'max-age=600' });
    const conditional = nock(ORIGIN, { reqheaders: { 'if-none-match': '"e"' } }).get('/nc').reply(304, '');
    await api.get('/nc');
    const res = await api.get('/nc', { headers: { 'Cache-Control': 'no-cache' } });
    expect(conditional.isDone()).to.equal(true);
    expect(res.cacheInfo?.status).to.equal('revalidated');
  });

  it('uses heuristic freshness from Last-Modified when the response has no explicit lifetime (RFC 9111 §4.2.2)', async () => {
    const { api, clock } = cachedInstance();
    // Modified 10 days before Date: 10% of that is one day of freshness.
    nock(ORIGIN).get('/heur').once().reply(200, 'x', { date: clock.httpDate(), 'last-modified': clock.httpDate(-10 * 86_400_000) });
    await api.get('/heur');
    clock.advance(3_600_000);
    expect((await api.get('/heur')).fromCache).to.equal(true);
  });

  it('strips hop-by-hop headers and the ones Connection names before storing (RFC 9111 §3.1)', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/hop').reply(200, 'x', { 'cache-control': 'max-age=60', connection: 'x-private-hop', 'x-private-hop': 'secret', 'keep-alive': 'timeout=5', 'x-kept': 'yes' });
    await api.get('/hop');
    const hit = await api.get('/hop');
    expect(hit.headers['x-private-hop']).to.equal(undefined);
    expect(hit.headers['keep-alive']).to.equal(undefined);
    expect(hit.headers['x-kept']).to.equal('yes');
  });

  it('never replays Set-Cookie from a cached response', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/cookie').reply(200, 'x', { 'cache-control': 'max-age=60', 'set-cookie': 'sid=secret' });
    const miss = await api.get('/cookie');
    const hit = await api.get('/cookie');
    expect(miss.headers['set-cookie']).to.deep.equal(['sid=secret']);
    expect(hit.fromCache).to.equal(true);
    expect(hit.headers['set-cookie']).to.equal(undefined);
  });

  it('answers from a 304 that says no-store, then holds the entry no longer (RFC 9111 §4.3.4)', async () => {
    const { api, clock, cache } = cachedInstance();
    nock(ORIGIN).get('/ns304').reply(200, 'kept', { etag: '"n1"', 'cache-control': 'max-age=1' });
    nock(ORIGIN).get('/ns304').reply(304, '', { etag: '"n1"', 'cache-control': 'no-store' });
    const fresh = nock(ORIGIN).get('/ns304').reply(200, 'new', { 'cache-control': 'no-store' });
    await api.get('/ns304');
    clock.advance(5_000);
    const revalidated = await api.get('/ns304');
    expect([revalidated.data, revalidated.cacheInfo?.status]).to.deep.equal(['kept', 'revalidated']);
    expect(await cache.has('/ns304')).to.equal(false);
    expect((await api.get('/ns304')).data).to.equal('new');
    expect(fresh.isDone()).to.equal(true);
  });
});

import axios, { AxiosError } from 'axios';
import type { AxiosAdapter } from 'axios';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { cachedInstance, FakeClock, nock, ORIGIN, resetNock } from './helpers.js';

describe('attachCache: serving stale (RFC 5861) and invalidation (RFC 9111 §4.4)', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('serves stale inside stale-if-error when the origin answers 503', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/s').reply(200, 'good', { 'cache-control': 'max-age=1, stale-if-error=600' });
    nock(ORIGIN).get('/s').reply(503, 'down');
    await api.get('/s');
    clock.advance(10_000);
    const res = await api.get('/s');
    expect(res.data).to.equal('good');
    expect(res.cacheInfo?.status).to.equal('stale');
    expect(res.fromCache).to.equal(true);
  });

  it('serves stale on a network error when the staleIfError option allows it', async () => {
    let calls = 0;
    const adapter: AxiosAdapter = (config) => {
      calls += 1;
      if (calls === 1) return Promise.resolve({ data: '"good"', status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=1' }, config, request: {} });
      return Promise.reject(new AxiosError('socket hang up', 'ECONNRESET', config));
    };
    const clock = new FakeClock();
    const api = axios.create({ adapter });
    attachCache(api, { staleIfError: true, now: clock.now });
    await api.get('http://o.test/net');
    clock.advance(60_000);
    const res = await api.get('http://o.test/net');
    expect(calls).to.equal(2);
    expect(res.data).to.equal('good');
    expect(res.cacheInfo?.status).to.equal('stale');
  });

  it('passes the error through when stale-if-error does not apply', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/no').reply(200, 'good', { 'cache-control': 'max-age=1' });
    nock(ORIGIN).get('/no').reply(503, 'down');
    await api.get('/no');
    clock.advance(10_000);
    const error = await api.get('/no').catch((e: unknown) => e);
    expect(error).to.have.nested.property('response.status', 503);
    expect(error).to.have.nested.property('response.cacheInfo.status', 'miss');
  });

  it('answers stale at once inside stale-while-revalidate and refreshes in the background', async () => {
    const { api, clock, cache } = cachedInstance();
    nock(ORIGIN).get('/swr').reply(200, 'v1', { 'cache-control': 'max-age=1, stale-while-revalidate=60' });
    const refresh = nock(ORIGIN).get('/swr').reply(200, 'v2', { 'cache-control': 'max-age=60' });
    await api.get('/swr');
    clock.advance(5_000);
    const stored = new Promise<void>((resolve) => cache.on('stored', () => resolve()));
    const stale = await api.get('/swr');
    expect(stale.data).to.equal('v1');
    expect(stale.cacheInfo?.status).to.equal('stale');
    await stored;
    expect(refresh.isDone()).to.equal(true);
    const fresh = await api.get('/swr');
    expect([fresh.data, fresh.cacheInfo?.status]).to.deep.equal(['v2', 'hit']);
  });

  it('serves stale while refreshing when the staleWhileRevalidate option allows it, without any directive', async () => {
    const { api, clock, cache } = cachedInstance({ staleWhileRevalidate: 60_000 });
    nock(ORIGIN).get('/swr-opt').reply(200, 'v1', { 'cache-control': 'max-age=1' });
    nock(ORIGIN).get('/swr-opt').reply(200, 'v2', { 'cache-control': 'max-age=60' });
    await api.get('/swr-opt');
    clock.advance(30_000);
    const stored = new Promise<void>((resolve) => cache.on('stored', () => resolve()));
    const stale = await api.get('/swr-opt');
    await stored;
    expect([stale.data, stale.cacheInfo?.status]).to.deep.equal(['v1', 'stale']);
    expect((await api.get('/swr-opt')).data).to.equal('v2');
  });

  it('lets one request allow stale-if-error with cache.staleIfError, and only that request', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/sie').reply(200, 'good', { 'cache-control': 'max-age=1' });
    nock(ORIGIN).get('/sie').twice().reply(502, 'bad gateway');
    // The window given when storing keeps the entry past its freshness; only a request that asks may use it.
    await api.get('/sie', { cache: { staleIfError: 60_000 } });
    clock.advance(10_000);
    const plain = await api.get('/sie').catch((e: unknown) => e);
    const allowed = await api.get('/sie', { cache: { staleIfError: 60_000 } });
    expect(plain).to.have.nested.property('response.status', 502);
    expect([allowed.data, allowed.cacheInfo?.status]).to.deep.equal(['good', 'stale']);
  });

  it('never serves stale on error past must-revalidate, even when staleIfError allows it (RFC 9111 §4.2.4)', async () => {
    const { api, clock } = cachedInstance({ staleIfError: true });
    nock(ORIGIN).get('/mr').reply(200, 'good', { 'cache-control': 'max-age=1, must-revalidate' });
    nock(ORIGIN).get('/mr').reply(503, 'down');
    await api.get('/mr');
    clock.advance(10_000);
    const error = await api.get('/mr').catch((e: unknown) => e);
    expect(error).to.have.nested.property('response.status', 503);
  });

  it('honours a request max-stale by serving a stale entry without revalidating', async () => {
    const { api, clock } = cachedInstance();
    const scope = nock(ORIGIN).get('/ms').once().reply(200, 'old', { 'cache-control': 'max-age=1', etag: '"old"' });
    await api.get('/ms');
    clock.advance(30_000);
    const res = await api.get('/ms', { headers: { 'Cache-Control': 'max-stale=60' } });
    expect([res.data, res.cacheInfo?.status]).to.deep.equal(['old', 'stale']);
    expect(scope.isDone()).to.equal(true);
  });

  it('drops the stored GET after a successful POST to the same URL, and after one to its Location', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/items').twice().reply(200, 'list', { 'cache-control': 'max-age=600' });
    nock(ORIGIN).get('/items/7').twice().reply(200, 'item', { 'cache-control': 'max-age=600' });
    nock(ORIGIN).post('/items').reply(201, 'created', { location: '/items/7' });
    await api.get('/items');
    await api.get('/items/7');
    const post = await api.post('/items', { name: 'x' });
    expect(post.cacheInfo?.status).to.equal('bypass');
    expect((await api.get('/items')).fromCache).to.equal(false);
    expect((await api.get('/items/7')).fromCache).to.equal(false);
  });

  it('emits deleted only for entries an unsafe request really removed', async () => {
    const { api, cache } = cachedInstance();
    nock(ORIGIN).get('/held').reply(200, 'v', { 'cache-control': 'max-age=600' });
    nock(ORIGIN).put('/held').reply(204, '');
    nock(ORIGIN).put('/never-cached').reply(204, '');
    const deleted: string[] = [];
    cache.on('deleted', (event) => deleted.push(event.key ?? ''));
    await api.get('/held');
    await api.put('/held', 'x');
    await api.put('/never-cached', 'y');
    expect(deleted).to.deep.equal([`GET ${ORIGIN}/held`]);
  });

  it('keeps the stored GET when the unsafe request fails', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/keep').reply(200, 'v', { 'cache-control': 'max-age=600' });
    nock(ORIGIN).delete('/keep').reply(500, 'no');
    await api.get('/keep');
    await api.delete('/keep').catch(() => undefined);
    expect((await api.get('/keep')).fromCache).to.equal(true);
  });

  it('answers 504 for onlyIfCached on a miss without touching the network', async () => {
    const { api } = cachedInstance();
    const error = await api.get('/only', { cache: { onlyIfCached: true } }).catch((e: unknown) => e);
    expect(error).to.have.nested.property('response.status', 504);
  });

  it('revalidates a fresh entry with refresh and ignores it with forceRefresh', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/f').reply(200, 'v1', { etag: '"1"', 'cache-control': 'max-age=600' });
    const conditional = nock(ORIGIN, { reqheaders: { 'if-none-match': '"1"' } }).get('/f').reply(304, '');
    const unconditional = nock(ORIGIN, { badheaders: ['if-none-match'] }).get('/f').reply(200, 'v2', { 'cache-control': 'max-age=600' });
    await api.get('/f');
    const refreshed = await api.get('/f', { cache: { refresh: true } });
    const forced = await api.get('/f', { cache: { forceRefresh: true } });
    expect([conditional.isDone(), unconditional.isDone()]).to.deep.equal([true, true]);
    expect(refreshed.cacheInfo?.status).to.equal('revalidated');
    expect(forced.data).to.equal('v2');
    expect((await api.get('/f')).data).to.equal('v2');
  });
});

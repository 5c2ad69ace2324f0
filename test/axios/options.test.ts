import axios from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore } from '../../lib/index.js';
import { cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';

describe('attachCache: options', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  const bad: Array<[string, unknown, RegExp]> = [
    ['ttl', -1, /option "ttl" must be a non-negative number/],
    ['ttl', 'soon', /option "ttl"/],
    ['methods', ['get', 'delete'], /option "methods" may only contain get, head and post/],
    ['statuses', [200, 99], /option "statuses"/],
    ['shared', 'yes', /option "shared" must be a boolean/],
    ['store', { get() {} }, /option "store" must implement get\(\), set\(\) and delete\(\)/],
    ['ttlByUrl', [['a/*']], /option "ttlByUrl\[0\]" must be a \[pattern, ttl\] pair/],
    ['key', 'k', /option "key" must be a function/],
    ['storeTimeoutMs', Number.NaN, /option "storeTimeoutMs"/],
    ['ttlUntil', 5, /option "ttlUntil" is not a known option/],
  ];
  for (const [name, value, message] of bad) {
    it(`throws a TypeError naming ${name} when it is ${JSON.stringify(value) ?? String(value)}`, () => {
      expect(() => attachCache(axios.create(), { [name]: value })).to.throw(TypeError, message);
    });
  }

  it('refuses to attach twice to the same instance', () => {
    const api = axios.create();
    attachCache(api);
    expect(() => attachCache(api)).to.throw(TypeError, /already has a cache/);
  });

  it('rejects a request whose cache option is malformed, naming the option', async () => {
    const { api } = cachedInstance();
    const error = await api.get('/x', { cache: { ttl: -5 } }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.match(/cache\.ttl/);
  });

  it('gives responses without explicit freshness the ttl, and none to those with it', async () => {
    const { api, clock } = cachedInstance({ ttl: 30_000 });
    const scope = nock(ORIGIN).get('/plain').twice().reply(200, 'x').get('/explicit').twice().reply(200, 'y', { 'cache-control': 'max-age=5' });
    await api.get('/plain');
    await api.get('/explicit');
    clock.advance(10_000);
    expect((await api.get('/plain')).fromCache).to.equal(true);
    expect((await api.get('/explicit')).fromCache).to.equal(false);
    clock.advance(25_000);
    expect((await api.get('/plain')).fromCache).to.equal(false);
    expect(scope.isDone()).to.equal(true);
  });

  it('accepts a ttl function of the response', async () => {
    const { api } = cachedInstance({ ttl: (response) => (response.status === 200 ? 60_000 : 0) });
    nock(ORIGIN).get('/fn').once().reply(200, 'x');
    await api.get('/fn');
    expect((await api.get('/fn')).fromCache).to.equal(true);
  });

  it('lets the first matching ttlByUrl pattern win, and never caches a URL matched with ttl 0', async () => {
    const { api } = cachedInstance({ ttl: 60_000, ttlByUrl: [['api.test/live/*', 0], [/\/slow\//, 120_000]] });
    const live = nock(ORIGIN).get('/live/score').twice().reply(200, 'x');
    nock(ORIGIN).get('/slow/report').once().reply(200, 'y');
    await api.get('/live/score');
    const second = await api.get('/live/score');
    await api.get('/slow/report');
    expect(second.cacheInfo?.status).to.equal('bypass');
    expect(live.isDone()).to.equal(true);
    expect((await api.get('/slow/report')).fromCache).to.equal(true);
  });

  it('makes ttl authoritative with cacheControl: false, but still respects no-store', async () => {
    const { api } = cachedInstance({ ttl: 60_000, cacheControl: false });
    nock(ORIGIN).get('/zero').once().reply(200, 'x', { 'cache-control': 'max-age=0' });
    const noStore = nock(ORIGIN).get('/nostore').twice().reply(200, 'y', { 'cache-control': 'no-store' });
    await api.get('/zero');
    await api.get('/nostore');
    expect((await api.get('/zero')).fromCache).to.equal(true);
    expect((await api.get('/nostore')).fromCache).to.equal(false);
    expect(noStore.isDone()).to.equal(true);
  });

  it('never stores a private response in a shared cache, but does in a private one', async () => {
    const shared = cachedInstance({ shared: true });
    const priv = cachedInstance();
    nock(ORIGIN).get('/me').times(3).reply(200, 'mine', { 'cache-control': 'private, max-age=60' });
    await shared.api.get('/me');
    await priv.api.get('/me');
    expect((await shared.api.get('/me')).fromCache).to.equal(false);
    expect((await priv.api.get('/me')).fromCache).to.equal(true);
  });

  it('does not store an answer to an Authorization request in a shared cache unless the response allows it (RFC 9111 §3.5)', async () => {
    const { api } = cachedInstance({ shared: true });
    nock(ORIGIN).get('/auth').twice().reply(200, 'x', { 'cache-control': 'max-age=60' });
    nock(ORIGIN).get('/pub').once().reply(200, 'y', { 'cache-control': 'public, max-age=60' });
    const headers = { Authorization: 'Bearer one' };
    await api.get('/auth', { headers });
    expect((await api.get('/auth', { headers })).fromCache).to.equal(false);
    await api.get('/pub', { headers });
    expect((await api.get('/pub', { headers })).fromCache).to.equal(true);
  });

  it('keeps credential parameters out of the key and the stored URL, as a keyed hash that still tells them apart', async () => {
    const store = new MemoryStore();
    const { api } = cachedInstance({ store });
    nock(ORIGIN).get('/q').query(true).twice().reply(200, 'x', { 'cache-control': 'max-age=60' });
    const first = await api.get('/q', { params: { api_key: 'secret-1', page: 2 } });
    const other = await api.get('/q', { params: { api_key: 'secret-2', page: 2 } });
    const again = await api.get('/q', { params: { api_key: 'secret-1', page: 2 } });
    expect([first.fromCache, other.fromCache, again.fromCache]).to.deep.equal([false, false, true]);
    expect(first.cacheInfo?.key).to.match(/^GET http:\/\/api\.test\/q\?page=2 cred:[0-9a-f]{64}$/);
    const record = await store.get(first.cacheInfo!.key!);
    expect(JSON.stringify(record)).not.to.contain('secret');
    expect(first.cacheInfo?.key).not.to.contain('secret');
  });

  it('caches POST only when opted in, keyed by the body', async () => {
    const { api } = cachedInstance({ methods: ['get', 'post'], ttl: 60_000 });
    const scope = nock(ORIGIN).post('/search', { q: 'a' }).once().reply(200, 'A').post('/search', { q: 'b' }).once().reply(200, 'B');
    await api.post('/search', { q: 'a' });
    await api.post('/search', { q: 'b' });
    expect((await api.post('/search', { q: 'a' })).data).to.equal('A');
    const b = await api.post('/search', { q: 'b' });
    expect([b.data, b.fromCache]).to.deep.equal(['B', true]);
    expect(scope.isDone()).to.equal(true);
  });

  it('uses a custom key function and a per-request key', async () => {
    const { api } = cachedInstance({ key: (request) => `custom:${request.url ?? ''}` });
    nock(ORIGIN).get('/k').once().reply(200, 'x', { 'cache-control': 'max-age=60' });
    const first = await api.get('/k');
    expect(first.cacheInfo?.key).to.equal('custom:/k');
    const pinned = await api.get('/other', { cache: { key: 'custom:/k' } });
    expect([pinned.fromCache, pinned.data]).to.deep.equal([true, 'x']);
  });

  it('does not store a response the filter refuses', async () => {
    const { api } = cachedInstance({ filter: (response) => response.headers['x-cacheable'] !== 'no' });
    const scope = nock(ORIGIN).get('/flt').twice().reply(200, 'x', { 'cache-control': 'max-age=60', 'x-cacheable': 'no' });
    await api.get('/flt');
    expect((await api.get('/flt')).fromCache).to.equal(false);
    expect(scope.isDone()).to.equal(true);
  });

  it('keys on matchHeaders, including a header set by an interceptor registered after attachCache', async () => {
    const { api } = cachedInstance({ matchHeaders: ['x-tenant'] });
    let tenant = 'a';
    api.interceptors.request.use((config) => {
      config.headers.set('X-Tenant', tenant);
      return config;
    });
    const scope = nock(ORIGIN).get('/t').twice().reply(200, function () {
      return this.req.headers['x-tenant'];
    }, { 'cache-control': 'max-age=60' });
    expect((await api.get('/t')).data).to.equal('a');
    tenant = 'b';
    expect((await api.get('/t')).data).to.equal('b');
    tenant = 'a';
    const hit = await api.get('/t');
    expect([hit.data, hit.fromCache]).to.deep.equal(['a', true]);
    expect(scope.isDone()).to.equal(true);
  });
});

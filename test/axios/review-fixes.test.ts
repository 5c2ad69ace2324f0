// Regressions from the second review, for behaviour that does not depend on the adapter (nock origins):
// credentials whatever `ignoredParams` says, a credentialed 304, invalidation by a bypassed unsafe request within its
// partition, and management reads of a record copied under another key.
import { expect } from 'chai';
import { CorruptEntryError, MemoryStore } from '../../lib/index.js';
import { cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';
import { everythingIn } from '../support/store-probes.js';

const ALICE_PASSWORD = 'alice-Pa55word-r2v9';


describe('second review fixes (nock origins)', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  describe("shared: true with ignoredParams: ['utm_source'] (a list that replaces the defaults)", () => {
    const options = { shared: true, ignoredParams: ['utm_source'] } as const;

    it("does not serve alice's plain max-age=600 answer (auth option) to bob or to an anonymous request", async () => {
      const { api } = cachedInstance(options);
      nock(ORIGIN)
        .get('/me')
        .times(3)
        .reply(200, function () {
          return { authorization: this.req.headers['authorization'] ?? null };
        }, { 'cache-control': 'max-age=600' });
      const alice = await api.get('/me', { auth: { username: 'alice', password: ALICE_PASSWORD } });
      const bob = await api.get('/me', { auth: { username: 'bob', password: 'bob-password' } });
      const anonymous = await api.get('/me');
      expect(alice.data.authorization).to.match(/^Basic /);
      expect(bob.fromCache).to.equal(false);
      expect(bob.data.authorization).to.not.equal(alice.data.authorization);
      expect(anonymous.fromCache).to.equal(false);
      expect(anonymous.data).to.deep.equal({ authorization: null });
      expect(nock.isDone()).to.equal(true);
    });

    it("does not serve a plain max-age=600 answer to a Proxy-Authorization request to a request without it", async () => {
      const { api } = cachedInstance(options);
      nock(ORIGIN).get('/via-proxy').reply(200, 'for the proxy user', { 'cache-control': 'max-age=600' });
      nock(ORIGIN).get('/via-proxy').reply(200, 'for everybody', { 'cache-control': 'max-age=600' });
      await api.get('/via-proxy', { headers: { 'Proxy-Authorization': 'Basic cHJveHk6cGFzcw==' } });
      const other = await api.get('/via-proxy');
      expect(other.fromCache).to.equal(false);
      expect(other.data).to.equal('for everybody');
    });

    it("does not serve a plain max-age=600 answer to a Cookie request to a request with another cookie or none", async () => {
      const { api } = cachedInstance(options);
      nock(ORIGIN)
        .get('/basket')
        .times(3)
        .reply(200, function () {
          return { cookie: this.req.headers['cookie'] ?? null };
        }, { 'cache-control': 'max-age=600' });
      await api.get('/basket', { headers: { Cookie: 'session=alice-session' } });
      const bob = await api.get('/basket', { headers: { Cookie: 'session=bob-session' } });
      const anonymous = await api.get('/basket');
      expect(bob.fromCache).to.equal(false);
      expect(bob.data).to.deep.equal({ cookie: 'session=bob-session' });
      expect(anonymous.fromCache).to.equal(false);
      expect(anonymous.data).to.deep.equal({ cookie: null });
    });

    it('keeps the Authorization value of a Vary: Authorization response out of the store: neither the header nor the password appears in it', async () => {
      const store = new MemoryStore();
      const { api, cache } = cachedInstance({ ...options, store });
      nock(ORIGIN).get('/vary').reply(200, 'public, per user', { 'cache-control': 'public, max-age=600', vary: 'Authorization' });
      await api.get('/vary', { auth: { username: 'carol', password: ALICE_PASSWORD } });
      expect(cache.store).to.equal(store);
      expect(await cache.has({ url: '/vary', auth: { username: 'carol', password: ALICE_PASSWORD } })).to.equal(true);
      const basic = Buffer.from(`carol:${ALICE_PASSWORD}`).toString('base64');
      const everything = await everythingIn(cache.store);
      expect(everything).to.include('public, per user');
      expect(everything).to.not.include(basic);
      expect(everything).to.not.include(ALICE_PASSWORD);
    });

    it('keeps the Cookie value of a Vary: Cookie response out of the store', async () => {
      const store = new MemoryStore();
      const { api, cache } = cachedInstance({ ...options, store });
      nock(ORIGIN).get('/vary-cookie').reply(200, 'public, per cookie', { 'cache-control': 'public, max-age=600', vary: 'Cookie' });
      await api.get('/vary-cookie', { headers: { Cookie: 'session=carol-session-Qm9vQmFy' } });
      const everything = await everythingIn(cache.store);
      expect(everything).to.include('public, per cookie');
      expect(everything).to.not.include('carol-session-Qm9vQmFy');
    });
  });

  describe('shared: true, a credentialed request revalidating an anonymous entry', () => {
    for (const [name, headers] of [
      ['Authorization', { Authorization: 'Bearer alice-token' }],
      ['Cookie', { Cookie: 'session=alice-session' }],
    ] as const) {
      it(`keeps the entry when a request with ${name} gets a plain 304: the next anonymous request is a hit`, async () => {
        const { api, cache } = cachedInstance({ shared: true });
        nock(ORIGIN).get('/catalogue').reply(200, 'public catalogue', { etag: '"a"', 'cache-control': 'max-age=0' });
        nock(ORIGIN).get('/catalogue').matchHeader('if-none-match', '"a"').reply(304, '', { etag: '"a"', 'cache-control': 'max-age=600' });
        await api.get('/catalogue');
        const revalidated = await api.get('/catalogue', { headers });
        expect(revalidated.data).to.equal('public catalogue');
        expect(nock.isDone()).to.equal(true);
        expect(await cache.has('/catalogue')).to.equal(true);
        // No interceptor is left: a request reaching the origin would fail.
        const anonymous = await api.get('/catalogue');
        expect(anonymous.cacheInfo?.status).to.equal('hit');
        expect(anonymous.data).to.equal('public catalogue');
      });
    }
  });

  it("invalidates the same partition's GET of a URL after a POST to it sent with cache: false", async () => {
    const { api } = cachedInstance({ partition: () => 'user-1' });
    nock(ORIGIN).get('/items').reply(200, 'v1', { 'cache-control': 'max-age=600' });
    nock(ORIGIN).post('/items').reply(204);
    nock(ORIGIN).get('/items').reply(200, 'v2', { 'cache-control': 'max-age=600' });
    expect((await api.get('/items')).data).to.equal('v1');
    expect((await api.get('/items')).fromCache).to.equal(true);
    await api.post('/items', 'x', { cache: false });
    const after = await api.get('/items');
    expect(after.fromCache).to.equal(false);
    expect(after.data).to.equal('v2');
  });

  it('cache.get() and cache.has() refuse a record copied under another key, and report an error', async () => {
    const store = new MemoryStore();
    const { api, cache } = cachedInstance({ store });
    nock(ORIGIN).get('/private-a').reply(200, 'body of a', { 'cache-control': 'max-age=600' });
    await api.get('/private-a');
    const keys: string[] = [];
    for await (const key of store.keys()) keys.push(key);
    expect(keys).to.have.length(1);
    const [keyOfA] = keys as [string];
    const record = await store.get(keyOfA);
    expect(record).to.not.equal(undefined);
    const keyOfB = keyOfA.replace('/private-a', '/b');
    expect(keyOfB).to.not.equal(keyOfA);
    await store.set(keyOfB, record!, record!.expiresAt);
    // The copy is there, and the original still answers for its own URL.
    expect(await store.get(keyOfB)).to.not.equal(undefined);
    expect(await cache.get('/private-a')).to.not.equal(undefined);

    const errors: unknown[] = [];
    cache.on('error', (event) => errors.push(event.error));
    expect(await cache.get('/b')).to.equal(undefined);
    expect(await cache.has('/b')).to.equal(false);
    expect(errors).to.not.be.empty;
    expect(errors[0]).to.be.instanceOf(CorruptEntryError);
  });
});

// Credentials against a real node:http origin (http adapter): one user's response never reaches another,
// and no password or cookie value ever reaches the store.
import axios from 'axios';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { attachCache, MemoryStore } from '../../lib/index.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { missingServer, sharedRedisUrl, uniqueName } from '../support/servers.js';
import { startNodeHttp, withoutNock, type RunningHttp } from '../support/real-http.js';
import { everythingIn } from '../support/store-probes.js';

const ALICE_PASSWORD = 'alice-Pa55word-zq7';
const BOB_PASSWORD = 'bob-Pa55word-kx3';
const COOKIE_SECRET = 'session-cookie-value-Qm9vQmFy';

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}


describe('credentials against a real origin (http adapter)', function () {
  withoutNock();
  let origin: RunningHttp;

  beforeEach(async function () {
    origin = await startNodeHttp((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      // A short pause keeps concurrent requests in flight together.
      setTimeout(() => {
        if (path === '/cookie') {
          res.writeHead(200, { 'cache-control': 'public, max-age=60', vary: 'Cookie', 'content-type': 'application/json' });
          res.end(JSON.stringify({ cookie: 'seen' }));
          return;
        }
        if (path === '/public') {
          // Names the user, never echoes the credential: whatever the store holds comes from the cache itself.
          const user = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':')[0];
          res.writeHead(200, { 'cache-control': 'public, max-age=60', 'content-type': 'application/json' });
          res.end(JSON.stringify({ user }));
          return;
        }
        res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'application/json' });
        res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
      }, 20);
    });
  });

  afterEach(async function () {
    await origin.close();
  });

  describe('shared: true', function () {
    function shared() {
      const api = axios.create({ adapter: 'http', baseURL: origin.url });
      const cache = attachCache(api, { shared: true });
      return { api, cache };
    }

    it('a max-age=60 response to alice (auth option) is not served to bob: bob reaches the origin and gets his own echo', async function () {
      const { api } = shared();
      const alice = await api.get('/private', { auth: { username: 'alice', password: ALICE_PASSWORD } });
      const bob = await api.get('/private', { auth: { username: 'bob', password: BOB_PASSWORD } });
      expect(alice.data).to.deep.equal({ authorization: basic('alice', ALICE_PASSWORD) });
      expect(bob.data).to.deep.equal({ authorization: basic('bob', BOB_PASSWORD) });
      expect(bob.fromCache).to.equal(false);
      expect(origin.log.count('/private')).to.equal(2);
    });

    it('a max-age=60 response to alice (URL userinfo) is not served to bob (URL userinfo)', async function () {
      const { api } = shared();
      const port = new URL(origin.url).port;
      const alice = await api.get(`http://alice:${ALICE_PASSWORD}@127.0.0.1:${port}/private`);
      const bob = await api.get(`http://bob:${BOB_PASSWORD}@127.0.0.1:${port}/private`);
      expect(alice.data).to.deep.equal({ authorization: basic('alice', ALICE_PASSWORD) });
      expect(bob.data).to.deep.equal({ authorization: basic('bob', BOB_PASSWORD) });
      expect(origin.log.count('/private')).to.equal(2);
    });

    it('a max-age=60 response to alice (URL userinfo) is not served to an anonymous request for the same URL', async function () {
      const { api } = shared();
      const port = new URL(origin.url).port;
      await api.get(`http://alice:${ALICE_PASSWORD}@127.0.0.1:${port}/private`);
      const anonymous = await api.get(`http://127.0.0.1:${port}/private`);
      expect(anonymous.data).to.deep.equal({ authorization: null });
      expect(origin.log.count('/private')).to.equal(2);
    });

    it('concurrent alice and bob requests (auth option) are never merged into one origin call', async function () {
      const { api } = shared();
      const [alice, bob] = await Promise.all([
        api.get('/private', { auth: { username: 'alice', password: ALICE_PASSWORD } }),
        api.get('/private', { auth: { username: 'bob', password: BOB_PASSWORD } }),
      ]);
      expect(alice.data).to.deep.equal({ authorization: basic('alice', ALICE_PASSWORD) });
      expect(bob.data).to.deep.equal({ authorization: basic('bob', BOB_PASSWORD) });
      expect(origin.log.count('/private')).to.equal(2);
    });

    it('concurrent alice and bob requests (URL userinfo) are never merged into one origin call', async function () {
      const { api } = shared();
      const port = new URL(origin.url).port;
      const [alice, bob] = await Promise.all([
        api.get(`http://alice:${ALICE_PASSWORD}@127.0.0.1:${port}/private`),
        api.get(`http://bob:${BOB_PASSWORD}@127.0.0.1:${port}/private`),
      ]);
      expect(alice.data).to.deep.equal({ authorization: basic('alice', ALICE_PASSWORD) });
      expect(bob.data).to.deep.equal({ authorization: basic('bob', BOB_PASSWORD) });
      expect(origin.log.count('/private')).to.equal(2);
    });
  });

  describe('secrets never reach the store', function () {
    it('the password of URL userinfo appears neither in cacheInfo.key nor in anything the store holds', async function () {
      const store = new MemoryStore();
      const api = axios.create({ adapter: 'http' });
      const cache = attachCache(api, { store });
      const port = new URL(origin.url).port;
      const res = await api.get(`http://alice:${ALICE_PASSWORD}@127.0.0.1:${port}/public`);
      expect(res.data).to.deep.equal({ user: 'alice' });
      const key = res.cacheInfo?.key ?? '';
      expect(key).to.not.include(ALICE_PASSWORD);
      const stored = await store.get(key);
      expect(JSON.stringify(stored ?? null)).to.not.include(ALICE_PASSWORD);
      expect(await everythingIn(store)).to.not.include(ALICE_PASSWORD);
      expect(await cache.count()).to.be.greaterThan(0);
    });

    it('the password of the auth option appears nowhere in what the store holds', async function () {
      const store = new MemoryStore();
      const api = axios.create({ adapter: 'http', baseURL: origin.url });
      attachCache(api, { store });
      const res = await api.get('/public', { auth: { username: 'alice', password: ALICE_PASSWORD } });
      expect(res.data).to.deep.equal({ user: 'alice' });
      const everything = await everythingIn(store);
      expect(everything).to.not.equal('');
      expect(everything).to.not.include(ALICE_PASSWORD);
      expect(everything).to.not.include(Buffer.from(`alice:${ALICE_PASSWORD}`).toString('base64'));
    });

    it('the raw Cookie value of a Vary: Cookie response appears nowhere in what a MemoryStore holds, and the variant still hits', async function () {
      const store = new MemoryStore();
      const api = axios.create({ adapter: 'http', baseURL: origin.url });
      attachCache(api, { store });
      await api.get('/cookie', { headers: { Cookie: `sid=${COOKIE_SECRET}` } });
      const again = await api.get('/cookie', { headers: { Cookie: `sid=${COOKIE_SECRET}` } });
      expect(again.cacheInfo?.status).to.equal('hit');
      const everything = await everythingIn(store);
      expect(everything).to.not.equal('');
      expect(everything).to.not.include(COOKIE_SECRET);
    });

    describe('with a RedisStore', function () {
      let url: string;
      let raw: Redis;
      let prefix: string;

      before(async function () {
        const found = await sharedRedisUrl();
        if (found === undefined) missingServer(this, 'Redis (REDIS_URL or 127.0.0.1:6379)');
        url = found;
        raw = new Redis(url);
      });

      beforeEach(function () {
        prefix = uniqueName('ahc-credentials');
      });

      afterEach(async function () {
        if (raw !== undefined) await new RedisStore({ client: raw, prefix }).clear();
      });

      after(async function () {
        await raw?.quit();
      });

      it('the raw Cookie value of a Vary: Cookie response appears nowhere in Redis, keys or values', async function () {
        const store = new RedisStore({ client: raw, prefix });
        const api = axios.create({ adapter: 'http', baseURL: origin.url });
        attachCache(api, { store });
        await api.get('/cookie', { headers: { Cookie: `sid=${COOKIE_SECRET}` } });
        const keys = await raw.keys(`${prefix}:*`);
        expect(keys).to.not.have.length(0);
        for (const key of keys) {
          expect(key).to.not.include(COOKIE_SECRET);
          const bytes = await raw.getBuffer(key);
          expect(bytes?.toString('latin1') ?? '').to.not.include(COOKIE_SECRET);
        }
        expect(await everythingIn(store)).to.not.include(COOKIE_SECRET);
      });

      it('the password of URL userinfo appears nowhere in Redis, keys or values', async function () {
        const store = new RedisStore({ client: raw, prefix });
        const api = axios.create({ adapter: 'http' });
        attachCache(api, { store });
        const port = new URL(origin.url).port;
        await api.get(`http://alice:${ALICE_PASSWORD}@127.0.0.1:${port}/public`);
        const keys = await raw.keys(`${prefix}:*`);
        expect(keys).to.not.have.length(0);
        for (const key of keys) {
          expect(key).to.not.include(ALICE_PASSWORD);
          expect((await raw.getBuffer(key))?.toString('latin1') ?? '').to.not.include(ALICE_PASSWORD);
        }
      });
    });
  });
});

import axios from 'axios';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { attachCache, cacheInfoOf } from '../../lib/index.js';
import type { CachedRequest } from '../../lib/index.js';
import { cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';

describe('what a first hour with the cache asks of its responses', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  describe('typed access to cacheInfo', () => {
    it('hands back the same instance on the handle, whose responses carry cacheInfo', async () => {
      const plain = axios.create({ baseURL: ORIGIN });
      const cache = attachCache(plain);
      expect(cache.instance).to.equal(plain);
      nock(ORIGIN).get('/q').reply(200, 'x', { 'cache-control': 'max-age=60' });
      await cache.instance.get('/q');
      const hit = await cache.instance.get('/q');
      expect(hit.cacheInfo.status).to.equal('hit');
      expect(cacheInfoOf(hit)).to.equal(hit.cacheInfo);
    });

    it('makes cacheInfoOf() throw, saying what to do, for a response of an instance without a cache', async () => {
      const plain = axios.create({ baseURL: ORIGIN });
      nock(ORIGIN).get('/plain').reply(200, 'x');
      const response = await plain.get('/plain');
      expect(() => cacheInfoOf(response)).to.throw(TypeError, /^axios-http-cache: .*call attachCache\(\) on the instance/);
    });
  });

  describe('freshUntil and expiresAt', () => {
    it('tells when the entry stops being fresh apart from when the store drops it, on the response and in cache.get()', async () => {
      const { api, cache, clock } = cachedInstance();
      const stored = clock.at;
      nock(ORIGIN).get('/etag').reply(200, { n: 1 }, { 'cache-control': 'max-age=60', etag: '"v1"' });
      const miss = await api.get('/etag');
      const hit = await api.get('/etag');
      for (const info of [miss.cacheInfo, hit.cacheInfo]) {
        expect(info?.freshUntil).to.equal(stored + 60_000);
        // Kept an hour past freshness for revalidation, since it has an ETag.
        expect(info?.expiresAt).to.equal(stored + 60_000 + 3_600_000);
      }
      const entry = await cache.get('/etag');
      expect(entry?.freshUntil).to.equal(stored + 60_000);
      expect(entry?.expiresAt).to.equal(stored + 3_660_000);
      expect(entry?.stale).to.equal(false);
      clock.advance(60_000);
      expect((await cache.get('/etag'))?.stale).to.equal(true);
    });

    it('counts the age the origin reported against freshness', async () => {
      const { api, clock } = cachedInstance();
      nock(ORIGIN).get('/aged').reply(200, 'x', { 'cache-control': 'max-age=60', age: '20' });
      const miss = await api.get('/aged');
      expect(miss.cacheInfo?.freshUntil).to.equal(clock.at + 40_000);
    });

    it('leaves both undefined when nothing was stored', async () => {
      const { api } = cachedInstance();
      nock(ORIGIN).get('/nostore').reply(200, 'x', { 'cache-control': 'no-store' });
      const response = await api.get('/nostore');
      expect(response.cacheInfo?.freshUntil).to.equal(undefined);
      expect(response.cacheInfo?.expiresAt).to.equal(undefined);
    });
  });

  describe('response.request on answers from the cache', () => {
    it('answers request.res.responseUrl, path and responseURL on a hit as the network answer would', async () => {
      const { api } = cachedInstance();
      nock(ORIGIN).get('/users').query({ q: 'paris' }).reply(200, { n: 1 }, { 'cache-control': 'max-age=60', 'content-type': 'application/json' });
      const miss = await api.get('/users', { params: { q: 'paris' } });
      const hit = await api.get('/users', { params: { q: 'paris' } });
      expect(hit.fromCache).to.equal(true);
      const request = hit.request as CachedRequest;
      expect(request.res.responseUrl).to.equal((miss.request as { res: { responseUrl: string } }).res.responseUrl);
      expect(request.res.responseUrl).to.equal(`${ORIGIN}/users?q=paris`);
      expect(request.responseURL).to.equal(`${ORIGIN}/users?q=paris`);
      expect(request.path).to.equal('/users?q=paris');
      expect(request.host).to.equal('api.test');
      expect(request.protocol).to.equal('http:');
      expect(request.method).to.equal('GET');
      expect(request.fromCache).to.equal(true);
      expect(request.res.statusCode).to.equal(200);
      expect(request.res.headers['content-type']).to.equal('application/json');
    });

    it('leaves userinfo out of the URL a hit reports', async () => {
      const { api } = cachedInstance();
      nock(ORIGIN).get('/me').twice().reply(200, 'x', { 'cache-control': 'max-age=60' });
      await api.get('http://user:secret@api.test/me');
      const hit = await api.get('http://user:secret@api.test/me');
      expect(hit.fromCache).to.equal(true);
      expect((hit.request as CachedRequest).res.responseUrl).to.equal(`${ORIGIN}/me`);
    });

    it('gives the only-if-cached 504 a request object too', async () => {
      const { api } = cachedInstance();
      const error = await api.get('/absent', { cache: { onlyIfCached: true } }).then(
        () => undefined,
        (thrown: unknown) => thrown as { response?: { status: number; request: CachedRequest } },
      );
      expect(error?.response?.status).to.equal(504);
      expect(error?.response?.request.res.responseUrl).to.equal(`${ORIGIN}/absent`);
    });
  });

  describe('errors that say what to do', () => {
    it('tells how to wrap a raw ioredis client passed as store', () => {
      const client = new Redis({ lazyConnect: true });
      try {
        expect(() => attachCache(axios.create(), { store: client as never })).to.throw(
          TypeError,
          /^axios-http-cache: option "store" must implement get\(\), set\(\) and delete\(\); this looks like a Redis client: wrap it, `new RedisStore\(\{ client \}\)` from 'axios-http-cache\/redis'$/,
        );
      } finally {
        client.disconnect();
      }
    });

    it('tells how to wrap a raw MongoDB client, database or collection passed as store', () => {
      const client = new MongoClient('mongodb://127.0.0.1:1/never-connected');
      const db = client.db('app');
      const attach = (store: unknown) => () => attachCache(axios.create(), { store: store as never });
      expect(attach(client)).to.throw(TypeError, /MongoClient: wrap one of its databases, `new MongoStore\(\{ db: client\.db\('name'\) \}\)`/);
      expect(attach(db)).to.throw(TypeError, /MongoDB database: wrap it, `new MongoStore\(\{ db \}\)` from 'axios-http-cache\/mongodb'/);
      expect(attach(db.collection('http_cache'))).to.throw(TypeError, /MongoDB collection: wrap it, `new MongoStore\(\{ collection \}\)`/);
    });

    it('keeps the plain message for other objects that are not stores', () => {
      expect(() => attachCache(axios.create(), { store: { get() {} } as never })).to.throw(TypeError, /must implement get\(\), set\(\) and delete\(\)$/);
    });

    it('rejects a request with cache: true, saying to leave it out or pass false or an object', async () => {
      const { api } = cachedInstance();
      const error = await api.get('/x', { cache: true as never }).then(() => undefined, (thrown: unknown) => thrown);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/^axios-http-cache: request option "cache" is true.*leave it out, or pass false \(skip the cache\) or an options object/);
    });

    it('refuses an unknown event name in cache.on() and cache.off(), listing the known ones', () => {
      const { cache } = cachedInstance();
      const known = "'hit', 'miss', 'stale', 'revalidated', 'stored', 'deleted', 'bypass', 'error'";
      expect(() => cache.on('hits' as 'hit', () => undefined)).to.throw(TypeError, `axios-http-cache: cache.on() got the unknown event "hits"; use one of ${known}`);
      expect(() => cache.off('misses' as 'miss', () => undefined)).to.throw(TypeError, 'cache.off() got the unknown event "misses"');
      expect(() => cache.on('hit', 'log' as never)).to.throw(TypeError, /needs a listener function/);
    });

    it('answers cache.delete() with a URL string by showing the query objects to use', async () => {
      const { cache } = cachedInstance();
      const error = await cache.delete('/users/' as never).then(() => undefined, (thrown: unknown) => thrown);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal(
        'axios-http-cache: cache.delete() takes a query object, not a string: use cache.delete({ url: "/users/" }) for that URL, or cache.delete({ pattern: "/users/*" }) for the URLs under it',
      );
      const regexp = await cache.delete(/users/ as never).then(() => undefined, (thrown: unknown) => thrown);
      expect((regexp as Error).message).to.match(/use cache\.delete\(\{ pattern: \/users\/ \}\)$/);
    });
  });
});

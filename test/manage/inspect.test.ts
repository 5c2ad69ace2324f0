import { expect } from 'chai';
import type { CacheEntry } from '../../lib/axios/manage.js';
import type { CacheRecord } from '../../lib/index.js';
import { FRESH, managedInstance, nock, ORIGIN, resetNock, serve } from './helpers.js';
import { collect, forEachStore } from './stores.js';

describe('cache management: inspecting entries', function () {
  this.timeout(30_000);
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  forEachStore((setup) => {
    it('get() returns the stored entry with status, headers, parsed data and times, without counting a hit', async () => {
      const { api, cache, clock } = await managedInstance(setup);
      serve('/users?q=paris');
      const storedAt = clock.now();
      await api.get('/users', { params: { q: 'paris' } });
      const entry = await cache.get('/users?q=paris');
      expect(entry).to.not.equal(undefined);
      expect(entry!.status).to.equal(200);
      expect(entry!.method).to.equal('GET');
      expect(entry!.url).to.equal(`${ORIGIN}/users?q=paris`);
      expect(entry!.headers['cache-control']).to.equal('max-age=60');
      expect(entry!.data).to.deep.equal({ path: '/users?q=paris' });
      expect(entry!.createdAt).to.equal(storedAt);
      expect(entry!.expiresAt).to.be.greaterThan(storedAt);
      expect(entry!.stale).to.equal(false);
      expect(cache.stats().hits).to.equal(0);
    });

    it('get() and has() accept a request config and key it as the request flow does (params, baseURL, absolute URL)', async () => {
      const { api, cache } = await managedInstance(setup);
      serve('/search?a=1&b=2');
      await api.get('/search', { params: { a: 1, b: 2 } });
      expect(await cache.has({ url: '/search', params: { a: 1, b: 2 } })).to.equal(true);
      expect(await cache.has('/search?b=2&a=1')).to.equal(false);
      expect(await cache.has(`${ORIGIN}/search?a=1&b=2`)).to.equal(true);
      expect((await cache.get({ url: '/search?a=1&b=2' }))?.key).to.equal(`GET ${ORIGIN}/search?a=1&b=2`);
      expect(await cache.has('/search?a=1')).to.equal(false);
      expect(await cache.has({ url: '/search?a=1&b=2', method: 'head' })).to.equal(false);
      expect(await cache.get('/never-requested')).to.equal(undefined);
    });

    it('get() marks an entry stale once its freshness has passed while it is kept for revalidation', async () => {
      const { api, cache, clock } = await managedInstance(setup);
      serve('/etag', { ...FRESH, etag: '"v1"' });
      await api.get('/etag');
      clock.advance(61_000);
      const entry = await cache.get('/etag');
      expect(entry?.stale).to.equal(true);
    });

    it('get() follows Vary: the entry returned is the variant matching the request headers', async () => {
      const { api, cache } = await managedInstance(setup);
      for (const language of ['en', 'fr']) {
        nock(ORIGIN).get('/greeting').matchHeader('accept-language', language)
          .reply(200, { language }, { ...FRESH, vary: 'Accept-Language' });
        await api.get('/greeting', { headers: { 'Accept-Language': language } });
      }
      const fr = await cache.get({ url: '/greeting', headers: { 'Accept-Language': 'fr' } });
      const en = await cache.get({ url: '/greeting', headers: { 'Accept-Language': 'en' } });
      expect(fr?.data).to.deep.equal({ language: 'fr' });
      expect(en?.data).to.deep.equal({ language: 'en' });
      expect(await cache.has({ url: '/greeting', headers: { 'Accept-Language': 'de' } })).to.equal(false);
      // Two variants, listed once each, under their one public key.
      expect((await collect(cache.entries({ url: '/greeting' }))).map((e) => e.data)).to.have.deep.members([{ language: 'en' }, { language: 'fr' }]);
      expect(await collect(cache.keys())).to.deep.equal([`GET ${ORIGIN}/greeting`]);
    });

    it('keys(), count() and size() describe what the store holds', async () => {
      const { api, cache } = await managedInstance(setup);
      expect(await collect(cache.keys())).to.deep.equal([]);
      expect(await cache.count()).to.equal(0);
      const paths = ['/a', '/b', '/c?x=1'];
      for (const path of paths) {
        serve(path);
        await api.get(path);
      }
      expect((await collect(cache.keys())).sort()).to.deep.equal(paths.map((p) => `GET ${ORIGIN}${p}`).sort());
      expect(await cache.count()).to.equal(3);
      const bytes = await cache.size();
      if (setup.kind !== 'MongoStore') expect(bytes).to.be.a('number');
      if (bytes !== undefined) expect(bytes).to.be.greaterThan(0);
    });

    it('entries() filters by url, method, tag, pattern and expiry while streaming', async () => {
      const { api, cache, clock } = await managedInstance(setup);
      serve('/users/1', { ...FRESH, etag: '"1"' });
      serve('/users/2');
      serve('/teams/1');
      nock(ORIGIN).head('/users/2').reply(200, '', FRESH);
      await api.get('/users/1', { cache: { tags: ['users'] } });
      clock.advance(61_000); // /users/1 is now stale (kept for revalidation thanks to its ETag)
      await api.get('/users/2', { cache: { tags: ['users', 'people'] } });
      await api.head('/users/2');
      await api.get('/teams/1');
      const urls = async (query: Parameters<typeof cache.entries>[0]): Promise<string[]> =>
        (await collect(cache.entries(query))).map((e: CacheEntry) => `${e.method} ${e.url.slice(ORIGIN.length)}`).sort();
      expect(await urls({})).to.deep.equal(['GET /teams/1', 'GET /users/1', 'GET /users/2', 'HEAD /users/2']);
      expect(await urls({ url: '/users/2' })).to.deep.equal(['GET /users/2', 'HEAD /users/2']);
      expect(await urls({ url: '/users/2', method: 'head' })).to.deep.equal(['HEAD /users/2']);
      expect(await urls({ tag: 'users' })).to.deep.equal(['GET /users/1', 'GET /users/2']);
      expect(await urls({ tag: 'people' })).to.deep.equal(['GET /users/2']);
      expect(await urls({ pattern: '/users/*' })).to.deep.equal(['GET /users/1', 'GET /users/2', 'HEAD /users/2']);
      expect(await urls({ pattern: /\/teams\// })).to.deep.equal(['GET /teams/1']);
      expect(await urls({ expired: true })).to.deep.equal(['GET /users/1']);
      expect((await collect(cache.entries({ tag: 'users' }))).find((e) => e.url.endsWith('/users/2'))?.tags).to.deep.equal(['users', 'people']);
      expect(await collect(cache.keys({ tag: 'people' }))).to.deep.equal([`GET ${ORIGIN}/users/2`]);
    });

    it('entries() pulls records from the store one at a time, so a consumer that stops early stops the walk', async () => {
      const { api, cache, store } = await managedInstance(setup);
      for (let i = 0; i < 12; i++) {
        serve(`/item/${i}`);
        await api.get(`/item/${i}`);
      }
      // Counted where the cache pulls from: find() on a store that answers queries from indexes (which may itself read
      // entries()), else entries().
      let pulled = 0;
      const counted = (records: AsyncIterable<CacheRecord>): AsyncGenerator<CacheRecord> => (async function* pull() {
        for await (const record of records) {
          pulled += 1;
          yield record;
        }
      })();
      const find = store.find?.bind(store);
      const entries = store.entries!.bind(store);
      if (find !== undefined) store.find = (filter) => counted(find(filter));
      else store.entries = () => counted(entries());
      let seen = 0;
      for await (const entry of cache.entries()) {
        expect(entry.url).to.contain('/item/');
        if (++seen === 2) break;
      }
      expect(pulled).to.equal(2);
    });
  });
});

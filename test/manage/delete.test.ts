import axios from 'axios';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import type { CacheEventMap } from '../../lib/index.js';
import { cachedPaths, FRESH, managedInstance, nock, ORIGIN, resetNock, serve, warm } from './helpers.js';
import { forEachStore } from './stores.js';

describe('cache management: deleting entries', function () {
  this.timeout(30_000);
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  forEachStore((setup) => {
    it('delete({ url }) removes exactly that URL (any method, any query order) and says how many went', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/users', '/users/1', '/users?page=2']);
      nock(ORIGIN).head('/users').reply(200, '', FRESH);
      await managed.api.head('/users');
      const deleted: Array<CacheEventMap['deleted']> = [];
      managed.cache.on('deleted', (event) => deleted.push(event));
      expect(await managed.cache.delete({ url: '/users' })).to.equal(2);
      expect(await cachedPaths(managed)).to.deep.equal(['/users/1', '/users?page=2']);
      expect(deleted.map((e) => `${e.method} ${e.url}`).sort()).to.deep.equal([`GET ${ORIGIN}/users`, `HEAD ${ORIGIN}/users`]);
      expect(deleted[0]?.key).to.match(/^(GET|HEAD) http:\/\/api\.test\/users$/);
      expect(await managed.cache.delete({ urls: ['/users?page=2', `${ORIGIN}/nothing`] })).to.equal(1);
      expect(await cachedPaths(managed)).to.deep.equal(['/users/1']);
    });

    it('delete({ pattern }) takes a glob over URLs below a path, or a RegExp', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/users', '/users/1', '/users/1/posts', '/users?page=2', '/teams/1']);
      expect(await managed.cache.delete({ pattern: '/users/*' })).to.equal(2); // /users/1, and /users/1/posts below it
      expect(await cachedPaths(managed)).to.deep.equal(['/teams/1', '/users', '/users?page=2']);
      expect(await managed.cache.delete({ pattern: /\?page=\d+$/ })).to.equal(1);
      expect(await managed.cache.delete({ pattern: 'api.test/teams' })).to.equal(1);
      expect(await cachedPaths(managed)).to.deep.equal(['/users']);
    });

    it('delete({ tag }) removes every entry stored with that tag and nothing else', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/users?q=a', '/users?q=b'], ['users']);
      await warm(managed, ['/profile/1'], ['users', 'profiles']);
      await warm(managed, ['/teams']);
      expect(await managed.cache.delete({ tag: 'users' })).to.equal(3);
      expect(await cachedPaths(managed)).to.deep.equal(['/teams']);
      expect(await managed.cache.delete({ tag: 'users' })).to.equal(0);
    });

    it('delete({ key }) removes one entry by its store key, Vary variants included', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/a', '/b']);
      for (const language of ['en', 'fr']) {
        nock(ORIGIN).get('/v').reply(200, { language }, { ...FRESH, vary: 'Accept-Language' });
        await managed.api.get('/v', { headers: { 'Accept-Language': language } });
      }
      expect(await managed.cache.delete({ key: `GET ${ORIGIN}/a` })).to.equal(1);
      expect(await managed.cache.has('/a')).to.equal(false);
      expect(await managed.cache.has('/b')).to.equal(true);
      expect(await managed.cache.delete({ key: `GET ${ORIGIN}/v` })).to.equal(1);
      expect(await managed.cache.has({ url: '/v', headers: { 'Accept-Language': 'en' } })).to.equal(false);
      expect(await managed.cache.has({ url: '/v', headers: { 'Accept-Language': 'fr' } })).to.equal(false);
    });

    it('delete({ expired: true }) removes only entries that are no longer fresh', async () => {
      const managed = await managedInstance(setup);
      serve('/old', { ...FRESH, etag: '"old"' });
      await managed.api.get('/old');
      managed.clock.advance(61_000);
      await warm(managed, ['/new']);
      expect(await managed.cache.delete({ expired: true })).to.equal(1);
      expect(await cachedPaths(managed)).to.deep.equal(['/new']);
    });

    it('delete({ olderThan }) takes an instant (Date) or an age in ms', async () => {
      const managed = await managedInstance(setup, { ttl: 3_600_000 });
      await warm(managed, ['/first']);
      managed.clock.advance(10_000);
      await warm(managed, ['/second']);
      managed.clock.advance(10_000);
      await warm(managed, ['/third']);
      expect(await managed.cache.delete({ olderThan: 15_000 })).to.equal(1);
      expect(await cachedPaths(managed)).to.deep.equal(['/second', '/third']);
      expect(await managed.cache.delete({ olderThan: new Date(managed.clock.now() - 5_000) })).to.equal(1);
      expect(await cachedPaths(managed)).to.deep.equal(['/third']);
    });

    it('delete() combines criteria (all must hold)', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/users/1', '/teams/1'], ['mixed']);
      await warm(managed, ['/users/2']);
      expect(await managed.cache.delete({ tag: 'mixed', pattern: '/users' })).to.equal(1);
      expect(await cachedPaths(managed)).to.deep.equal(['/teams/1', '/users/2']);
    });

    it('delete() refuses an empty query or an unknown field instead of deleting everything', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/keep']);
      let error: unknown = await managed.cache.delete({}).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/clear\(\)/);
      error = await managed.cache.delete({ tags: 'x' } as never).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/query\.tags/);
      expect(await cachedPaths(managed)).to.deep.equal(['/keep']);
    });

    it('clear() empties this cache and leaves another cache on the same server alone', async () => {
      const managed = await managedInstance(setup);
      const other = axios.create({ baseURL: ORIGIN });
      const otherCache = attachCache(other, { store: await setup.newStore(managed.clock.now), now: managed.clock.now });
      await warm(managed, ['/a', '/b']);
      serve('/a');
      await other.get('/a');
      await managed.cache.clear();
      expect(await managed.cache.count()).to.equal(0);
      expect(await otherCache.has('/a')).to.equal(true);
    });

    it('a deleted entry is fetched from the origin again', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/again']);
      await managed.cache.delete({ url: '/again' });
      const scope = serve('/again');
      const response = await managed.api.get('/again');
      expect(response.fromCache).to.equal(false);
      expect(scope.isDone()).to.equal(true);
    });
  });
});

import { expect } from 'chai';
import { IncompleteDeletionError, MemoryStore } from '../../lib/index.js';
import type { CacheEventMap, CacheRecord } from '../../lib/index.js';
import { cachedPaths, managedInstance, nock, ORIGIN, resetNock, warm } from './helpers.js';
import { forEachStore } from './stores.js';
import type { StoreSetup } from './stores.js';

describe('per-request tags and invalidate', function () {
  this.timeout(30_000);
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  forEachStore((setup) => {
    it('stores the tags given with cache.tags on the entry', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/users?page=1'], ['users', 'page']);
      expect((await managed.cache.get('/users?page=1'))?.tags).to.deep.equal(['users', 'page']);
    });

    it('after a successful POST, drops every entry below the URL globs it names, and only those', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/users?page=2', '/users/7', '/teams/1']);
      nock(ORIGIN).post('/users').reply(201, { id: 8 });
      const deleted: Array<CacheEventMap['deleted']> = [];
      managed.cache.on('deleted', (event) => deleted.push(event));
      await managed.api.post('/users', { name: 'Ada' }, { cache: { invalidate: ['/users'] } });
      expect(await cachedPaths(managed)).to.deep.equal(['/teams/1']);
      // Besides the RFC 9111 §4.4 invalidation of POST's own URL, exactly the two entries below /users went.
      const requested = deleted.filter((event) => event.url !== `${ORIGIN}/users`);
      expect(requested.map((event) => event.url).sort()).to.deep.equal([`${ORIGIN}/users/7`, `${ORIGIN}/users?page=2`]);
      expect(requested[0]?.reason).to.equal(`invalidated by POST ${ORIGIN}/users`);
    });

    it('after a successful PUT, drops every entry with the tags it names', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/users?q=a', '/directory/people'], ['users']);
      await warm(managed, ['/teams/1'], ['teams']);
      nock(ORIGIN).put('/users/3').reply(204);
      await managed.api.put('/users/3', { name: 'B' }, { cache: { invalidate: [{ tag: 'users' }, /\/nothing$/] } });
      expect(await cachedPaths(managed)).to.deep.equal(['/teams/1']);
    });

    it('keeps every entry when the unsafe request fails', async () => {
      const managed = await managedInstance(setup);
      await warm(managed, ['/users/1'], ['users']);
      nock(ORIGIN).delete('/users/1').reply(500);
      const error = await managed.api.delete('/users/1', { cache: { invalidate: [{ tag: 'users' }] } }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
      expect(await cachedPaths(managed)).to.deep.equal(['/users/1']);
    });

    it('runs on a POST the cache stores too (methods includes post)', async () => {
      const managed = await managedInstance(setup, { methods: ['get', 'head', 'post'] });
      await warm(managed, ['/report/1'], ['reports']);
      nock(ORIGIN).post('/reports').reply(200, { ok: true });
      await managed.api.post('/reports', { x: 1 }, { cache: { invalidate: [{ tag: 'reports' }] } });
      expect(await managed.cache.has('/report/1')).to.equal(false);
    });
  });

  it('returns the response even when the store fails during the invalidation, and reports the failure', async () => {
    const store = new MemoryStore();
    store.entries = async function* failing(): AsyncGenerator<CacheRecord> {
      yield* [];
      await Promise.resolve();
      throw new Error('scan failed');
    };
    const setup: StoreSetup = { kind: 'MemoryStore', newStore: () => Promise.resolve(store), corrupt: () => Promise.resolve() };
    const managed = await managedInstance(setup);
    const errors: Array<CacheEventMap['error']> = [];
    managed.cache.on('error', (event) => errors.push(event));
    nock(ORIGIN).post('/users').reply(201, { id: 1 });
    const response = await managed.api.post('/users', {}, { cache: { invalidate: [{ tag: 'users' }] } });
    expect(response.status).to.equal(201);
    expect(errors.map((e) => e.error.message)[0]).to.equal('scan failed');
    expect(errors[1]?.error).to.be.instanceOf(IncompleteDeletionError);
    expect(errors[1]?.error.message).to.contain('listing the store failed part way (scan failed)');
    expect(errors).to.have.length(2);
  });

  for (const [description, cache, pattern] of [
    ['tags that are not an array of strings', { tags: 'users' }, /cache\.tags/],
    ['an invalidate target that is a number', { invalidate: [42] }, /cache\.invalidate\[0\]/],
    ['an invalidate query with an unknown field', { invalidate: [{ tagged: 'x' }] }, /cache\.invalidate\[0\]\.tagged/],
    ['invalidate that is not an array', { invalidate: '/users' }, /cache\.invalidate/],
  ] as const) {
    it(`rejects a request with ${description}, naming the option`, async () => {
      const { api } = await managedInstance({ kind: 'MemoryStore', newStore: (now) => Promise.resolve(new MemoryStore({ now })), corrupt: () => Promise.resolve() });
      const error = await api.get('/x', { cache: cache as never }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(pattern);
    });
  }
});

import { expect } from 'chai';
import { MemoryStore, ReadOnlyError } from '../../lib/index.js';
import { cachedInstance, FakeClock, nock, ORIGIN, resetNock } from '../axios/helpers.js';

/** A store whose writes and deletions are counted, to show a read-only cache never makes one. */
function countingStore(clock: FakeClock): { store: MemoryStore; writes: string[] } {
  const store = new MemoryStore({ now: clock.now });
  const writes: string[] = [];
  const set = store.set.bind(store);
  const del = store.delete.bind(store);
  store.set = (key, record, expiresAt) => {
    writes.push(`set ${key}`);
    return set(key, record, expiresAt);
  };
  store.delete = (key) => {
    writes.push(`delete ${key}`);
    return del(key);
  };
  return { store, writes };
}

describe('readOnly and onlyIfCached instance options', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('rejects non-boolean readOnly and onlyIfCached with a TypeError naming the option', () => {
    expect(() => cachedInstance({ readOnly: 'yes' as unknown as boolean })).to.throw(TypeError, /option "readOnly" must be a boolean/);
    expect(() => cachedInstance({ onlyIfCached: 1 as unknown as boolean })).to.throw(TypeError, /option "onlyIfCached" must be a boolean/);
  });

  it('a read-only cache answers hits from a pre-built store and stores nothing new', async () => {
    const clock = new FakeClock();
    const { store, writes } = countingStore(clock);
    const writer = cachedInstance({ store, now: clock.now });
    nock(ORIGIN).get('/a').reply(200, 'A', { 'cache-control': 'max-age=60' });
    await writer.api.get('/a');
    writes.length = 0;

    const reader = cachedInstance({ store, now: clock.now, readOnly: true });
    const hit = await reader.api.get('/a');
    expect(hit.cacheInfo?.status).to.equal('hit');
    expect(hit.data).to.equal('A');
    nock(ORIGIN).get('/b').twice().reply(200, 'B', { 'cache-control': 'max-age=60' });
    expect((await reader.api.get('/b')).cacheInfo?.status).to.equal('miss');
    expect((await reader.api.get('/b')).cacheInfo?.status).to.equal('miss');
    expect(writes).to.deep.equal([]);
  });

  it('a read-only cache revalidates: a 304 answers from the entry, a changed 200 is returned but not stored', async () => {
    const clock = new FakeClock();
    const { store, writes } = countingStore(clock);
    const writer = cachedInstance({ store, now: clock.now });
    nock(ORIGIN).get('/r').reply(200, 'old', { 'cache-control': 'max-age=1', etag: '"1"' });
    await writer.api.get('/r');
    writes.length = 0;
    const reader = cachedInstance({ store, now: clock.now, readOnly: true });
    clock.advance(5_000);
    nock(ORIGIN).get('/r').matchHeader('if-none-match', '"1"').reply(304, '', { 'cache-control': 'max-age=1', etag: '"1"' });
    const revalidated = await reader.api.get('/r');
    expect(revalidated.cacheInfo?.status).to.equal('revalidated');
    expect(revalidated.data).to.equal('old');
    nock(ORIGIN).get('/r').reply(200, 'new', { 'cache-control': 'max-age=60', etag: '"2"' });
    const changed = await reader.api.get('/r');
    expect(changed.data).to.equal('new');
    expect(changed.cacheInfo?.status).to.equal('miss');
    expect((await store.get('GET http://api.test/r'))?.body).to.deep.equal({ type: 'text', text: 'old' });
    expect(writes).to.deep.equal([]);
  });

  it("a read-only cache with dedupe: 'store' takes no lease in the store, and still shares one call in this process", async () => {
    const clock = new FakeClock();
    const { store, writes } = countingStore(clock);
    const leases: string[] = [];
    const lease = store.lease.bind(store);
    store.lease = (name, token, ttlMs) => {
      leases.push(name);
      return lease(name, token, ttlMs);
    };
    const { api } = cachedInstance({ store, now: clock.now, readOnly: true, dedupe: 'store' });
    nock(ORIGIN).get('/leased').delay(20).reply(200, 'x', { 'cache-control': 'max-age=60' });
    const answers = await Promise.all([api.get('/leased'), api.get('/leased')]);
    expect(answers.map((res) => res.data as unknown)).to.deep.equal(['x', 'x']);
    expect(leases).to.deep.equal([]);
    expect(writes).to.deep.equal([]);
  });

  it('a read-only cache does not invalidate after an unsafe request', async () => {
    const clock = new FakeClock();
    const { store, writes } = countingStore(clock);
    const writer = cachedInstance({ store, now: clock.now });
    nock(ORIGIN).get('/u').reply(200, 'U', { 'cache-control': 'max-age=60' });
    await writer.api.get('/u', { cache: { tags: ['t'] } });
    writes.length = 0;
    const reader = cachedInstance({ store, now: clock.now, readOnly: true });
    nock(ORIGIN).post('/u').reply(204);
    await reader.api.post('/u', 'x', { cache: { invalidate: [{ tag: 't' }, '/u'] } });
    expect(writes).to.deep.equal([]);
    expect((await reader.api.get('/u')).cacheInfo?.status).to.equal('hit');
  });

  it('a read-only cache leaves a record found under a key it does not belong to where it is (a miss plus an error event)', async () => {
    const clock = new FakeClock();
    const { store, writes } = countingStore(clock);
    const writer = cachedInstance({ store, now: clock.now });
    nock(ORIGIN).get('/own').reply(200, 'own', { 'cache-control': 'max-age=60' });
    await writer.api.get('/own');
    const record = await store.get('GET http://api.test/own');
    await store.set('GET http://api.test/elsewhere', record!, record!.expiresAt);
    writes.length = 0;
    const reader = cachedInstance({ store, now: clock.now, readOnly: true });
    const errors: string[] = [];
    reader.cache.on('error', (event) => errors.push(event.error.message));
    nock(ORIGIN).get('/elsewhere').reply(200, 'fresh');
    expect((await reader.api.get('/elsewhere')).data).to.equal('fresh');
    expect(errors.join()).to.match(/holds the record of/);
    expect(writes).to.deep.equal([]);
  });

  it('the management API of a read-only cache refuses delete and clear with a ReadOnlyError', async () => {
    const reader = cachedInstance({ readOnly: true });
    const deleting = await reader.cache.delete({ tag: 'x' }).catch((e: unknown) => e);
    expect(deleting).to.be.instanceOf(ReadOnlyError).and.have.property('code', 'ECACHE_READ_ONLY');
    expect((deleting as Error).message).to.match(/cache\.delete\(\) refused: .*readOnly: true/);
    const clearing = await reader.cache.clear().catch((e: unknown) => e);
    expect(clearing).to.be.instanceOf(ReadOnlyError);
  });

  it('with onlyIfCached a stored entry replays without the network and a miss is a 504', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ now: clock.now });
    const recorder = cachedInstance({ store, now: clock.now });
    nock(ORIGIN).get('/rec').reply(200, { ok: true }, { 'cache-control': 'max-age=600' });
    await recorder.api.get('/rec');
    nock.cleanAll();

    const replay = cachedInstance({ store, now: clock.now, readOnly: true, onlyIfCached: true });
    const hit = await replay.api.get('/rec');
    expect(hit.data).to.deep.equal({ ok: true });
    const miss = await replay.api.get('/never-recorded').catch((e: unknown) => e);
    expect(miss).to.have.nested.property('response.status', 504);
  });

  it('with onlyIfCached a stale-while-revalidate entry is served stale and refreshed by no one', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ now: clock.now });
    const recorder = cachedInstance({ store, now: clock.now });
    nock(ORIGIN).get('/swr').reply(200, 'v1', { 'cache-control': 'max-age=1, stale-while-revalidate=600' });
    await recorder.api.get('/swr');
    const replay = cachedInstance({ store, now: clock.now, onlyIfCached: true });
    clock.advance(5_000);
    const stale = await replay.api.get('/swr');
    expect(stale.cacheInfo?.status).to.equal('stale');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(nock.pendingMocks()).to.deep.equal([]);
    expect(replay.cache.stats().misses).to.equal(0);
  });

  it('with onlyIfCached a request the cache never answers (POST, DELETE, cache: false) is a 504, never the network', async () => {
    const replay = cachedInstance({ readOnly: true, onlyIfCached: true });
    const sent: string[] = [];
    nock(ORIGIN).persist().post('/p').reply(200, () => (sent.push('POST'), 'x'));
    nock(ORIGIN).persist().delete('/d').reply(200, () => (sent.push('DELETE'), 'x'));
    nock(ORIGIN).persist().get('/g').reply(200, () => (sent.push('GET'), 'x'));
    const statuses = await Promise.all([
      replay.api.post('/p', 'body'),
      replay.api.delete('/d'),
      replay.api.get('/g', { cache: false }),
    ].map((request) => request.then((res) => res.status, (e: unknown) => (e as { response?: { status: number } }).response?.status)));
    expect(statuses).to.deep.equal([504, 504, 504]);
    expect(sent).to.deep.equal([]);
  });

  it("a request's own onlyIfCached: false wins over the instance option", async () => {
    const replay = cachedInstance({ onlyIfCached: true });
    nock(ORIGIN).get('/live').reply(200, 'live');
    const res = await replay.api.get('/live', { cache: { onlyIfCached: false } });
    expect(res.data).to.equal('live');
  });
});

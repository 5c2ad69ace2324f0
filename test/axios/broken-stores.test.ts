/**
 * Custom stores that break the contract in the ways real ones do, through attachCache: synchronous answers,
 * synchronous throws, an outage during an unsafe request, many requests failing at once, and a record found
 * under a key it does not belong to. None of them may fail a request or serve a wrong response.
 */
import axios, { type AxiosAdapter } from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore, StoreClosedError, StoreTimeoutError, type CacheRecord, type CacheStore } from '../../lib/index.js';
import { isUnreachable, StoreError } from '../../lib/errors.js';
import { FakeClock } from './helpers.js';
import { storeOver } from '../support/store-over.js';

/** An origin answering `answer N` (N counts calls), cacheable for 60 s; a POST answers 200 too. */
function countingOrigin(): { adapter: AxiosAdapter; readonly calls: number } {
  let calls = 0;
  const adapter: AxiosAdapter = (config) => {
    calls += 1;
    return Promise.resolve({ data: `"answer ${calls}"`, status: 200, statusText: 'OK', headers: { 'content-type': 'application/json', 'cache-control': 'max-age=60' }, config, request: {} });
  };
  return { adapter, get calls() { return calls; } };
}

/** A store answering with plain values, never promises (as a quick hand-written store would). */
class SynchronousStore implements CacheStore {
  readonly records = new Map<string, CacheRecord>();
  get(key: string): CacheRecord | undefined { return this.records.get(key); }
  set(key: string, record: CacheRecord): void { this.records.set(key, record); }
  delete(key: string): void { this.records.delete(key); }
  clear(): void { this.records.clear(); }
}

/** A store whose every method throws before returning anything. */
class ThrowingSynchronouslyStore implements CacheStore {
  get(): CacheRecord | undefined { throw new Error('get is broken'); }
  set(): void { throw new Error('set is broken'); }
  delete(): void { throw new Error('delete is broken'); }
}

/** A socket-level failure, as a client reports a server that went away. */
function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
}

/** A memory store that can be switched off: while `down`, every operation rejects as a refused connection. */
class SwitchableStore implements CacheStore {
  down = false;
  operations = 0;
  constructor(readonly inner: MemoryStore) {}
  private guard<T>(run: () => Promise<T>): Promise<T> {
    this.operations += 1;
    return this.down ? Promise.reject(refused()) : run();
  }
  get(key: string): Promise<CacheRecord | undefined> { return this.guard(() => this.inner.get(key)); }
  set(key: string, record: CacheRecord, expiresAt: number): Promise<void> { return this.guard(() => this.inner.set(key, record, expiresAt)); }
  delete(key: string): Promise<void> { return this.guard(() => this.inner.delete(key)); }
}

function setUp(store: CacheStore, clock = new FakeClock()) {
  const origin = countingOrigin();
  const api = axios.create({ adapter: origin.adapter, baseURL: 'http://x.test' });
  const cache = attachCache(api, { store, now: clock.now });
  const errors: { code: string; operation: string }[] = [];
  cache.on('error', (event) => errors.push({ code: (event.error as Error & { code?: string }).code ?? '', operation: event.operation }));
  const deleted: string[] = [];
  cache.on('deleted', (event) => deleted.push(`${event.key ?? ''}: ${event.reason}`));
  return { api, cache, origin, errors, deleted, clock };
}

describe('attachCache with broken custom stores', () => {
  it('caches through a store whose methods answer with plain values instead of promises', async () => {
    const store = new SynchronousStore();
    const { api, errors } = setUp(store);
    const first = await api.get('/sync');
    const second = await api.get('/sync');
    expect([first.data, first.fromCache, second.data, second.fromCache]).to.deep.equal(['answer 1', false, 'answer 1', true]);
    await api.post('/sync', 'x');
    expect(store.records.has('GET http://x.test/sync')).to.equal(false);
    expect((await api.get('/sync')).data).to.equal('answer 3');
    expect(errors).to.deep.equal([]);
  });

  it('answers from the origin with error events when every store method throws synchronously', async () => {
    const { api, errors, cache } = setUp(new ThrowingSynchronouslyStore());
    const first = await api.get('/throws');
    const second = await api.get('/throws');
    await api.post('/throws', 'x');
    expect([first.data, second.data, second.fromCache]).to.deep.equal(['answer 1', 'answer 2', false]);
    expect(errors.map((error) => error.operation)).to.include.members(['get', 'set', 'delete']);
    expect(cache.stats().errors).to.be.greaterThan(0);
  });

  it('does not serve the pre-POST document after a POST made while the store was down', async () => {
    const store = new SwitchableStore(new MemoryStore());
    const { api, errors, clock } = setUp(store);
    await api.get('/doc');
    expect((await api.get('/doc')).fromCache).to.equal(true);

    store.down = true;
    await api.post('/doc', 'changed');
    expect(errors.map((error) => error.code)).to.include('ECACHE_DEFERRED');

    store.down = false;
    clock.advance(1500); // past the cool-down
    const after = await api.get('/doc');
    expect([after.data, after.fromCache]).to.deep.equal(['answer 3', false]);
    expect((await api.get('/doc')).data).to.equal('answer 3');
  });

  it('applies a deferred deletion once the store answers again, with a deleted event', async () => {
    const memory = new MemoryStore();
    const store = new SwitchableStore(memory);
    const { api, deleted, clock } = setUp(store);
    await api.get('/page');
    store.down = true;
    await api.post('/page', 'changed');
    store.down = false;
    clock.advance(1500);
    await api.get('/other'); // the first operation after the cool-down finds the store back
    for (let i = 0; i < 10 && memory.getSync('GET http://x.test/page') !== undefined; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(memory.getSync('GET http://x.test/page')).to.equal(undefined);
    expect(deleted.some((line) => line.startsWith('GET http://x.test/page: deferred invalidation'))).to.equal(true);
  });

  it('retries a refused deletion on its own, with no read of the key in this process, so other processes stop seeing the entry', async () => {
    const memory = new MemoryStore();
    let refusals = 2;
    const store = storeOver(memory, {
      delete: (key) => {
        if (refusals === 0) return memory.delete(key);
        refusals -= 1;
        return Promise.reject(new Error('NOREPLICAS Not enough good replicas to write.'));
      },
    });
    const { api, errors, deleted } = setUp(store);
    await api.get('/shared');
    await api.post('/shared', 'changed');
    expect(memory.getSync('GET http://x.test/shared')).to.not.equal(undefined); // refused: still there for everyone else
    // No request of this process touches the key again: the timed retries (1 s, then 2 s) must apply the deletion.
    for (let waited = 0; waited < 8000 && memory.getSync('GET http://x.test/shared') !== undefined; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(memory.getSync('GET http://x.test/shared')).to.equal(undefined);
    expect(errors.map((error) => error.code)).to.include('ECACHE_DEFERRED');
    expect(deleted.some((line) => line.startsWith('GET http://x.test/shared: deferred invalidation'))).to.equal(true);
  }).timeout(15_000);

  it('drops the deferred deletions once the store is closed, which never takes them: no more retries, and the key is read from the store again', async () => {
    const memory = new MemoryStore();
    let closed = false;
    let deletes = 0;
    let reads = 0;
    const store: CacheStore = {
      get: (key) => {
        reads += 1;
        return closed ? Promise.reject(new StoreClosedError('ClosingStore', 'get')) : memory.get(key);
      },
      set: (key, record, expiresAt) => (closed ? Promise.reject(new StoreClosedError('ClosingStore', 'set')) : memory.set(key, record, expiresAt)),
      delete: () => {
        deletes += 1;
        return Promise.reject(closed ? new StoreClosedError('ClosingStore', 'delete') : new Error('NOREPLICAS Not enough good replicas to write.'));
      },
    };
    const { api, errors } = setUp(store);
    await api.get('/closing');
    await api.post('/closing', 'changed'); // refused: a deferred deletion, retried on a timer
    expect(errors.map((error) => error.code)).to.include('ECACHE_DEFERRED');
    closed = true;
    await api.get('/closing'); // a read of the key tries the deletion again: the closed store refuses it for good
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((error) => error.code)).to.include('ECACHE_CLOSED');
    const [deletesAfterClose, readsAfterClose] = [deletes, reads];
    await api.get('/closing');
    expect(reads, 'no longer a deferred read: the store is asked (and answers that it is closed)').to.equal(readsAfterClose + 1);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the first timed retry (1 s)
    expect(deletes, 'no timed retry against a closed store').to.equal(deletesAfterClose);
  });

  it('reports one error event when 32 requests in flight meet a store that went away', async () => {
    const store = new SwitchableStore(new MemoryStore());
    store.down = true;
    const { api, errors, cache, clock } = setUp(store);
    const answers = await Promise.all(Array.from({ length: 32 }, (_, i) => api.get(`/many/${i}`)));
    expect(answers.every((res) => res.fromCache === false)).to.equal(true);
    clock.advance(1500); // one probe after the cool-down fails the same way
    await Promise.all(Array.from({ length: 32 }, (_, i) => api.get(`/again/${i}`)));
    expect(errors).to.deep.equal([{ code: 'ECACHE_STORE', operation: 'get' }]);
    expect(cache.stats().errors).to.equal(33);
  });

  it('keeps using a store that refuses writes: stored entries still hit', async () => {
    const memory = new MemoryStore();
    let refuseWrites = false;
    const store = storeOver(memory, {
      set: (key, record, expiresAt) => (refuseWrites ? Promise.reject(new Error("READONLY You can't write against a read only replica.")) : memory.set(key, record, expiresAt)),
    });
    const { api, errors } = setUp(store);
    await api.get('/kept');
    refuseWrites = true;
    expect((await api.get('/new')).fromCache).to.equal(false);
    expect((await api.get('/kept')).fromCache).to.equal(true);
    expect((await api.get('/new')).fromCache).to.equal(false);
    expect((await api.get('/kept')).fromCache).to.equal(true);
    expect(errors).to.deep.equal([{ code: 'ECACHE_STORE', operation: 'set' }]);
  });

  it('does not serve a record copied under another URL\'s key', async () => {
    const memory = new MemoryStore();
    const { api, errors } = setUp(memory);
    await api.get('/mine');
    const record = memory.getSync('GET http://x.test/mine');
    await memory.set('GET http://x.test/yours', record!, record!.expiresAt);
    const res = await api.get('/yours');
    expect([res.data, res.fromCache]).to.deep.equal(['answer 2', false]);
    expect(errors).to.deep.equal([{ code: 'ECACHE_CORRUPT', operation: 'get' }]);
    expect((await api.get('/yours')).data).to.equal('answer 2'); // its own record replaced the copy
  });

  it('still serves Vary variants, stored under keys derived from their primary key', async () => {
    let calls = 0;
    const adapter: AxiosAdapter = (config) => {
      calls += 1;
      return Promise.resolve({ data: `"${String(config.headers['Accept-Language'])} ${calls}"`, status: 200, statusText: 'OK', headers: { vary: 'accept-language', 'cache-control': 'max-age=60' }, config, request: {} });
    };
    const api = axios.create({ adapter, baseURL: 'http://x.test' });
    const cache = attachCache(api, { store: new SynchronousStore() });
    const errors: string[] = [];
    cache.on('error', (event) => errors.push(event.error.message));
    for (const language of ['fr', 'de', 'fr', 'de']) await api.get('/v', { headers: { 'Accept-Language': language } });
    const fr = await api.get('/v', { headers: { 'Accept-Language': 'fr' } });
    expect([fr.data, fr.fromCache, calls, errors]).to.deep.equal(['fr 1', true, 2, []]);
  });
});

describe('isUnreachable: which store failures mean the store is away', () => {
  const cases: [string, unknown, boolean][] = [
    ['a store timeout', new StoreTimeoutError('get', 100), true],
    ['a refused connection', refused(), true],
    ['a reset connection, wrapped as the cache reports it', new StoreError('get', 'read ECONNRESET', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }), true],
    ['ioredis after the connection closed', new Error('Connection is closed.'), true],
    ['a MongoDB network error', Object.assign(new Error('connection 1 to 127.0.0.1:27017 closed'), { name: 'MongoNetworkError' }), true],
    ['a MongoDB server selection timeout', Object.assign(new Error('Server selection timed out after 1000 ms'), { name: 'MongoServerSelectionError' }), true],
    ['a read-only replica', new Error("READONLY You can't write against a read only replica."), false],
    ['a full Redis under noeviction', new Error("OOM command not allowed when used memory > 'maxmemory'."), false],
    ['an ACL refusal', new Error('NOPERM User reader has no permissions to run the \'set\' command'), false],
    ['a missing password', new Error('NOAUTH Authentication required.'), false],
    ['a plain value thrown', 'broken', false],
  ];
  for (const [what, error, expected] of cases) {
    it(`says ${String(expected)} for ${what}`, () => {
      expect(isUnreachable(error)).to.equal(expected);
    });
  }
});

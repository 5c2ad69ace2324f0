import axios from 'axios';
import { expect } from 'chai';
import { attachCache, DeferredDeleteError, IncompleteDeletionError, MemoryStore } from '../../lib/index.js';
import type { CacheEventMap, CacheRecord, CacheStore, StoreFilter } from '../../lib/index.js';
import { nock, ORIGIN, resetNock, serve } from './helpers.js';

const keyOf = (path: string): string => `GET ${ORIGIN}${path}`;

/** A store over a MemoryStore whose deletions of the keys in `refused` fail, and whose listings may fail part way. */
class RefusingStore implements CacheStore {
  readonly inner = new MemoryStore();
  readonly refused = new Set<string>();
  /** Deletions of these keys never settle (a store hung mid-call). */
  readonly hung = new Set<string>();
  /** When set, a listing fails after yielding this many records. */
  failListingAfter: number | undefined;

  get(key: string): Promise<CacheRecord | undefined> {
    return Promise.resolve(this.inner.get(key));
  }

  set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    return Promise.resolve(this.inner.set(key, record, expiresAt));
  }

  delete(key: string): Promise<void> {
    if (this.hung.has(key)) return new Promise(() => undefined);
    if (this.refused.has(key)) return Promise.reject(new Error(`NOREPLICAS (simulated) for ${key}`));
    return Promise.resolve(this.inner.delete(key));
  }

  async *find(filter: StoreFilter): AsyncIterable<CacheRecord> {
    let yielded = 0;
    for await (const record of this.inner.entries()) {
      if (filter.tag !== undefined && record.tags?.includes(filter.tag) !== true) continue;
      if (this.failListingAfter !== undefined && yielded >= this.failListingAfter) throw new Error('ECONNRESET (simulated) while listing');
      yielded += 1;
      yield record;
    }
  }
}

/** The same store with `deleteMany`, which fails as a whole when any of its keys is refused. */
class RefusingBatchStore extends RefusingStore {
  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.some((key) => this.hung.has(key))) await new Promise(() => undefined);
    if (keys.some((key) => this.refused.has(key))) throw new Error('NOREPLICAS (simulated) for a batch');
    for (const key of keys) await this.inner.delete(key);
  }
}

async function filled(store: RefusingStore, paths: readonly string[], storeTimeoutMs?: number): Promise<{ api: ReturnType<typeof axios.create>; cache: ReturnType<typeof attachCache>; errors: Array<CacheEventMap['error']>; deleted: Array<CacheEventMap['deleted']> }> {
  const api = axios.create({ baseURL: ORIGIN });
  const cache = attachCache(api, storeTimeoutMs === undefined ? { store } : { store, storeTimeoutMs });
  for (const path of paths) {
    serve(path);
    await api.get(path, { cache: { tags: ['users'] } });
  }
  const errors: Array<CacheEventMap['error']> = [];
  const deleted: Array<CacheEventMap['deleted']> = [];
  cache.on('error', (event) => errors.push(event));
  cache.on('deleted', (event) => deleted.push(event));
  return { api, cache, errors, deleted };
}

const deferredKeys = (errors: ReadonlyArray<CacheEventMap['error']>): string[] =>
  errors.flatMap((event) => event.error instanceof DeferredDeleteError ? [event.error.key] : []).sort();

describe('a deletion by query that cannot delete everything it matches', function () {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  for (const [name, make] of [['one delete per key', () => new RefusingStore()], ['deleteMany', () => new RefusingBatchStore()]] as const) {
    describe(`on a store with ${name}`, function () {
      it('cache.delete() goes on past a failed deletion, then rejects with an IncompleteDeletionError naming what is left, kept as deferred deletions', async function () {
        const store = make();
        const { cache, errors, deleted } = await filled(store, ['/users/1', '/users/2', '/users/3']);
        store.refused.add(keyOf('/users/2'));
        const failure = await cache.delete({ tag: 'users' }).then(() => undefined, (error: unknown) => error);
        expect(failure).to.be.instanceOf(IncompleteDeletionError);
        const incomplete = failure as IncompleteDeletionError;
        expect(incomplete.code).to.equal('ECACHE_INCOMPLETE');
        expect(incomplete.listed).to.equal(true);
        expect(incomplete.pendingKeys).to.include(keyOf('/users/2'));
        expect(incomplete.message).to.contain('cache.delete() is incomplete').and.contain(JSON.stringify(keyOf('/users/2')));
        const pending = new Set(incomplete.pendingKeys);
        expect(incomplete.deleted).to.equal(3 - [1, 2, 3].filter((n) => pending.has(keyOf(`/users/${n}`))).length);
        expect(deleted.map((event) => event.key).sort()).to.deep.equal([1, 2, 3].map((n) => keyOf(`/users/${n}`)).filter((key) => !pending.has(key)).sort());
        expect(deferredKeys(errors)).to.deep.equal([...pending].sort());
        expect(await store.inner.get(keyOf('/users/2')), 'still in the store').to.not.equal(undefined);
      });

      it('cache.delete() does not hang on a deletion the store never answers: past storeTimeoutMs its keys are pending, and it rejects', async function () {
        const store = make();
        const { cache, errors } = await filled(store, ['/users/1', '/users/2'], 50);
        store.hung.add(keyOf('/users/2'));
        const failure = await cache.delete({ tag: 'users' }).then(() => undefined, (error: unknown) => error);
        expect(failure).to.be.instanceOf(IncompleteDeletionError);
        const incomplete = failure as IncompleteDeletionError;
        expect(incomplete.pendingKeys).to.include(keyOf('/users/2'));
        expect(deferredKeys(errors)).to.deep.equal([...incomplete.pendingKeys].sort());
        expect(errors.find((event) => event.error instanceof DeferredDeleteError)?.error.message).to.contain('timed out after 50 ms');
      });
    });
  }

  it('keeps the failed key reading as a miss, and deletes it once the store takes the deletion', async function () {
    const store = new RefusingStore();
    const { api, cache, deleted } = await filled(store, ['/users/1', '/users/2']);
    store.refused.add(keyOf('/users/2'));
    await cache.delete({ tag: 'users' }).catch(() => undefined);
    store.refused.clear();
    serve('/users/2');
    const response = await api.get('/users/2');
    expect(response.fromCache, 'the entry the deletion missed is not served').to.equal(false);
    expect(deleted.map((event) => event.reason)).to.include('deferred invalidation applied once the store answered again');
  });

  it('a request\'s cache.invalidate goes on past a failed deletion, reports what is left, and never serves it', async function () {
    const store = new RefusingStore();
    const { api, errors } = await filled(store, ['/users/1', '/users/2', '/users/3']);
    store.refused.add(keyOf('/users/2'));
    nock(ORIGIN).post('/users').reply(201, {});
    await api.post('/users', {}, { cache: { invalidate: [{ tag: 'users' }] } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.inner.get(keyOf('/users/1'))).to.equal(undefined);
    expect(await store.inner.get(keyOf('/users/3'))).to.equal(undefined);
    expect(deferredKeys(errors)).to.deep.equal([keyOf('/users/2')]);
    const summary = errors.find((event) => event.error instanceof IncompleteDeletionError);
    expect(summary?.operation).to.equal('invalidate');
    expect(summary?.error.message).to.contain('the invalidation requested by POST').and.contain(JSON.stringify(keyOf('/users/2')));
    serve('/users/2');
    expect((await api.get('/users/2')).fromCache).to.equal(false);
  });

  it('a listing that fails part way still deletes what it found, then rejects saying entries may remain', async function () {
    const store = new RefusingStore();
    const { cache, deleted } = await filled(store, ['/users/1', '/users/2', '/users/3']);
    store.failListingAfter = 1;
    const failure = await cache.delete({ tag: 'users' }).then(() => undefined, (error: unknown) => error);
    expect(failure).to.be.instanceOf(IncompleteDeletionError);
    const incomplete = failure as IncompleteDeletionError;
    expect(incomplete.listed).to.equal(false);
    expect(incomplete.deleted).to.equal(1);
    expect(deleted).to.have.length(1);
    expect((incomplete.cause as Error).message).to.contain('while listing');
    expect(incomplete.message).to.contain('entries not listed yet may still match');
  });
});

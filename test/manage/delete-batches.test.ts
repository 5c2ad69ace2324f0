import axios from 'axios';
import { expect } from 'chai';
import { attachCache, IncompleteDeletionError, MemoryStore, type DeferredDeleteError } from '../../lib/index.js';
import type { CacheEventMap } from '../../lib/index.js';
import { makeRecord } from '../stores/fixtures.js';

/** A MemoryStore that records the keys of every deleteMany call, and fails the call numbered `failOn` (1-based). */
class BatchingStore extends MemoryStore {
  readonly calls: string[][] = [];
  constructor(private readonly failOn?: number) {
    super({ maxEntries: 10_000 });
  }
  override deleteMany(keys: readonly string[]): Promise<void> {
    this.calls.push([...keys]);
    if (this.calls.length === this.failOn) return Promise.reject(new Error('store went away mid-deletion'));
    return super.deleteMany(keys);
  }
}

async function seed(store: MemoryStore, group: string, count: number): Promise<string[]> {
  const now = Date.now();
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const url = `https://api.batch.test/${group}/item-${i}`;
    const key = `GET ${url}`;
    await store.set(key, makeRecord(key, now, { url }), now + 60_000);
    keys.push(key);
  }
  return keys;
}

describe('cache.delete() on a store with deleteMany', function () {
  it('hands the store the keys of at most 500 entries per call, emits deleted once per entry, and leaves what does not match', async () => {
    const store = new BatchingStore();
    const doomed = await seed(store, 'old', 1201);
    const kept = await seed(store, 'new', 40);
    const cache = attachCache(axios.create(), { store });
    const deletedEvents: Array<CacheEventMap['deleted']> = [];
    cache.on('deleted', (event) => deletedEvents.push(event));

    expect(await cache.delete({ pattern: 'api.batch.test/old/*' })).to.equal(1201);

    expect(store.calls.map((keys) => keys.length)).to.deep.equal([500, 500, 201]);
    expect(store.calls.flat().sort()).to.deep.equal([...doomed].sort());
    expect(deletedEvents.map((event) => event.key).sort()).to.deep.equal([...doomed].sort());
    for (const key of doomed) expect(await store.get(key), key).to.equal(undefined);
    for (const key of kept) expect((await store.get(key))?.key, key).to.equal(key);
  });

  it('keeps a failed batch as deferred deletions, goes on with the next batches, and rejects with an IncompleteDeletionError naming the batch', async () => {
    const store = new BatchingStore(2);
    await seed(store, 'old', 1100);
    const cache = attachCache(axios.create(), { store });
    const deletedEvents: Array<CacheEventMap['deleted']> = [];
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('deleted', (event) => deletedEvents.push(event));
    cache.on('error', (event) => errors.push(event));

    let failure: unknown;
    await cache.delete({ pattern: 'api.batch.test/old/*' }).catch((error: unknown) => {
      failure = error;
    });

    expect(store.calls.map((keys) => keys.length)).to.deep.equal([500, 500, 100]);
    const [first = [], refused = [], last = []] = store.calls;
    expect(failure).to.be.instanceOf(IncompleteDeletionError);
    expect((failure as IncompleteDeletionError).deleted).to.equal(600);
    expect([...(failure as IncompleteDeletionError).pendingKeys].sort()).to.deep.equal([...refused].sort());
    expect(errors.map((event) => event.operation)).to.deep.equal(refused.map(() => 'delete'));
    expect(errors.map((event) => (event.error as DeferredDeleteError).key).sort()).to.deep.equal([...refused].sort());
    expect(deletedEvents.map((event) => event.key).sort()).to.deep.equal([...first, ...last].sort());
    for (const key of refused) expect((await store.get(key))?.key, key).to.equal(key);
  });
});

import { expect } from 'chai';
import fc from 'fast-check';
import { ImportError, MemoryStore, StoreTimeoutError } from '../../lib/index.js';
import type { CacheEventMap, CacheRecord, CacheStore, PortableEntry } from '../../lib/index.js';
import { cachedInstance, FakeClock } from '../axios/helpers.js';
import { collect } from '../manage/stores.js';
import { entry } from './entries.js';

const never = new Promise<never>(() => undefined);

/**
 * A remote-like store (not inMemory, so `storeTimeoutMs` applies) over a MemoryStore: a write of a key `hangsOn`
 * accepts never settles, and a listing stops answering after `listsBeforeHanging` records.
 */
class HangingStore implements CacheStore {
  readonly inner: MemoryStore;
  constructor(now: () => number, private readonly hangsOn: (key: string) => boolean = () => false, private readonly listsBeforeHanging = Infinity) {
    this.inner = new MemoryStore({ now });
  }
  get(key: string): Promise<CacheRecord | undefined> {
    return Promise.resolve(this.inner.get(key));
  }
  set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    return this.hangsOn(key) ? never : Promise.resolve(this.inner.set(key, record, expiresAt));
  }
  delete(key: string): Promise<void> {
    return Promise.resolve(this.inner.delete(key));
  }
  entries(): AsyncGenerator<CacheRecord> {
    return this.hangingAfter(this.inner.entries());
  }
  keys(): AsyncGenerator<string> {
    return this.hangingAfter(this.inner.keys());
  }
  private async *hangingAfter<T>(listing: AsyncIterable<T>): AsyncGenerator<T> {
    let listed = 0;
    for await (const item of listing) {
      if (listed === this.listsBeforeHanging) await never;
      listed += 1;
      yield item;
    }
  }
}

const keysOf = (now: number, paths: readonly number[]): string[] => paths.map((i) => entry(now, `/${i}`).key);

describe('cache.import() and cache.export() against a store that hangs or fails', () => {
  it('rejects an import whose write outlives storeTimeoutMs with an ImportError naming the position to resume from and the entries imported', async () => {
    const clock = new FakeClock();
    const store = new HangingStore(clock.now, (key) => key.endsWith('/12'));
    const { cache } = cachedInstance({ store, now: clock.now, storeTimeoutMs: 20 });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    const entries = Array.from({ length: 40 }, (_, i) => entry(clock.now(), `/${i}`));

    const error = await cache.import(entries).then(() => undefined, (e: unknown) => e);

    expect(error).to.be.instanceOf(ImportError);
    const failure = error as ImportError;
    expect(failure.code).to.equal('ECACHE_IMPORT');
    expect(failure.position).to.equal(13); // the entry for /12, counted from 1
    expect(failure.cause).to.be.instanceOf(StoreTimeoutError);
    expect(failure.message).to.match(/stopped at entry 13: the store did not take it \(.*timed out after 20 ms\); \d+ entries were imported, every entry before 13 among them: resume from entry 13/);
    const stored = await collect(store.inner.keys());
    expect(stored).to.include.members(keysOf(clock.now(), [...Array(12).keys()]));
    expect(failure.imported).to.equal(stored.length);
    expect(errors.map((e) => [e.operation, (e.error as { code?: string }).code])).to.deep.include(['set', 'ECACHE_TIMEOUT']);
  });

  it('an import resumed from the position an ImportError names leaves every entry in the store', async () => {
    const clock = new FakeClock();
    let hanging = true;
    const store = new HangingStore(clock.now, (key) => hanging && key.endsWith('/5'));
    const { cache } = cachedInstance({ store, now: clock.now, storeTimeoutMs: 20 });
    cache.on('error', () => undefined);
    const entries = Array.from({ length: 30 }, (_, i) => entry(clock.now(), `/${i}`));
    const error = (await cache.import(entries).then(() => undefined, (e: unknown) => e)) as ImportError;
    hanging = false;
    await cache.import(entries.slice(error.position - 1));
    expect((await collect(store.inner.keys())).sort()).to.deep.equal(keysOf(clock.now(), [...Array(30).keys()]).sort());
  });

  it('for every entry a failing store refuses, rejects with that entry\'s position, every entry before it written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }).chain((length) => fc.tuple(fc.constant(length), fc.integer({ min: 0, max: length - 1 }))), async ([length, refused]) => {
        const clock = new FakeClock();
        const store = new MemoryStore({ now: clock.now });
        const set = store.set.bind(store);
        store.set = (key, record, expiresAt) => (key.endsWith(`/${refused}`) ? Promise.reject(new Error('disk full')) : set(key, record, expiresAt));
        const { cache } = cachedInstance({ store, now: clock.now });
        cache.on('error', () => undefined);
        const entries = Array.from({ length }, (_, i) => entry(clock.now(), `/${i}`));
        const error = (await cache.import(entries).then(() => undefined, (e: unknown) => e)) as ImportError;
        expect(error).to.be.instanceOf(ImportError);
        expect(error.position).to.equal(refused + 1);
        expect((error.cause as Error).message).to.equal('disk full');
        const stored = await collect(cache.keys());
        expect(stored).to.include.members(keysOf(clock.now(), [...Array(refused).keys()]));
        expect(error.imported).to.equal(stored.length);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects an import whose source fails with an ImportError at the entry the source could not give, counting what was imported', async () => {
    const clock = new FakeClock();
    const { cache } = cachedInstance({ now: clock.now });
    function* source(): Generator<PortableEntry> {
      for (let i = 0; i < 5; i += 1) yield entry(clock.now(), `/${i}`);
      throw new Error('connection reset while reading the file');
    }
    const error = (await cache.import(source()).then(() => undefined, (e: unknown) => e)) as ImportError;
    expect(error).to.be.instanceOf(ImportError);
    expect(error).to.include({ position: 6, imported: 5 });
    expect(error.message).to.match(/stopped at entry 6: reading the source failed \(connection reset while reading the file\); 5 entries were imported/);
  });

  it('rejects an export from a store that hangs mid-listing with a StoreTimeoutError, after the entries it did list', async () => {
    const clock = new FakeClock();
    const store = new HangingStore(clock.now, () => false, 3);
    const { cache } = cachedInstance({ store, now: clock.now, storeTimeoutMs: 20 });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    await cache.import(Array.from({ length: 10 }, (_, i) => entry(clock.now(), `/${i}`)));

    const exported: string[] = [];
    const error = await (async () => {
      for await (const exportedEntry of cache.export()) exported.push(exportedEntry.key);
    })().then(() => undefined, (e: unknown) => e);

    expect(error).to.be.instanceOf(StoreTimeoutError);
    expect(exported).to.have.length(3);
    expect(errors.map((e) => [e.operation, (e.error as { code?: string }).code])).to.deep.include(['entries', 'ECACHE_TIMEOUT']);
  });

  it('rejects cache.keys() from a store that hangs mid-listing with a StoreTimeoutError, after the keys it did list', async () => {
    const clock = new FakeClock();
    const store = new HangingStore(clock.now, () => false, 4);
    const { cache } = cachedInstance({ store, now: clock.now, storeTimeoutMs: 20 });
    cache.on('error', () => undefined);
    await cache.import(Array.from({ length: 10 }, (_, i) => entry(clock.now(), `/${i}`)));
    const listed: string[] = [];
    const error = await (async () => {
      for await (const key of cache.keys()) listed.push(key);
    })().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(StoreTimeoutError);
    expect(listed).to.have.length(4);
  });
});

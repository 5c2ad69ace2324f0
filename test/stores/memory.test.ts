import { expect } from 'chai';
import { MemoryStore, estimateRecordBytes } from '../../lib/stores/memory.js';
import { makeRecord } from './fixtures.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('MemoryStore', (clock) => Promise.resolve({
  store: new MemoryStore({ now: clock.now, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 16 * 1024 * 1024 }),
  teardown: () => Promise.resolve(),
}));

describe('MemoryStore options and bounds', () => {
  const NOW = 1_700_000_000_000;
  const now = (): number => NOW;

  for (const [option, value] of [['maxEntries', 0], ['maxEntries', 1.5], ['maxBytes', -1], ['maxBytes', Number.NaN], ['maxEntryBytes', '10']] as const) {
    it(`throws a TypeError naming ${option} when it is ${String(value)}`, () => {
      expect(() => new MemoryStore({ [option]: value })).to.throw(TypeError, option);
    });
  }

  it('throws a TypeError when maxEntryBytes exceeds maxBytes', () => {
    expect(() => new MemoryStore({ maxBytes: 1000, maxEntryBytes: 1001 })).to.throw(TypeError, /maxEntryBytes/);
  });

  it('throws a TypeError naming now when the clock is not a function', () => {
    expect(() => new MemoryStore({ now: 5 as never })).to.throw(TypeError, /option now/);
  });

  it('defaults to 1000 entries, 50 MiB and a tenth of that per entry', () => {
    const store = new MemoryStore();
    expect([store.maxEntries, store.maxBytes, store.maxEntryBytes]).to.deep.equal([1000, 52_428_800, 5_242_880]);
  });

  it('drops the least recently used record beyond maxEntries', async () => {
    const store = new MemoryStore({ maxEntries: 2, now });
    await store.set('a', makeRecord('a', NOW), NOW + 1000);
    await store.set('b', makeRecord('b', NOW), NOW + 1000);
    await store.get('a');
    await store.set('c', makeRecord('c', NOW), NOW + 1000);
    expect([(await store.get('a'))?.key, await store.get('b'), (await store.get('c'))?.key]).to.deep.equal(['a', undefined, 'c']);
  });

  it('holds exactly maxEntries records when full, replacing a held key in place without evicting another', async () => {
    const store = new MemoryStore({ maxEntries: 3, now });
    for (const key of ['a', 'b', 'c', 'b', 'd']) await store.set(key, makeRecord(key, NOW), NOW + 1000);
    expect(await store.count()).to.equal(3);
    expect(await Promise.all(['a', 'b', 'c', 'd'].map(async (key) => (await store.get(key))?.key))).to.deep.equal([undefined, 'b', 'c', 'd']);
  });

  it('costs almost nothing while empty, however large maxEntries is (no slots allocated ahead)', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const used = (): number => { const usage = process.memoryUsage(); return usage.heapUsed + usage.arrayBuffers; };
    const before = used();
    // lru-cache's `max` would allocate about 23 MB per store here: 230 MB for the ten.
    const stores = Array.from({ length: 10 }, () => new MemoryStore({ maxEntries: 1e6 }));
    gc?.();
    const grownBytes = used() - before;
    expect(stores).to.have.length(10); // keeps the stores alive until measured
    expect(grownBytes).to.be.lessThan(20 * 1024 * 1024);
  });

  it('does not keep a record larger than maxEntryBytes, and drops the older one under that key', async () => {
    const store = new MemoryStore({ maxBytes: 100_000, maxEntryBytes: 10_000, now });
    await store.set('k', makeRecord('k', NOW), NOW + 1000);
    const big = makeRecord('k', NOW, { body: { type: 'binary', bytes: new Uint8Array(20_000) } });
    await store.set('k', big, NOW + 1000);
    expect(await store.get('k')).to.equal(undefined);
  });

  it('evicts old records to keep the estimated total under maxBytes', async () => {
    const store = new MemoryStore({ maxBytes: 50_000, maxEntryBytes: 20_000, now });
    for (let i = 0; i < 10; i++) {
      await store.set(`k${i}`, makeRecord(`k${i}`, NOW, { body: { type: 'binary', bytes: new Uint8Array(15_000) } }), NOW + 1000);
    }
    expect(await store.size()).to.be.at.most(50_000);
    expect(await store.count()).to.equal(3);
    expect((await store.get('k9'))?.key).to.equal('k9');
    expect(await store.get('k0')).to.equal(undefined);
  });

  it('estimates text bodies at two bytes per character and binary bodies at their length', () => {
    const text = makeRecord('k', NOW, { body: { type: 'text', text: 'x'.repeat(1000) } });
    const binary = makeRecord('k', NOW, { body: { type: 'binary', bytes: new Uint8Array(1000) } });
    expect(estimateRecordBytes(text) - estimateRecordBytes(binary)).to.equal(1000);
  });

  it('hands out the very record it was given, without copying', async () => {
    const store = new MemoryStore({ now });
    const record = makeRecord('same', NOW);
    await store.set('same', record, NOW + 1000);
    expect(await store.get('same')).to.equal(record);
  });

  it('frees expired records from count and size without a read', async () => {
    let clock = NOW;
    const store = new MemoryStore({ now: () => clock });
    await store.set('x', makeRecord('x', NOW), NOW + 1000);
    const held = await store.size();
    clock = NOW + 1000;
    expect(await store.count()).to.equal(0);
    expect(held).to.be.greaterThan(0);
    expect(await store.size()).to.equal(0);
  });
});

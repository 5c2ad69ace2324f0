import { expect } from 'chai';
import { CorruptEntryError, StoreError } from '../../lib/errors.js';
import type { StoreEvent } from '../../lib/stores/store.js';
import { WebStorageStore } from '../../lib/stores/web-storage.js';
import { allByteValues, comparable, makeRecord, UNICODE_TEXT } from '../stores/fixtures.js';
import { runStoreContract } from '../stores/store-contract.js';
import { FakeStorage } from './support/fake-storage.js';
import { webStorageHarness } from './support/harnesses.js';

const START_AT = 1_700_000_000_000;

function setup(quotaChars?: number): { storage: FakeStorage; store: WebStorageStore; clock: { nowAt: number }; events: StoreEvent[] } {
  const storage = new FakeStorage(quotaChars);
  const clock = { nowAt: START_AT };
  const store = new WebStorageStore({ storage, prefix: 'test:', now: () => clock.nowAt });
  const events: StoreEvent[] = [];
  store.onEvent((event) => events.push(event));
  return { storage, store, clock, events };
}

runStoreContract('WebStorageStore over a fake Storage', webStorageHarness(new FakeStorage(), 'contract:'), { largeBodyBytes: 1024 * 1024 });

describe('WebStorageStore (Node, over a fake Storage)', () => {
  it('round-trips a text record and a binary record with every byte value', async () => {
    const { store } = setup();
    const text = makeRecord('t', START_AT, { body: { type: 'text', text: UNICODE_TEXT } });
    const binary = makeRecord('b', START_AT, { body: { type: 'binary', bytes: allByteValues(70_000) } });
    await store.set('t', text, text.expiresAt);
    await store.set('b', binary, binary.expiresAt);
    expect(comparable(await store.get('t'))).to.deep.equal(comparable(text));
    const read = await store.get('b');
    expect(read?.body.type).to.equal('binary');
    expect(comparable(read)).to.deep.equal(comparable(binary));
  });

  it('keeps one JSON item per entry under the prefix, with a binary body as base64', async () => {
    const { store, storage } = setup();
    const record = makeRecord('b', START_AT, { body: { type: 'binary', bytes: new Uint8Array([0, 1, 254, 255]) } });
    await store.set('b', record, record.expiresAt);
    expect(storage.names()).to.deep.equal(['test:b']);
    const item = JSON.parse(storage.getItem('test:b') ?? 'null');
    expect(item.r.body).to.deep.equal({ type: 'binary', base64: 'AAH+/w==' });
    expect(item.e).to.equal(record.expiresAt);
  });

  it('answers a miss once expiresAt has passed and removes the item', async () => {
    const { store, storage, clock } = setup();
    const record = makeRecord('k', START_AT, { expiresAt: START_AT + 1_000 });
    await store.set('k', record, record.expiresAt);
    clock.nowAt = START_AT + 999;
    expect(await store.get('k')).to.not.equal(undefined);
    clock.nowAt = START_AT + 1_000;
    expect(await store.get('k')).to.equal(undefined);
    expect(storage.getItem('test:k')).to.equal(null);
  });

  it('lists, counts and clears only the items of its own prefix', async () => {
    const { store, storage, clock } = setup();
    storage.setItem('other:a', 'keep me');
    storage.setItem('unrelated', 'keep me too');
    await store.set('a', makeRecord('a', START_AT), START_AT + 60_000);
    await store.set('b', makeRecord('b', START_AT), START_AT + 60_000);
    await store.set('gone', makeRecord('gone', START_AT), START_AT + 10);
    clock.nowAt = START_AT + 20;
    const keys: string[] = [];
    for await (const key of store.keys()) keys.push(key);
    const urls: string[] = [];
    for await (const record of store.entries()) urls.push(record.key);
    expect(keys.sort()).to.deep.equal(['a', 'b']);
    expect(urls.sort()).to.deep.equal(['a', 'b']);
    expect(await store.count()).to.equal(2);
    await store.clear();
    expect(storage.names().sort()).to.deep.equal(['other:a', 'unrelated']);
  });

  it('deletes an item that is not JSON and rejects with CorruptEntryError', async () => {
    const { store, storage } = setup();
    storage.setItem('test:bad', '{"e": 1, "r": trunc');
    const failure = await store.get('bad').then(() => undefined, (error: unknown) => error);
    expect(failure).to.be.instanceOf(CorruptEntryError);
    expect((failure as CorruptEntryError).code).to.equal('ECACHE_CORRUPT');
    expect(storage.getItem('test:bad')).to.equal(null);
  });

  it('deletes a record of another format version and rejects with CorruptEntryError', async () => {
    const { store, storage } = setup();
    const record = { ...makeRecord('old', START_AT), v: 0 };
    storage.setItem('test:old', JSON.stringify({ e: START_AT + 60_000, c: START_AT, r: record }));
    const failure = await store.get('old').then(() => undefined, (error: unknown) => error);
    expect(failure).to.be.instanceOf(CorruptEntryError);
    expect(String((failure as Error).message)).to.contain('format version');
    expect(storage.getItem('test:old')).to.equal(null);
  });

  it('evicts the oldest entries of its namespace on a quota error, retries once and reports a warning', async () => {
    const { store, storage, clock, events } = setup();
    storage.setItem('other:filler', 'x'.repeat(1_000));
    for (const key of ['k1', 'k2', 'k3', 'k4']) {
      await store.set(key, makeRecord(key, clock.nowAt), clock.nowAt + 60_000);
      clock.nowAt += 1_000;
    }
    // Leave room for about one more entry of this size, then write two.
    storage.quotaChars = storage.usedChars() + (storage.getItem('test:k4')?.length ?? 0) + 10;
    await store.set('k5', makeRecord('k5', clock.nowAt), clock.nowAt + 60_000);
    expect(events).to.have.length(0);
    await store.set('k6', makeRecord('k6', clock.nowAt), clock.nowAt + 60_000);
    expect(storage.getItem('test:k1')).to.equal(null);
    expect(storage.getItem('test:k6')).to.not.equal(null);
    expect(storage.getItem('test:k4')).to.not.equal(null);
    expect(storage.getItem('other:filler')).to.have.length(1_000);
    expect(events.map((event) => (event.error as { code?: string }).code)).to.deep.equal(['ECACHE_QUOTA_EVICTED']);
  });

  it('evicts expired entries before older live ones when the quota is hit', async () => {
    const { store, storage, clock } = setup();
    await store.set('old-live', makeRecord('old-live', clock.nowAt), clock.nowAt + 600_000);
    clock.nowAt += 1_000;
    await store.set('young-expired', makeRecord('young-expired', clock.nowAt), clock.nowAt + 10);
    clock.nowAt += 1_000;
    storage.quotaChars = storage.usedChars() + 10;
    await store.set('new', makeRecord('new', clock.nowAt), clock.nowAt + 60_000);
    expect(storage.getItem('test:young-expired')).to.equal(null);
    expect(storage.getItem('test:old-live')).to.not.equal(null);
    expect(storage.getItem('test:new')).to.not.equal(null);
  });

  it('rejects with StoreError, without throwing, when an entry does not fit even after eviction', async () => {
    const { store, storage } = setup(2_000);
    storage.setItem('other:filler', 'x'.repeat(1_000));
    const huge = makeRecord('huge', START_AT, { body: { type: 'text', text: 'y'.repeat(5_000) } });
    let pending: Promise<void> | undefined;
    expect(() => {
      pending = store.set('huge', huge, huge.expiresAt);
    }).to.not.throw();
    const failure = await pending?.then(() => undefined, (error: unknown) => error);
    expect(failure).to.be.instanceOf(StoreError);
    expect((failure as StoreError).message).to.contain('quota');
    expect(storage.getItem('other:filler')).to.have.length(1_000);
  });

  it('turns a storage that throws into a rejected StoreError', async () => {
    const { store, storage } = setup();
    storage.failWith = new DOMException('The operation is insecure.', 'SecurityError');
    const failure = await store.get('k').then(() => undefined, (error: unknown) => error);
    expect(failure).to.be.instanceOf(StoreError);
    expect((failure as StoreError).cause).to.equal(storage.failWith);
  });

  it('fails fast with a TypeError naming the option when no storage exists', () => {
    expect(() => new WebStorageStore()).to.throw(TypeError, /option storage/);
    expect(() => new WebStorageStore({ storage: new FakeStorage(), prefix: '' })).to.throw(TypeError, /option prefix/);
  });
});

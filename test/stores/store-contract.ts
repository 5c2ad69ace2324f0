/**
 * The one test suite every {@link CacheStore} passes. It imports no `node:` module, so it can be
 * bundled and run in a browser against the browser stores.
 *
 * Usage: `runStoreContract('RedisStore', async (clock) => ({ store: new RedisStore({ ..., now: clock.now }), ... }))`.
 * The factory receives a controllable clock and must build the store with it; the clock starts at
 * the real time, so native expiry (lru ttl, Redis PX, Mongo TTL) lines up with the records' `expiresAt`.
 */
import { expect } from 'chai';
import { CorruptEntryError } from '../../lib/errors.js';
import type { CacheRecord } from '../../lib/record.js';
import type { CacheStore, StoreFilter } from '../../lib/stores/store.js';
import { allByteValues, comparable, makeRecord, UNICODE_TEXT } from './fixtures.js';

/** A settable clock handed to the store under test. */
export interface TestClock {
  readonly now: () => number;
  set(epochMs: number): void;
  advance(ms: number): void;
}

export interface StoreHarness {
  readonly store: CacheStore;
  /** True if the back end itself still holds `key`, bypassing the store's read-time check. */
  rawHas?(key: string): Promise<boolean>;
  /** Overwrites `key`'s stored data with bytes that do not decode. */
  corrupt?(key: string): Promise<void>;
  /** A second store on the same back end and the same namespace (as another process would open it). */
  makePeer?(): Promise<CacheStore>;
  /** A store on the same back end in another namespace (another prefix, collection, ...). */
  makeNeighbour?(): Promise<CacheStore>;
  /** Writes data in the same database but outside any store's namespace; `foreignSurvived` checks it. */
  writeForeign?(): Promise<void>;
  foreignSurvived?(): Promise<boolean>;
  /** Runs whatever native expiry needs after `expiresAt` (Redis: nothing; Mongo without TTL index: a sweep). */
  settleNativeExpiry?(): Promise<void>;
  /** Why native expiry cannot be observed within a test (e.g. MongoDB's TTL monitor runs once a minute). */
  readonly nativeExpiryUntestable?: string;
  /**
   * Why `keys()` and `count()` follow the back end's own expiry countdown rather than the store's
   * clock (Redis: keys are written with the time left, `PX`). Their tests then let that countdown
   * run out for real instead of moving the test clock.
   */
  readonly listingsFollowBackEndClock?: string;
  /** Releases everything the harness made (stores, clients, data). */
  teardown(): Promise<void>;
}

export interface ContractOptions {
  /** Bytes of the large-entry test body. @default 5 MiB */
  readonly largeBodyBytes?: number;
  /** Number of keys in the many-keys test. @default 500 */
  readonly manyKeys?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function makeClock(): TestClock {
  let current = Date.now();
  return {
    now: () => current,
    set: (epochMs) => { current = epochMs; },
    advance: (ms) => { current += ms; },
  };
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  if (actual.byteLength !== expected.byteLength) return false;
  for (let i = 0; i < actual.byteLength; i++) if (actual[i] !== expected[i]) return false;
  return true;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A store's leases, awaited alike whether it answers values or promises; undefined for a store that keeps none. */
function leasesOf(store: CacheStore): { take(name: string, token: string, ttlMs: number): Promise<string | undefined>; give(name: string, token: string): Promise<void> } | undefined {
  if (store.lease === undefined || store.release === undefined) return undefined;
  return {
    take: async (name, token, ttlMs) => store.lease?.(name, token, ttlMs),
    give: async (name, token) => {
      await store.release?.(name, token);
    },
  };
}

export function runStoreContract(name: string, makeHarness: (clock: TestClock) => Promise<StoreHarness>, options: ContractOptions = {}): void {
  const largeBodyBytes = options.largeBodyBytes ?? 5 * 1024 * 1024;
  const manyKeys = options.manyKeys ?? 500;

  describe(`${name} (store contract)`, function () {
    let clock: TestClock;
    let harness: StoreHarness;
    let store: CacheStore;
    let t0: number;
    const extraStores: CacheStore[] = [];

    beforeEach(async function () {
      clock = makeClock();
      t0 = clock.now();
      harness = await makeHarness(clock);
      store = harness.store;
    });

    afterEach(async function () {
      for (const extra of extraStores.splice(0)) await extra.close?.();
      await harness.teardown();
    });

    const put = async (key: string, record: CacheRecord = makeRecord(key, t0)): Promise<void> => store.set(key, record, record.expiresAt);

    it('resolves undefined for a key it never stored', async function () {
      expect(await store.get('never-stored')).to.equal(undefined);
    });

    it('returns a stored record equal to what was set', async function () {
      const record = makeRecord('a', t0, { tags: ['t1', 't2'], vary: ['accept-language'], varyValues: ['fr'] });
      await put('a', record);
      expect(comparable(await store.get('a'))).to.deep.equal(comparable(record));
    });

    it('returns the variant epoch, the ttl in force and the kind of a binary body as they were set', async function () {
      const record = makeRecord('m', t0, { vary: ['accept'], varyValues: ['text/html'], varyEpoch: t0 - 1000, ttlMs: 30_000, body: { type: 'binary', bytes: allByteValues(10), as: 'arraybuffer' } });
      await put('m', record);
      expect(comparable(await store.get('m'))).to.deep.equal(comparable(record));
    });

    it('overwrites a record set again under the same key', async function () {
      await put('k', makeRecord('k', t0, { body: { type: 'text', text: 'first' } }));
      const second = makeRecord('k', t0, { body: { type: 'text', text: 'second' } });
      await put('k', second);
      expect(comparable(await store.get('k'))).to.deep.equal(comparable(second));
    });

    it('deletes a record, and deleting a missing key resolves quietly', async function () {
      await put('d');
      await store.delete('d');
      expect(await store.get('d')).to.equal(undefined);
      await store.delete('d');
      await store.delete('never-there');
    });

    it('deletes exactly the keys given to deleteMany and leaves every other key', async function () {
      if (store.deleteMany === undefined) this.skip();
      const keys = Array.from({ length: 30 }, (_, i) => `many-${i}`);
      for (const key of keys) await put(key);
      const doomed = keys.filter((_, i) => i % 3 !== 0);
      await store.deleteMany(doomed);
      for (const key of doomed) expect(await store.get(key), key).to.equal(undefined);
      for (const key of keys.filter((key) => !doomed.includes(key))) expect((await store.get(key))?.key, key).to.equal(key);
    });

    it('deletes idempotently with deleteMany: missing keys, repeated keys and an empty list resolve quietly', async function () {
      if (store.deleteMany === undefined) this.skip();
      await put('once');
      await put('kept');
      await store.deleteMany(['once', 'once', 'never-there']);
      await store.deleteMany(['once']);
      await store.deleteMany([]);
      expect(await store.get('once')).to.equal(undefined);
      expect((await store.get('kept'))?.key).to.equal('kept');
    });

    it('keeps keys with glob, separator, unicode and very long names apart', async function () {
      const keys = ['a:b', 'a*', 'a?', '[a]', '{tag}x', 'a\\b', '$x.y', 'ключ🔑', 'k'.repeat(2000)];
      for (const key of keys) await put(key);
      for (const key of keys) expect((await store.get(key))?.key, key.slice(0, 20)).to.equal(key);
    });

    it('stops returning a record once the clock reaches expiresAt (read-time check)', async function () {
      await put('e', makeRecord('e', t0, { expiresAt: t0 + 60_000 }));
      clock.set(t0 + 59_999);
      expect((await store.get('e'))?.key).to.equal('e');
      clock.set(t0 + 60_000);
      expect(await store.get('e')).to.equal(undefined);
    });

    it('hides an expired record that the back end still holds', async function () {
      if (harness.rawHas === undefined) this.skip();
      await put('lazy', makeRecord('lazy', t0, { expiresAt: t0 + 60_000 }));
      clock.advance(120_000);
      expect(await harness.rawHas('lazy')).to.equal(true);
      expect(await store.get('lazy')).to.equal(undefined);
    });

    it('lets native expiry remove a record at expiresAt without any read', async function () {
      if (harness.rawHas === undefined || harness.nativeExpiryUntestable !== undefined) this.skip();
      const expiresAt = Date.now() + 300;
      await put('native', makeRecord('native', t0, { expiresAt }));
      expect(await harness.rawHas('native')).to.equal(true);
      await sleep(expiresAt - Date.now() + 50);
      clock.set(Date.now());
      await harness.settleNativeExpiry?.();
      expect(await harness.rawHas('native')).to.equal(false);
    });

    it('does not store a record whose expiresAt has already passed, and drops the older one', async function () {
      await put('past');
      await put('past', makeRecord('past', t0, { expiresAt: t0 - 1 }));
      expect(await store.get('past')).to.equal(undefined);
      if (harness.rawHas !== undefined) expect(await harness.rawHas('past')).to.equal(false);
    });

    it('round-trips a binary body with every byte value exactly', async function () {
      const bytes = allByteValues(65_536 + 3);
      await put('bin', makeRecord('bin', t0, { body: { type: 'binary', bytes } }));
      const body = (await store.get('bin'))?.body;
      expect(body?.type).to.equal('binary');
      expect(body?.type === 'binary' && sameBytes(body.bytes, bytes)).to.equal(true);
    });

    it('round-trips unicode text, an empty text body and an empty binary body exactly', async function () {
      await put('u', makeRecord('u', t0, { body: { type: 'text', text: UNICODE_TEXT } }));
      await put('empty-text', makeRecord('empty-text', t0, { body: { type: 'text', text: '' } }));
      await put('empty-bin', makeRecord('empty-bin', t0, { body: { type: 'binary', bytes: new Uint8Array(0) } }));
      expect((await store.get('u'))?.body).to.deep.equal({ type: 'text', text: UNICODE_TEXT });
      expect((await store.get('empty-text'))?.body).to.deep.equal({ type: 'text', text: '' });
      const empty = (await store.get('empty-bin'))?.body;
      expect(empty?.type === 'binary' && empty.bytes.byteLength).to.equal(0);
    });

    it('keeps header names with dots and dollar signs as data', async function () {
      const record = makeRecord('h', t0, { headers: { 'x.with.dots': '1', $set: '2', 'content-type': 'text/plain' } });
      await put('h', record);
      expect({ ...(await store.get('h'))?.headers }).to.deep.equal(record.headers);
    });

    it(`stores and returns a large entry (${largeBodyBytes} bytes) intact`, async function () {
      this.timeout(60_000);
      const bytes = allByteValues(largeBodyBytes);
      await put('large', makeRecord('large', t0, { body: { type: 'binary', bytes } }));
      const body = (await store.get('large'))?.body;
      expect(body?.type === 'binary' && sameBytes(body.bytes, bytes)).to.equal(true);
    });

    it(`holds ${manyKeys} keys written concurrently, each with its own record`, async function () {
      this.timeout(60_000);
      const keys = Array.from({ length: manyKeys }, (_, i) => `many-${i}`);
      await Promise.all(keys.map((key) => put(key)));
      const found = await Promise.all(keys.map(async (key) => (await store.get(key))?.key));
      expect(found).to.deep.equal(keys);
    });

    it('ends concurrent writers of one key with one complete record, never a mix', async function () {
      const versions = Array.from({ length: 20 }, (_, i) => makeRecord('race', t0, { body: { type: 'text', text: `writer ${i} `.repeat(1000) } }));
      await Promise.all(versions.map((record) => put('race', record)));
      const winner = comparable(await store.get('race'));
      expect(versions.map(comparable)).to.deep.include(winner);
    });

    it('shares records with another store opened on the same namespace', async function () {
      if (harness.makePeer === undefined) this.skip();
      const peer = await harness.makePeer();
      extraStores.push(peer);
      await put('shared');
      expect((await peer.get('shared'))?.key).to.equal('shared');
      await peer.delete('shared');
      expect(await store.get('shared')).to.equal(undefined);
    });

    it('clears its own records and nothing outside its namespace', async function () {
      if (store.clear === undefined) this.skip();
      await put('c1');
      await put('c2');
      const neighbour = await harness.makeNeighbour?.();
      if (neighbour !== undefined) {
        extraStores.push(neighbour);
        await neighbour.set('c1', makeRecord('c1', t0), t0 + 60_000);
      }
      await harness.writeForeign?.();
      await store.clear();
      expect(await store.get('c1')).to.equal(undefined);
      expect(await store.get('c2')).to.equal(undefined);
      if (neighbour !== undefined) expect((await neighbour.get('c1'))?.key).to.equal('c1');
      if (harness.foreignSurvived !== undefined) expect(await harness.foreignSurvived()).to.equal(true);
    });

    it('takes a free lease and names its holder to every other token, until its own holder releases it', async function () {
      const leases = leasesOf(store);
      if (leases === undefined) this.skip();
      expect(await leases.take('GET http://a.test/x', 'one', 10_000)).to.equal('one');
      expect(await leases.take('GET http://a.test/x', 'two', 10_000)).to.equal('one');
      expect(await leases.take('GET http://a.test/y', 'two', 10_000)).to.equal('two');
      await leases.give('GET http://a.test/x', 'two'); // not its holder: nothing happens
      expect(await leases.take('GET http://a.test/x', 'three', 10_000)).to.equal('one');
      await leases.give('GET http://a.test/x', 'one');
      expect(await leases.take('GET http://a.test/x', 'three', 10_000)).to.equal('three');
      await leases.give('GET http://a.test/x', 'three');
      await leases.give('GET http://a.test/y', 'two');
    });

    it('ends a lease by itself after its time, and the next token takes it', async function () {
      const leases = leasesOf(store);
      if (leases === undefined) this.skip();
      expect(await leases.take('expiring', 'crashed', 200)).to.equal('crashed');
      await sleep(300); // the back end's own countdown (Redis PX) and the store's clock both run out
      clock.advance(300);
      expect(await leases.take('expiring', 'next', 10_000)).to.equal('next');
      await leases.give('expiring', 'next');
    });

    it('extends a lease when its own holder takes it again: a renewed lease outlives its first time, then ends after the new one', async function () {
      const leases = leasesOf(store);
      if (leases === undefined) this.skip();
      expect(await leases.take('renewed', 'holder', 600)).to.equal('holder');
      await sleep(400);
      clock.advance(400);
      expect(await leases.take('renewed', 'holder', 600)).to.equal('holder'); // the holder renews: 600 ms from now
      await sleep(400); // 800 ms after the first take: past its first time, within the renewed one
      clock.advance(400);
      expect(await leases.take('renewed', 'another', 10_000)).to.equal('holder');
      await sleep(400);
      clock.advance(400);
      expect(await leases.take('renewed', 'another', 10_000)).to.equal('another');
      await leases.give('renewed', 'another');
    });

    it('gives one lease to one of many concurrent takers', async function () {
      const leases = leasesOf(store);
      if (leases === undefined) this.skip();
      const holders = await Promise.all(Array.from({ length: 20 }, (_, i) => leases.take('contended', `taker ${i}`, 10_000)));
      expect(new Set(holders).size).to.equal(1);
      await leases.give('contended', holders[0] ?? '');
    });

    it('holds a lease for a peer on the same namespace', async function () {
      const leases = leasesOf(store);
      if (leases === undefined || harness.makePeer === undefined) this.skip();
      const peer = await harness.makePeer();
      extraStores.push(peer);
      expect(await leases.take('across', 'here', 10_000)).to.equal('here');
      expect(await leasesOf(peer)?.take('across', 'there', 10_000)).to.equal('here');
      await leases.give('across', 'here');
    });

    it('keeps leases apart from entries: a lease named like a key is never listed, counted or read as an entry', async function () {
      const leases = leasesOf(store);
      if (leases === undefined || store.keys === undefined || store.count === undefined) this.skip();
      await put('GET http://a.test/leased');
      expect(await leases.take('GET http://a.test/leased', 'holder', 10_000)).to.equal('holder');
      expect(await leases.take('GET http://a.test/only-leased', 'holder', 10_000)).to.equal('holder');
      expect(await collect(store.keys())).to.deep.equal(['GET http://a.test/leased']);
      expect(await store.count()).to.equal(1);
      expect((await store.get('GET http://a.test/leased'))?.key).to.equal('GET http://a.test/leased');
      expect(await store.get('GET http://a.test/only-leased')).to.equal(undefined);
      await leases.give('GET http://a.test/leased', 'holder');
      await leases.give('GET http://a.test/only-leased', 'holder');
    });

    /** Writes a record that is then expired, by the test clock or, where listings follow it, by the back end's own. */
    const putExpired = async (key: string): Promise<void> => {
      if (harness.listingsFollowBackEndClock === undefined) {
        await put(key, makeRecord(key, t0, { expiresAt: t0 + 1000 }));
        clock.advance(2000);
        return;
      }
      const expiresAt = Date.now() + 200;
      clock.set(Date.now());
      await put(key, makeRecord(key, t0, { expiresAt }));
      await sleep(expiresAt - Date.now() + 50);
      clock.set(Date.now());
    };

    it('streams live keys and entries, leaving out expired ones', async function () {
      if (store.keys === undefined || store.entries === undefined) this.skip();
      for (let i = 0; i < 30; i++) await put(`s${i}`);
      await putExpired('short');
      const keys = await collect(store.keys());
      const records = await collect(store.entries());
      const expected = Array.from({ length: 30 }, (_, i) => `s${i}`).sort();
      expect([...keys].sort()).to.deep.equal(expected);
      expect(records.map((record) => record.key).sort()).to.deep.equal(expected);
      expect(comparable(records.find((record) => record.key === 's7'))).to.deep.equal(comparable(makeRecord('s7', t0)));
    });

    it('finds every live record a filter matches (tag, urls, url prefix, method, created-before), never an expired one', async function () {
      if (store.find === undefined) this.skip();
      const find = store.find.bind(store);
      const records = [
        makeRecord('f1', t0, { url: 'https://api.test/users/1', tags: ['people'] }),
        makeRecord('f2', t0, { url: 'http://api.test/users/2', tags: ['people', 'admins'] }),
        { ...makeRecord('f3', t0, { url: 'https://api.test/teams/1', tags: ['teams'] }), method: 'POST', createdAt: t0 - 60_000 },
      ];
      for (const record of records) await put(record.key, record);
      await putExpired('f4');
      const filters: StoreFilter[] = [
        { tag: 'people' }, { tag: 'admins' }, { urls: ['https://api.test/teams/1'] }, { urlPrefix: 'api.test/users/' },
        { method: 'POST' }, { createdBefore: t0 - 1000 }, { tag: 'people', urlPrefix: 'api.test/users/2' }, {},
      ];
      for (const filter of filters) {
        const found = (await collect(find(filter))).map((record) => record.key);
        const matching = records.filter((record) => (filter.tag === undefined || record.tags?.includes(filter.tag) === true)
          && (filter.urls === undefined || filter.urls.includes(record.url))
          && (filter.urlPrefix === undefined || record.url.replace(/^https?:\/\//, '').startsWith(filter.urlPrefix))
          && (filter.method === undefined || record.method === filter.method)
          && (filter.createdBefore === undefined || record.createdAt < filter.createdBefore));
        expect(found, `find(${JSON.stringify(filter)})`).to.include.members(matching.map((record) => record.key));
        expect(found, 'an expired record').to.not.include('f4');
      }
    });

    it('counts live records only', async function () {
      if (store.count === undefined) this.skip();
      expect(await store.count()).to.equal(0);
      await put('n1');
      await put('n2');
      await putExpired('n3');
      expect(await store.count()).to.equal(2);
    });

    it('reports a size that grows with what it holds', async function () {
      if (store.size === undefined) this.skip();
      const before = await store.size();
      if (before === undefined) this.skip();
      await put('big', makeRecord('big', t0, { body: { type: 'binary', bytes: allByteValues(100_000) } }));
      expect(await store.size()).to.be.greaterThan(before + 50_000);
    });

    it('rejects with CorruptEntryError on undecodable data, then has deleted it', async function () {
      if (harness.corrupt === undefined) this.skip();
      await put('bad');
      await harness.corrupt('bad');
      const error = await Promise.resolve(store.get('bad')).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(CorruptEntryError);
      expect((error as CorruptEntryError).key).to.equal('bad');
      expect(await store.get('bad')).to.equal(undefined);
      if (harness.rawHas !== undefined) expect(await harness.rawHas('bad')).to.equal(false);
    });
  });
}

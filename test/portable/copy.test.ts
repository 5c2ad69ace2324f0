import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheStore, PortableEntry } from '../../lib/index.js';
import { SqliteStore } from '../../lib/stores/sqlite.js';
import { FRESH, nock, ORIGIN, resetNock } from '../manage/helpers.js';
import { collect, forEachStore, TestClock } from '../manage/stores.js';

const SECRET = 'a shared secret of some length';

/** A cache on `store` with baseURL ORIGIN, the shared secret and a `partition` read from the x-user header. */
function cacheOn(store: CacheStore, clock: TestClock) {
  const api = axios.create({ baseURL: ORIGIN });
  const cache = attachCache(api, {
    store,
    now: clock.now,
    secret: SECRET,
    partition: (config) => (typeof config.headers['x-user'] === 'string' ? config.headers['x-user'] : undefined),
  });
  return { api, cache };
}

/** Fills a cache with what a copy must keep: JSON, bytes, two Vary variants, tags and a partitioned entry. */
async function fill(store: CacheStore, clock: TestClock): Promise<void> {
  const { api } = cacheOn(store, clock);
  nock(ORIGIN).get('/users').reply(200, { users: [1, 2] }, FRESH);
  await api.get('/users', { cache: { tags: ['users'] } });
  nock(ORIGIN).get('/logo').reply(200, Buffer.from([0, 1, 2, 255]), { 'cache-control': 'max-age=60', 'content-type': 'image/png' });
  await api.get('/logo', { responseType: 'arraybuffer' });
  for (const language of ['en', 'fr']) {
    nock(ORIGIN).get('/greeting').matchHeader('accept-language', language).reply(200, { language }, { ...FRESH, vary: 'Accept-Language' });
    await api.get('/greeting', { headers: { 'accept-language': language } });
  }
  nock(ORIGIN).get('/me').reply(200, { me: 'alice' }, FRESH);
  await api.get('/me', { headers: { 'x-user': 'alice' } });
}

/** Every request `fill` made, answered from `store` alone (nock allows no network), as the data each caller gets. */
async function replay(store: CacheStore, clock: TestClock): Promise<unknown[]> {
  const { api, cache } = cacheOn(store, clock);
  const answers = [
    await api.get('/users'),
    await api.get('/logo', { responseType: 'arraybuffer' }),
    await api.get('/greeting', { headers: { 'accept-language': 'en' } }),
    await api.get('/greeting', { headers: { 'accept-language': 'fr' } }),
    await api.get('/me', { headers: { 'x-user': 'alice' } }),
  ];
  expect(answers.map((answer) => answer.cacheInfo?.status)).to.deep.equal(['hit', 'hit', 'hit', 'hit', 'hit']);
  expect(cache.stats().misses).to.equal(0);
  return answers.map((answer) => (Buffer.isBuffer(answer.data) ? [...answer.data] : answer.data as unknown));
}

const EXPECTED = [{ users: [1, 2] }, [0, 1, 2, 255], { language: 'en' }, { language: 'fr' }, { me: 'alice' }];

/** The NDJSON text of an export, as a file would hold it. */
async function ndjson(store: CacheStore, clock: TestClock): Promise<string[]> {
  const { cache } = cacheOn(store, clock);
  return (await collect(cache.export())).map((entry) => JSON.stringify(entry));
}

describe('cache.export() and cache.import(): copying a cache between stores', function () {
  this.timeout(30_000);
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('a MemoryStore copied into a SQLite file, and the file copied into a new MemoryStore, answers every request without the origin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ahc-copy-'));
    const clock = new TestClock();
    const file = new SqliteStore({ path: join(dir, 'cache.db'), now: clock.now, sweepIntervalMs: 0 });
    try {
      const source = new MemoryStore({ now: clock.now });
      await fill(source, clock);
      expect(await cacheOn(file, clock).cache.import(await ndjson(source, clock))).to.deep.equal({ imported: 5, expired: 0 });
      expect(await replay(file, clock)).to.deep.equal(EXPECTED);
      const back = new MemoryStore({ now: clock.now });
      await cacheOn(back, clock).cache.import(cacheOn(file, clock).cache.export());
      expect(await replay(back, clock)).to.deep.equal(EXPECTED);
    } finally {
      await file.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  forEachStore((setup) => {
    it(`a MemoryStore copied into a ${setup.kind} answers every request from the copy, without the origin`, async () => {
      const clock = new TestClock();
      const source = new MemoryStore({ now: clock.now });
      await fill(source, clock);
      const lines = await ndjson(source, clock);
      expect(lines).to.have.length(5);
      const target = await setup.newStore(clock.now);
      const result = await cacheOn(target, clock).cache.import(lines);
      expect(result).to.deep.equal({ imported: 5, expired: 0 });
      expect(await replay(target, clock)).to.deep.equal(EXPECTED);
      expect(await cacheOn(target, clock).cache.delete({ tag: 'users' })).to.equal(1);
    });

    it(`a ${setup.kind} copied into a MemoryStore answers every request from the copy, keeping each entry's expiry`, async () => {
      const clock = new TestClock();
      const source = await setup.newStore(clock.now);
      await fill(source, clock);
      const exported = await collect(cacheOn(source, clock).cache.export());
      const target = new MemoryStore({ now: clock.now });
      await cacheOn(target, clock).cache.import(exported);
      expect(await replay(target, clock)).to.deep.equal(EXPECTED);
      const copied = await collect(cacheOn(target, clock).cache.export());
      const byKey = (entries: PortableEntry[]): PortableEntry[] => [...entries].sort((a, b) => `${a.key}${JSON.stringify(a.varyValues)}`.localeCompare(`${b.key}${JSON.stringify(b.varyValues)}`));
      expect(byKey(copied)).to.deep.equal(byKey(exported));
    });

    it(`export(query) from a ${setup.kind} selects as entries(query) does`, async () => {
      const clock = new TestClock();
      const source = await setup.newStore(clock.now);
      await fill(source, clock);
      const { cache } = cacheOn(source, clock);
      expect((await collect(cache.export({ tag: 'users' }))).map((entry) => entry.url)).to.deep.equal([`${ORIGIN}/users`]);
      expect((await collect(cache.export({ pattern: '/greeting' }))).map((entry) => entry.varyValues?.[0]).sort()).to.deep.equal(['en', 'fr']);
    });
  });
});

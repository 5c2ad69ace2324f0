import { expect } from 'chai';
import fc from 'fast-check';
import { ImportError, MemoryStore, ReadOnlyError } from '../../lib/index.js';
import type { CacheRecord, PortableEntry } from '../../lib/index.js';
import { entry } from './entries.js';
import { fromPortable, toPortable } from '../../lib/axios/portable.js';
import { cachedInstance, FakeClock, nock, ORIGIN, resetNock } from '../axios/helpers.js';
import { collect } from '../manage/stores.js';

async function importError(entries: unknown[], options = {}): Promise<{ error: Error; stored: string[] }> {
  const { cache } = cachedInstance(options);
  const error = await cache.import(entries as PortableEntry[]).then(() => new Error('imported'), (e: unknown) => e as Error);
  return { error, stored: await collect(cache.keys()) };
}

describe('cache.import(): every entry checked, nothing invalid written', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('an imported fixture answers requests like an entry the cache stored itself', async () => {
    const clock = new FakeClock();
    const { api, cache } = cachedInstance({ now: clock.now });
    expect(await cache.import([entry(clock.now(), '/fixture')])).to.deep.equal({ imported: 1, expired: 0 });
    const res = await api.get('/fixture');
    expect(res.cacheInfo?.status).to.equal('hit');
    expect(res.data).to.equal('body of /fixture');
  });

  it('keeps no header the request path would drop: Set-Cookie, hop-by-hop fields', async () => {
    const clock = new FakeClock();
    const { api, cache } = cachedInstance({ now: clock.now, shared: true });
    const headers = { 'cache-control': 'max-age=60', 'set-cookie': 'session=ATTACKER', connection: 'close', 'x-kept': 'yes' };
    await cache.import([entry(clock.now(), '/cookie', { headers })]);
    const res = await api.get('/cookie');
    expect(res.cacheInfo?.status).to.equal('hit');
    expect(res.headers['set-cookie']).to.equal(undefined);
    expect(res.headers['connection']).to.equal(undefined);
    expect(res.headers['x-kept']).to.equal('yes');
  });

  it('refuses, naming the entry and the reason, an entry this cache would not store: private in a shared cache, no-store', async () => {
    const now = Date.now();
    const shared = await importError([entry(now, '/one'), entry(now, '/private', { headers: { 'cache-control': 'private, max-age=60' } })], { shared: true });
    expect(shared.error.message).to.match(/entry 2 \(key "GET [^"]+\/private"\): is not storable in this cache \(.*private/);
    expect(shared.stored).to.deep.equal([`GET ${ORIGIN}/one`]);
    const noStore = await importError([entry(now, '/nostore', { headers: { 'cache-control': 'no-store' } })]);
    expect(noStore.error.message).to.match(/entry 1 .*not storable in this cache \(.*no-store/);
    expect(noStore.stored).to.deep.equal([]);
    const { cache } = cachedInstance({ shared: false });
    expect(await cache.import([entry(now, '/private', { headers: { 'cache-control': 'private, max-age=60' } })])).to.deep.equal({ imported: 1, expired: 0 });
  });

  it('skips entries already expired and counts them, and export leaves them out', async () => {
    const clock = new FakeClock();
    const { cache } = cachedInstance({ now: clock.now });
    const now = clock.now();
    const result = await cache.import([entry(now, '/gone', { expiresAt: now - 1 }), entry(now, '/kept')]);
    expect(result).to.deep.equal({ imported: 1, expired: 1 });
    expect(await collect(cache.keys())).to.deep.equal([`GET ${ORIGIN}/kept`]);
    clock.advance(60_001);
    expect(await collect(cache.export())).to.deep.equal([]);
  });

  it('reads NDJSON lines, skipping blank ones, from an async iterable', async () => {
    const clock = new FakeClock();
    const { cache } = cachedInstance({ now: clock.now });
    async function* lines(): AsyncGenerator<string> {
      await Promise.resolve();
      yield JSON.stringify(entry(clock.now(), '/one'));
      yield '   ';
      yield `${JSON.stringify(entry(clock.now(), '/two'))}\r`;
    }
    expect(await cache.import(lines())).to.deep.equal({ imported: 2, expired: 0 });
  });

  const BAD: ReadonlyArray<readonly [string, (now: number) => unknown, RegExp]> = [
    ['a line that is not JSON', () => '{"format":', /entry 2: is not JSON/],
    ['another format', (now) => ({ ...entry(now), format: 'har' }), /entry 2 \(key "GET http:\/\/api\.test\/ok"\): field "format" must be "axios-http-cache\/entry"/],
    ['a later format version', (now) => ({ ...entry(now), v: 2 }), /field "v" is a later format version .* upgrade axios-http-cache/],
    ['an unknown field', (now) => ({ ...entry(now), storeKey: 'GET http://api.test/admin' }), /field "storeKey" is not a field of the portable format/],
    ['a key for another URL than its url field', (now) => ({ ...entry(now), key: `GET ${ORIGIN}/admin` }), /field "key" must start with the entry's method and URL/],
    ['a variant key as its key', (now) => ({ ...entry(now), key: `GET ${ORIGIN}/ok vary:1:${'0'.repeat(64)}` }), /field "key" must be the key the entry answers for, not a variant key/],
    ['a URL still holding a credential', (now) => ({ ...entry(now, '/ok?token=s3cret'), key: `GET ${ORIGIN}/ok?token=s3cret` }), /field "url" must be normalised as keys are/],
    ['a header value with a line break', (now) => ({ ...entry(now), headers: { 'x-a': 'b\r\nset-cookie: x=1' } }), /field "headers" must map "x-a" to a string without line breaks/],
    ['an upper-case header name', (now) => ({ ...entry(now), headers: { 'Content-Type': 'text/plain' } }), /field "headers" must have lower-case header names/],
    ['a status out of range', (now) => ({ ...entry(now), status: 700 }), /field "status" must be an integer from 100 to 599, got 700/],
    ['bad base64', (now) => ({ ...entry(now), body: { base64: 'not base64!' } }), /field "body" must hold valid base64/],
    ['a body of another shape', (now) => ({ ...entry(now), body: 'text' }), /field "body" must be \{ text \} or \{ base64, as\? \}/],
    ['an expiry that is no time', (now) => ({ ...entry(now), expiresAt: 'tomorrow' }), /field "expiresAt" must be a time in epoch ms/],
    ['vary values that do not match the names', (now) => ({ ...entry(now), vary: ['accept'], varyValues: ['a', 'b'], varyEpoch: now }), /field "varyValues" must be an array of 1 strings or nulls/],
    ['no object at all', () => 42, /entry 2: must be an object, got 42/],
  ];
  for (const [what, make, message] of BAD) {
    it(`refuses ${what} with a TypeError naming the entry and field, writing none of it`, async () => {
      const now = Date.now();
      const { error, stored } = await importError([entry(now, '/first'), make(now), entry(now, '/after')], { now: () => now });
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.match(message);
      expect(stored).to.deep.equal([`GET ${ORIGIN}/first`]);
    });
  }

  it('rejects with an ImportError caused by the store failure (and reports it as an error event) when a write fails, after the writes under way settle', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ now: clock.now });
    const set = store.set.bind(store);
    store.set = (key, record, expiresAt) => (key.endsWith('/7') ? Promise.reject(new Error('disk full')) : set(key, record, expiresAt));
    const { cache } = cachedInstance({ store, now: clock.now });
    const errors: string[] = [];
    cache.on('error', (event) => errors.push(`${event.operation}: ${event.error.message}`));
    const entries = Array.from({ length: 40 }, (_, i) => entry(clock.now(), `/${i}`));
    const error = await cache.import(entries).then(() => undefined, (e: unknown) => e as Error);
    expect(error).to.be.instanceOf(ImportError);
    expect(error).to.include({ code: 'ECACHE_IMPORT', position: 8 });
    expect((error?.cause as Error).message).to.equal('disk full');
    expect(errors).to.deep.equal(['set: disk full']);
    const stored = await collect(cache.keys());
    expect(stored).to.include.members([0, 1, 2, 3, 4, 5, 6].map((i) => `GET ${ORIGIN}/${i}`));
    // At most one batch of writes goes on after the failure was met: the import stops taking entries.
    expect(stored.length).to.be.lessThan(7 + 16 + 1);
  });

  it('writes entries of the same key in file order: the last one wins', async () => {
    const clock = new FakeClock();
    const { api, cache } = cachedInstance({ now: clock.now });
    const now = clock.now();
    await cache.import([entry(now, '/same', { body: { text: 'first' } }), entry(now, '/other'), entry(now, '/same', { body: { text: 'second' } })]);
    expect((await api.get('/same')).data).to.equal('second');
  });

  it('refuses what is not an iterable of entries', async () => {
    const { error } = await importError('{"format":1}' as unknown as unknown[]);
    expect(error.message).to.match(/cache\.import\(\) takes an iterable or async iterable of entries/);
  });

  it('a read-only cache refuses import with a ReadOnlyError', async () => {
    const { error } = await importError([entry(Date.now())], { readOnly: true });
    expect(error).to.be.instanceOf(ReadOnlyError);
  });

  it('an entry exported under one secret hits only under the same secret when its key holds a keyed hash', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ now: clock.now });
    const partition = () => 'alice';
    const recorder = cachedInstance({ store, now: clock.now, secret: 'first secret, long enough', partition });
    nock(ORIGIN).get('/mine').reply(200, 'alice data', { 'cache-control': 'max-age=60' });
    await recorder.api.get('/mine');
    const exported = await collect(recorder.cache.export());
    const same = cachedInstance({ now: clock.now, secret: 'first secret, long enough', partition });
    const other = cachedInstance({ now: clock.now, secret: 'another secret, long enough', partition });
    await same.cache.import(exported);
    await other.cache.import(exported);
    expect((await same.api.get('/mine')).cacheInfo?.status).to.equal('hit');
    nock(ORIGIN).get('/mine').reply(200, 'alice data again');
    expect((await other.api.get('/mine')).cacheInfo?.status).to.equal('miss');
  });

  it('for all records, the portable form survives JSON and reads back as the same record', () => {
    const url = fc.webPath().map((path) => `${ORIGIN}/${encodeURI(path.replace(/^\/+/, '')).replace(/[?#]/g, '')}`).map((u) => new URL(u).href);
    const time = fc.integer({ min: 0, max: 4_000_000_000_000 });
    const record = fc.record({
      url,
      status: fc.integer({ min: 100, max: 599 }),
      statusText: fc.string().filter((text) => !/[\r\n]/.test(text)),
      headers: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.string().filter((text) => !/[\r\n\0]/.test(text))),
      body: fc.oneof(
        fc.string({ unit: 'binary' }).map((text) => ({ type: 'text' as const, text })),
        fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ type: 'binary' as const, bytes, as: 'uint8array' as const })),
      ),
      requestTime: time,
      responseTime: time,
      createdAt: time,
      expiresAt: time,
      ttlMs: fc.option(fc.oneof(fc.nat(), fc.constant(Infinity)), { nil: undefined }),
      tags: fc.option(fc.array(fc.string({ minLength: 1 }), { minLength: 1 }), { nil: undefined }),
      vary: fc.option(fc.tuple(fc.constantFrom('accept', 'accept-language'), fc.option(fc.string(), { nil: null }), time), { nil: undefined }),
    });
    fc.assert(
      fc.property(record, (r) => {
        const { vary, ttlMs, tags, ...rest } = r;
        const original: CacheRecord = {
          v: 1,
          key: `GET ${r.url}`,
          method: 'GET',
          ...rest,
          ...(ttlMs === undefined ? {} : { ttlMs }),
          ...(tags === undefined ? {} : { tags }),
          ...(vary === undefined ? {} : { vary: [vary[0]], varyValues: [vary[1]], varyEpoch: vary[2] }),
        };
        const normalise = (u: string): string => new URL(u).href;
        const copied = fromPortable(JSON.parse(JSON.stringify(toPortable(original))), 1, normalise);
        expect({ ...copied, headers: { ...copied.headers } }).to.deep.equal(original);
      }),
      { numRuns: 300 },
    );
  });
});

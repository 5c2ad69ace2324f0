import axios, { AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse, AxiosResponseTransformer, ResponseType } from 'axios';
import { expect } from 'chai';
import fc from 'fast-check';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheOptions } from '../../lib/index.js';
import { FakeClock } from './helpers.js';

interface Origin {
  body: string | Buffer;
  headers: Record<string, string>;
  status: number;
  calls: number;
}

/** An origin in the adapter: answers at once with what the test put in it (a fresh Buffer per answer). */
function originAdapter(origin: Origin): AxiosAdapter {
  return (config) => {
    origin.calls += 1;
    const data = typeof origin.body === 'string' ? origin.body : Buffer.from(origin.body);
    const response: AxiosResponse = { data, status: origin.status, statusText: 'OK', headers: new AxiosHeaders(origin.headers), config, request: {} };
    return Promise.resolve(response);
  };
}

function setup(body: string | Buffer, options: CacheOptions = {}, responseType?: ResponseType) {
  const origin: Origin = { body, headers: { 'cache-control': 'max-age=600', 'content-type': 'application/json' }, status: 200, calls: 0 };
  const clock = new FakeClock();
  const store = new MemoryStore({ now: clock.now });
  const api = axios.create({ baseURL: 'http://api.test', adapter: originAdapter(origin), ...(responseType ? { responseType } : {}) });
  const cache = attachCache(api, { now: clock.now, store, frozen: true, ...options });
  return { api, cache, origin, clock, store };
}

const BODY = JSON.stringify({ users: [{ id: 1, name: 'Ada', tags: ['a'] }, { id: 2, name: 'Bob', tags: [] }], total: 2 });

describe('frozen: true', () => {
  it('hands every hit of an entry the same deep-frozen data, equal to what the copying path returns', async () => {
    const { api } = setup(BODY);
    const miss = await api.get('/users');
    const first = await api.get('/users');
    const second = await api.get('/users');
    const copied = await api.get('/users', { cache: { frozen: false } });
    expect(miss.cacheInfo?.status).to.equal('miss');
    expect(first.cacheInfo?.status).to.equal('hit');
    expect(second.data).to.equal(first.data);
    expect(first.data).to.deep.equal(copied.data);
    expect(copied.data).to.not.equal(first.data);
    const data = first.data as { users: { tags: string[] }[] };
    expect(Object.isFrozen(data)).to.equal(true);
    expect(Object.isFrozen(data.users)).to.equal(true);
    expect(Object.isFrozen(data.users[0]?.tags)).to.equal(true);
  });

  it('throws on a caller mutation (strict mode), and the next hit is intact', async () => {
    const { api } = setup(BODY);
    await api.get('/users');
    const hit = await api.get<{ users: { name: string }[]; total: number }>('/users');
    expect(() => hit.data.users.sort()).to.throw(TypeError);
    expect(() => {
      hit.data.total = 3;
    }).to.throw(TypeError);
    expect(() => {
      (hit.data.users[0] as { name: string }).name = 'Eve';
    }).to.throw(TypeError);
    const next = await api.get('/users');
    expect(next.data).to.deep.equal(JSON.parse(BODY));
  });

  it('leaves the answer from the origin (the miss) to its caller: it is neither frozen nor the shared object', async () => {
    const { api } = setup(BODY);
    const miss = await api.get<{ total: number }>('/users');
    miss.data.total = 99;
    const hit = await api.get('/users');
    expect(Object.isFrozen(miss.data)).to.equal(false);
    expect(hit.data).to.deep.equal(JSON.parse(BODY));
  });

  it('copies with cache.frozen false on a frozen instance, and shares with cache.frozen true on a copying one', async () => {
    const { api } = setup(BODY, { frozen: false });
    await api.get('/users');
    const copied = await api.get('/users');
    const shared = await api.get('/users', { cache: { frozen: true } });
    const again = await api.get('/users', { cache: { frozen: true } });
    expect(Object.isFrozen(copied.data)).to.equal(false);
    expect(Object.isFrozen(shared.data)).to.equal(true);
    expect(again.data).to.equal(shared.data);
  });

  it('never hands a caller data made by another caller\'s transformResponse', async () => {
    const { api } = setup(BODY);
    const wrap: AxiosResponseTransformer = (data: string) => ({ wrapped: JSON.parse(data) as unknown });
    const upper: AxiosResponseTransformer = (data: string) => data.toUpperCase();
    await api.get('/users');
    const plain = await api.get('/users');
    const wrapped = await api.get('/users', { transformResponse: [wrap] });
    const wrappedAgain = await api.get('/users', { transformResponse: [wrap] });
    const shouted = await api.get('/users', { transformResponse: upper });
    const text = await api.get('/users', { responseType: 'text', transformResponse: [] });
    const plainAgain = await api.get('/users');
    expect(plain.data).to.deep.equal(JSON.parse(BODY));
    expect(wrapped.data).to.deep.equal({ wrapped: JSON.parse(BODY) });
    expect(wrappedAgain.data).to.equal(wrapped.data);
    expect(shouted.data).to.equal(BODY.toUpperCase());
    expect(text.data).to.equal(BODY);
    expect(plainAgain.data).to.equal(plain.data);
  });

  it('keeps a parse reviver\'s result apart from the plain parse', async () => {
    const { api } = setup(BODY);
    await api.get('/users');
    const plain = await api.get<{ total: number }>('/users');
    const revived = await api.get<{ total: number }>('/users', { parseReviver: (key: string, value: unknown) => (key === 'total' ? 'two' : value) } as object);
    expect(plain.data.total).to.equal(2);
    expect(revived.data.total).to.equal('two');
  });

  it('drops the frozen data when the entry is written again: a forced refresh serves the new body to later hits', async () => {
    const { api, origin } = setup(BODY);
    await api.get('/users');
    const before = await api.get('/users');
    origin.body = JSON.stringify({ users: [], total: 0 });
    await api.get('/users', { cache: { forceRefresh: true } });
    const after = await api.get('/users');
    expect(after.cacheInfo?.status).to.equal('hit');
    expect(after.data).to.deep.equal({ users: [], total: 0 });
    expect(after.data).to.not.equal(before.data);
  });

  it('makes new frozen data after a 304 refreshes the entry, with the same content', async () => {
    const { api, origin, clock } = setup(BODY);
    origin.headers = { 'cache-control': 'max-age=10', etag: '"v1"', 'content-type': 'application/json' };
    await api.get('/users');
    const before = await api.get('/users');
    clock.advance(11_000);
    origin.status = 304;
    origin.body = '';
    const revalidated = await api.get('/users');
    const after = await api.get('/users');
    expect(revalidated.cacheInfo?.status).to.equal('revalidated');
    expect(after.cacheInfo?.status).to.equal('hit');
    expect(after.data).to.deep.equal(JSON.parse(BODY));
    expect(after.data).to.not.equal(before.data);
    expect(Object.isFrozen(after.data)).to.equal(true);
  });

  it('keeps Vary variants apart: each variant shares its own data', async () => {
    const { api, origin } = setup(BODY);
    origin.headers = { 'cache-control': 'max-age=600', vary: 'accept-language', 'content-type': 'application/json' };
    origin.body = '{"greeting":"hello"}';
    await api.get('/hi', { headers: { 'accept-language': 'en' } });
    origin.body = '{"greeting":"bonjour"}';
    await api.get('/hi', { headers: { 'accept-language': 'fr' } });
    const english = await api.get('/hi', { headers: { 'accept-language': 'en' } });
    const french = await api.get('/hi', { headers: { 'accept-language': 'fr' } });
    const englishAgain = await api.get('/hi', { headers: { 'accept-language': 'en' } });
    expect(english.data).to.deep.equal({ greeting: 'hello' });
    expect(french.data).to.deep.equal({ greeting: 'bonjour' });
    expect(englishAgain.data).to.equal(english.data);
    expect(origin.calls).to.equal(2);
  });

  it('counts the frozen data in the MemoryStore entry, and lets it go with the entry', async () => {
    const { api, cache, store } = setup(BODY);
    await api.get('/users');
    const stored = await store.size();
    await api.get('/users');
    const withData = await store.size();
    expect(withData).to.be.greaterThan(stored);
    await cache.delete({ url: 'http://api.test/users' });
    expect(await store.size()).to.equal(0);
  });

  it('keeps nothing beside an entry that would grow past maxEntryBytes, and still serves frozen data', async () => {
    const clock = new FakeClock();
    const big = JSON.stringify({ list: Array.from({ length: 200 }, (_, i) => ({ i, name: `n${i}` })) });
    const store = new MemoryStore({ now: clock.now, maxBytes: 100_000, maxEntryBytes: 2 * big.length + 2000 });
    const { api } = setup(big, { store, now: clock.now });
    await api.get('/big');
    const size = await store.size();
    const first = await api.get('/big');
    const second = await api.get('/big');
    expect(await store.size()).to.equal(size);
    expect(Object.isFrozen(first.data)).to.equal(true);
    expect(second.data).to.deep.equal(first.data);
    expect(second.data).to.not.equal(first.data);
  });

  it('hands data that cannot be frozen (a Date from a transform) to each caller as its own', async () => {
    const { api } = setup('"2024-01-02T03:04:05.000Z"');
    const toDate: AxiosResponseTransformer = (data: string) => new Date(JSON.parse(data) as string);
    await api.get('/when', { transformResponse: toDate });
    const first = await api.get<Date>('/when', { transformResponse: toDate });
    first.data.setTime(0);
    const second = await api.get<Date>('/when', { transformResponse: toDate });
    const third = await api.get<Date>('/when', { transformResponse: toDate });
    expect(second.data.toISOString()).to.equal('2024-01-02T03:04:05.000Z');
    expect(third.data).to.not.equal(second.data);
  });

  it('copies binary bodies on every hit: a caller filling its bytes cannot reach the cache', async () => {
    const bytes = Buffer.from([1, 2, 3, 4]);
    const { api } = setup(bytes, {}, 'arraybuffer');
    await api.get('/bin');
    const first = await api.get<Buffer>('/bin');
    first.data.fill(0);
    const second = await api.get<Buffer>('/bin');
    expect(Buffer.isBuffer(second.data)).to.equal(true);
    expect([...second.data]).to.deep.equal([1, 2, 3, 4]);
  });

  it('lets a retried config (api.request(response.config)) go through the caller\'s own transforms again', async () => {
    const { api, origin } = setup(BODY);
    await api.get('/users');
    const hit = await api.get('/users');
    const retried = await api.request(hit.config);
    expect(origin.calls).to.equal(2);
    expect(retried.cacheInfo?.status).to.equal('miss');
    expect(retried.data).to.deep.equal(JSON.parse(BODY));
    expect(Object.isFrozen(retried.data)).to.equal(false);
  });

  it('fails a hit the copying path would fail: a body that is not JSON under strict parsing', async () => {
    const { api } = setup('not json');
    const strict = { responseType: 'json' as const, transitional: { silentJSONParsing: false, forcedJSONParsing: true, clarifyTimeoutError: false } };
    await api.get('/bad', { responseType: 'text' });
    const copied = await api.get('/bad', { ...strict, cache: { frozen: false } }).then(() => 'resolved', (error: Error) => error.message);
    const frozen = await api.get('/bad', strict).then(() => 'resolved', (error: Error) => error.message);
    expect(copied).to.not.equal('resolved');
    expect(frozen).to.equal(copied);
  });

  it('rejects a frozen option that is not a boolean, naming it', () => {
    expect(() => attachCache(axios.create(), { frozen: 'yes' as unknown as boolean })).to.throw(TypeError, /option "frozen"/);
  });

  it('rejects a request option cache.frozen that is not a boolean, naming it', async () => {
    const { api } = setup(BODY);
    const error = await api.get('/users', { cache: { frozen: 1 as unknown as boolean } }).catch((reason: unknown) => reason);
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.match(/cache\.frozen/);
  });

  it('returns exactly the data of the copying path, for any JSON body and any of several transforms (property)', async () => {
    const transforms: Record<string, AxiosResponseTransformer[] | undefined> = {
      default: undefined,
      wrap: [(data: string) => ({ raw: data.length, parsed: JSON.parse(data) as unknown })],
      chained: [...(axios.defaults.transformResponse as AxiosResponseTransformer[]), (data: unknown) => [data, typeof data]],
      none: [],
    };
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.constantFrom(...Object.keys(transforms)), fc.constantFrom<ResponseType | undefined>(undefined, 'json', 'text'), async (value, which, responseType) => {
        const { api } = setup(JSON.stringify(value));
        const config = { ...(transforms[which] ? { transformResponse: transforms[which] } : {}), ...(responseType ? { responseType } : {}) };
        await api.get('/p', config);
        const copied = await api.get('/p', { ...config, cache: { frozen: false } });
        const frozen = await api.get('/p', config);
        const frozenAgain = await api.get('/p', config);
        expect(frozen.cacheInfo?.status).to.equal('hit');
        expect(frozen.data).to.deep.equal(copied.data);
        expect(frozenAgain.data).to.equal(frozen.data);
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * The request model as callers see it: custom `key` and `partition` options that return nonsense, partitions,
 * the `secret` of keyed hashes, credentials in shared mode (RFC 9111 §3.5), per-caller `maxContentLength` and
 * `responseType` on hits, what a revalidation sends, and retries of a config the cache answered.
 */
import axios, { AxiosError } from 'axios';
import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheEventMap, CacheHandle, CacheOptions } from '../../lib/index.js';
import { cachedInstance, FakeClock, nock, ORIGIN, resetNock } from './helpers.js';

const FRESH = { 'cache-control': 'max-age=60' };

function errorsOf(cache: CacheHandle): CacheEventMap['error'][] {
  const errors: CacheEventMap['error'][] = [];
  cache.on('error', (event) => errors.push(event));
  return errors;
}

async function allKeys(cache: CacheHandle): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of cache.keys()) keys.push(key);
  return keys;
}

function userOf(config: InternalAxiosRequestConfig): string | undefined {
  const user = config.headers.get('x-user');
  return typeof user === 'string' ? user : undefined;
}

describe('attachCache: key and partition options that return nonsense', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  const unusable: ReadonlyArray<readonly [string, unknown]> = [
    ['an empty string', ''],
    ['a number', 42],
    ['undefined', undefined],
    ['an object', { key: 'k' }],
  ];

  for (const [what, value] of unusable) {
    it(`sends the request uncached, with an error event for operation 'key', when the key option returns ${what}`, async () => {
      const { api, cache } = cachedInstance({ key: (() => value) as unknown as CacheOptions['key'] });
      const errors = errorsOf(cache);
      const scope = nock(ORIGIN).get('/k').twice().reply(200, 'fine', FRESH);
      const first = await api.get('/k');
      const second = await api.get('/k');
      expect([first.data, second.data]).to.deep.equal(['fine', 'fine']);
      expect(second.fromCache).to.equal(false);
      expect(scope.isDone()).to.equal(true);
      expect(errors.map((event) => event.operation)).to.deep.equal(['key', 'key']);
      expect(errors[0]!.error).to.be.instanceOf(TypeError);
      expect(errors[0]!.error.message).to.include('"key"');
      expect(await allKeys(cache)).to.deep.equal([]);
    });
  }

  const badPartitions: ReadonlyArray<readonly [string, unknown]> = [
    ['an empty string', ''],
    ['a number', 7],
    ['an object', { user: 'alice' }],
    ['null', null],
  ];

  for (const [what, value] of badPartitions) {
    it(`sends the request uncached, with an error event for operation 'key', when the partition option returns ${what}`, async () => {
      const { api, cache } = cachedInstance({ partition: (() => value) as unknown as CacheOptions['partition'] });
      const errors = errorsOf(cache);
      const scope = nock(ORIGIN).get('/p').twice().reply(200, 'fine', FRESH);
      await api.get('/p');
      const second = await api.get('/p');
      expect(second.data).to.equal('fine');
      expect(second.fromCache).to.equal(false);
      expect(scope.isDone()).to.equal(true);
      expect(errors.map((event) => event.operation)).to.deep.equal(['key', 'key']);
      expect(errors[0]!.error.message).to.include('"partition"');
      expect(await allKeys(cache)).to.deep.equal([]);
    });
  }
});

describe('attachCache: partitions', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('never serves one partition\'s entry to another, and serves it again within the same partition', async () => {
    const { api } = cachedInstance({ partition: userOf });
    const scope = nock(ORIGIN).get('/me').twice().reply(200, function () {
      return `hello ${String(this.req.headers['x-user'])}`;
    }, FRESH);
    const alice = await api.get('/me', { headers: { 'x-user': 'alice' } });
    const bob = await api.get('/me', { headers: { 'x-user': 'bob' } });
    const aliceAgain = await api.get('/me', { headers: { 'x-user': 'alice' } });
    expect(scope.isDone()).to.equal(true);
    expect([alice.data, bob.data, aliceAgain.data]).to.deep.equal(['hello alice', 'hello bob', 'hello alice']);
    expect([alice.fromCache, bob.fromCache, aliceAgain.fromCache]).to.deep.equal([false, false, true]);
  });

  it('lets a request\'s own cache.partition win over the partition option', async () => {
    const { api } = cachedInstance({ partition: () => 'alice' });
    const scope = nock(ORIGIN).get('/me').twice().reply(200, 'x', FRESH);
    await api.get('/me');
    const bob = await api.get('/me', { cache: { partition: 'bob' } });
    const bobAgain = await api.get('/me', { cache: { partition: 'bob' } });
    const alice = await api.get('/me');
    expect(scope.isDone()).to.equal(true);
    expect([bob.fromCache, bobAgain.fromCache, alice.fromCache]).to.deep.equal([false, true, true]);
  });

  it('lets a POST invalidate the GET of the same URL in its own partition only', async () => {
    const { api } = cachedInstance({ partition: userOf });
    nock(ORIGIN).get('/doc').times(3).reply(200, 'doc', FRESH);
    nock(ORIGIN).post('/doc').reply(204);
    await api.get('/doc', { headers: { 'x-user': 'a' } });
    await api.get('/doc', { headers: { 'x-user': 'b' } });
    await api.post('/doc', 'change', { headers: { 'x-user': 'a' } });
    const a = await api.get('/doc', { headers: { 'x-user': 'a' } });
    const b = await api.get('/doc', { headers: { 'x-user': 'b' } });
    expect(a.fromCache).to.equal(false);
    expect(b.fromCache).to.equal(true);
  });

  it('keeps the partition value itself out of keys: only a keyed hash of it is stored', async () => {
    const session = 'session-4f1c2a9e7b5d3c8a';
    const { api, cache } = cachedInstance({ partition: () => session });
    nock(ORIGIN).get('/me').reply(200, 'x', FRESH);
    const response = await api.get('/me');
    expect(response.cacheInfo?.key).to.be.a('string').and.not.include(session);
    expect(response.cacheInfo?.key).to.match(/ partition:[0-9a-f]{64}$/);
    const keys = await allKeys(cache);
    expect(keys).to.have.length(1);
    expect(keys[0]).to.not.include(session);
  });
});

describe('attachCache: the secret of keyed hashes', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  for (const [what, secret] of [['a short string', 'too-short'], ['a number', 1234567890123456], ['an empty string', '']] as const) {
    it(`throws a TypeError naming "secret" at attachCache for ${what}`, () => {
      const api = axios.create({ baseURL: ORIGIN });
      expect(() => attachCache(api, { secret: secret as unknown as string })).to.throw(TypeError, /secret/);
    });
  }

  function twoInstances(secretA: string, secretB: string, options: CacheOptions = {}): [AxiosInstance, AxiosInstance] {
    const clock = new FakeClock();
    const store = new MemoryStore({ now: clock.now });
    const a = axios.create({ baseURL: ORIGIN });
    const b = axios.create({ baseURL: ORIGIN });
    attachCache(a, { store, now: clock.now, secret: secretA, ...options });
    attachCache(b, { store, now: clock.now, secret: secretB, ...options });
    return [a, b];
  }

  const SECRET = 'shared-secret-0123456789abcdef';
  const OTHER = 'another-secret-fedcba9876543210';
  const AUTH = { authorization: 'Bearer token-of-alice-77' };

  it('lets two instances with the same secret share a Vary: Authorization entry in one store', async () => {
    const [a, b] = twoInstances(SECRET, SECRET);
    const scope = nock(ORIGIN).get('/v').once().reply(200, 'mine', { ...FRESH, vary: 'Authorization' });
    await a.get('/v', { headers: AUTH });
    const shared = await b.get('/v', { headers: AUTH });
    expect(scope.isDone()).to.equal(true);
    expect(shared.fromCache).to.equal(true);
  });

  it('keeps two instances with different secrets from sharing a Vary: Authorization entry', async () => {
    const [a, b] = twoInstances(SECRET, OTHER);
    const scope = nock(ORIGIN).get('/v').twice().reply(200, 'mine', { ...FRESH, vary: 'Authorization' });
    await a.get('/v', { headers: AUTH });
    const other = await b.get('/v', { headers: AUTH });
    expect(scope.isDone()).to.equal(true);
    expect(other.fromCache).to.equal(false);
  });

  it('lets two instances with the same secret share an entry keyed by a credential matchHeader', async () => {
    const [a, b] = twoInstances(SECRET, SECRET, { matchHeaders: ['authorization'] });
    const scope = nock(ORIGIN).get('/m').once().reply(200, 'mine', FRESH);
    await a.get('/m', { headers: AUTH });
    const shared = await b.get('/m', { headers: AUTH });
    expect(scope.isDone()).to.equal(true);
    expect(shared.fromCache).to.equal(true);
  });

  it('keeps two instances with different secrets from sharing an entry keyed by a credential matchHeader', async () => {
    const [a, b] = twoInstances(SECRET, OTHER, { matchHeaders: ['authorization'] });
    const scope = nock(ORIGIN).get('/m').twice().reply(200, 'mine', FRESH);
    const first = await a.get('/m', { headers: AUTH });
    const other = await b.get('/m', { headers: AUTH });
    expect(scope.isDone()).to.equal(true);
    expect(other.fromCache).to.equal(false);
    expect(first.cacheInfo?.key).to.not.include('token-of-alice');
  });
});

describe('attachCache: credentialed requests in a shared cache (RFC 9111 §3.5)', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  const credentialed: ReadonlyArray<readonly [string, { url: string; headers?: Record<string, string> }, { url: string; headers?: Record<string, string> }]> = [
    ['an X-Api-Key header', { url: '/r', headers: { 'x-api-key': 'key-one-123' } }, { url: '/r', headers: { 'x-api-key': 'key-two-456' } }],
    ['an access_token query parameter', { url: '/r?access_token=token-one-123' }, { url: '/r?access_token=token-two-456' }],
  ];

  for (const [what, first, second] of credentialed) {
    it(`does not reuse a max-age response without public for another request carrying ${what}`, async () => {
      const { api } = cachedInstance({ shared: true });
      const scope = nock(ORIGIN).get('/r').query(true).twice().reply(200, 'private data', FRESH);
      await api.get(first.url, { headers: first.headers ?? {} });
      const other = await api.get(second.url, { headers: second.headers ?? {} });
      expect(scope.isDone()).to.equal(true);
      expect(other.fromCache).to.equal(false);
    });

    it(`stores a max-age response marked public for a request carrying ${what}, and reuses it for the same request`, async () => {
      const { api } = cachedInstance({ shared: true });
      const scope = nock(ORIGIN).get('/r').query(true).once().reply(200, 'public data', { 'cache-control': 'public, max-age=60' });
      await api.get(first.url, { headers: first.headers ?? {} });
      const again = await api.get(first.url, { headers: first.headers ?? {} });
      expect(scope.isDone()).to.equal(true);
      expect(again.fromCache).to.equal(true);
    });
  }

  it('reuses a public response across X-Api-Key values, which are not part of the URL (RFC 9111 §3.5)', async () => {
    const { api } = cachedInstance({ shared: true });
    const scope = nock(ORIGIN).get('/r').once().reply(200, 'public data', { 'cache-control': 'public, max-age=60' });
    await api.get('/r', { headers: { 'x-api-key': 'key-one-123' } });
    const other = await api.get('/r', { headers: { 'x-api-key': 'key-two-456' } });
    expect(scope.isDone()).to.equal(true);
    expect(other.fromCache).to.equal(true);
  });

  it('keeps requests with different credential query parameters apart even for a public response: they are different URLs', async () => {
    const { api } = cachedInstance({ shared: true });
    const scope = nock(ORIGIN).get('/r').query(true).twice().reply(200, 'public data', { 'cache-control': 'public, max-age=60' });
    await api.get('/r?access_token=token-one-123');
    const other = await api.get('/r?access_token=token-two-456');
    expect(scope.isDone()).to.equal(true);
    expect(other.fromCache).to.equal(false);
  });
});

describe('attachCache: what a hit must still respect of the caller\'s config', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('rejects a hit larger than the caller\'s maxContentLength, and serves it to a caller whose limit it fits', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/big').once().reply(200, 'x'.repeat(100), FRESH);
    await api.get('/big');
    const tooBig = await api.get('/big', { maxContentLength: 50 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(tooBig).to.be.instanceOf(AxiosError);
    expect((tooBig as AxiosError).message).to.include('maxContentLength size of 50 exceeded');
    const fits = await api.get('/big', { maxContentLength: 100 });
    expect(fits.fromCache).to.equal(true);
    expect(fits.data).to.equal('x'.repeat(100));
  });

  it('does not serve a stored text body to a caller asking for an arraybuffer: that one goes to the origin', async () => {
    const { api } = cachedInstance();
    const scope = nock(ORIGIN).get('/t').twice().reply(200, 'text body', { ...FRESH, 'content-type': 'text/plain' });
    await api.get('/t');
    const bytes = await api.get<ArrayBuffer>('/t', { responseType: 'arraybuffer' });
    expect(scope.isDone()).to.equal(true);
    expect(bytes.fromCache).to.equal(false);
    expect(Buffer.isBuffer(bytes.data) || bytes.data instanceof ArrayBuffer).to.equal(true);
  });

  it('does not serve a stored byte body to a caller asking for text: that one goes to the origin', async () => {
    const { api } = cachedInstance();
    const scope = nock(ORIGIN).get('/b').twice().reply(200, 'some bytes', { ...FRESH, 'content-type': 'application/octet-stream' });
    await api.get('/b', { responseType: 'arraybuffer' });
    const text = await api.get('/b', { responseType: 'text' });
    expect(scope.isDone()).to.equal(true);
    expect(text.fromCache).to.equal(false);
    expect(text.data).to.equal('some bytes');
  });
});

describe('attachCache: what a revalidation and a retry send', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('sends Cache-Control: max-age=0 with a revalidation when the caller set no Cache-Control', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/e').reply(200, 'v1', { 'cache-control': 'max-age=10', etag: '"v1"' });
    await api.get('/e');
    clock.advance(20_000);
    const scope = nock(ORIGIN).get('/e').matchHeader('if-none-match', '"v1"').matchHeader('cache-control', 'max-age=0').reply(304, '', { 'cache-control': 'max-age=10' });
    const revalidated = await api.get('/e');
    expect(scope.isDone()).to.equal(true);
    expect(revalidated.cacheInfo?.status).to.equal('revalidated');
  });

  it('keeps the caller\'s own Cache-Control on a revalidation', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/e').reply(200, 'v1', { 'cache-control': 'max-age=60', etag: '"v1"' });
    await api.get('/e');
    const scope = nock(ORIGIN).get('/e').matchHeader('if-none-match', '"v1"').matchHeader('cache-control', 'no-cache').reply(304, '', { 'cache-control': 'max-age=60' });
    const revalidated = await api.get('/e', { headers: { 'cache-control': 'no-cache' } });
    expect(scope.isDone()).to.equal(true);
    expect(revalidated.cacheInfo?.status).to.equal('revalidated');
  });

  it('sends a retried config to the origin instead of answering it with the stored error it retries', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/flaky').once().reply(503, 'down', FRESH);
    await api.get('/flaky').catch(() => undefined);
    const served = await api.get('/flaky').then(
      () => undefined,
      (error: unknown) => error as AxiosError,
    );
    expect(served?.response?.status).to.equal(503);
    expect(served?.response?.fromCache).to.equal(true);
    const scope = nock(ORIGIN).get('/flaky').once().reply(200, 'back', FRESH);
    const retried = await api.request(served!.config!);
    expect(scope.isDone()).to.equal(true);
    expect(retried.data).to.equal('back');
    expect(retried.fromCache).to.equal(false);
  });
});

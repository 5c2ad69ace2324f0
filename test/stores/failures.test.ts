/**
 * Store failures against real, private servers (never the shared ones): a server stopped in the
 * middle of a run, a server that hangs (SIGSTOP), a server that answers every command with an error.
 * At the store level the store rejects instead of answering wrong; end to end (through attachCache)
 * every HTTP request still succeeds from the origin, nothing wrong is served, and caching resumes.
 */
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { attachCache, type CacheHandle, type CacheStore } from '../../lib/index.js';
import { MongoStore } from '../../lib/stores/mongodb.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { missingServer, startPrivateFerretDb, startPrivateRedis, uniqueName, type PrivateServer } from '../support/servers.js';
import { makeRecord } from './fixtures.js';

const STORE_TIMEOUT_MS = 300;

/**
 * An origin as an axios adapter: every call answers `answer N` (N counts calls), cacheable for 60 s.
 * `given(path)` lists what it answered for a path, so a cached answer can be checked against it.
 */
function countingOrigin(): { adapter: AxiosAdapter; readonly calls: number; given(path: string): string[] } {
  let calls = 0;
  const answers = new Map<string, string[]>();
  const adapter: AxiosAdapter = (config) => {
    calls += 1;
    const path = config.url ?? '';
    answers.set(path, [...(answers.get(path) ?? []), `answer ${calls}`]);
    return Promise.resolve({ data: JSON.stringify(`answer ${calls}`), status: 200, statusText: 'OK', headers: { 'content-type': 'application/json', 'cache-control': 'max-age=60' }, config, request: {} });
  };
  return { adapter, get calls() { return calls; }, given: (path) => answers.get(path) ?? [] };
}

interface Rig {
  readonly api: AxiosInstance;
  readonly cache: CacheHandle;
  readonly origin: ReturnType<typeof countingOrigin>;
  readonly errors: string[];
  /** GETs `path` and checks the answer is right: the origin's latest answer, or one it gave for `path` before. */
  readonly fetch: (path: string) => Promise<{ data: unknown; fromCache: boolean }>;
}

function rig(store: CacheStore): Rig {
  const origin = countingOrigin();
  const api = axios.create({ adapter: origin.adapter, baseURL: 'http://origin.test' });
  const cache = attachCache(api, { store, storeTimeoutMs: STORE_TIMEOUT_MS });
  const errors: string[] = [];
  cache.on('error', (event) => errors.push(event.error.message));
  const fetch = async (path: string): Promise<{ data: unknown; fromCache: boolean }> => {
    const res = await api.get<string>(path);
    const fromCache = res.fromCache === true;
    if (!fromCache) expect(res.data).to.equal(`answer ${origin.calls}`);
    else expect(origin.given(path), `cached answer for ${path}`).to.include(res.data);
    return { data: res.data, fromCache };
  };
  return { api, cache, origin, errors, fetch };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Repeats `attempt` until it resolves true, or fails after `timeoutMs`. */
async function eventually(what: string, timeoutMs: number, attempt: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await attempt().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Caching works again: a fresh path is fetched twice and the second answer comes from the cache. */
async function cachingWorks(r: Rig, label: string): Promise<boolean> {
  const path = `/${uniqueName(label)}`;
  const first = await r.fetch(path);
  const second = await r.fetch(path);
  return second.fromCache && second.data === first.data;
}

/**
 * Fetches `path` until an answer comes from the cache (the cache may write in the background, so the
 * first repeat can still miss on a loaded machine); resolves the cached data.
 */
async function cachedAnswer(r: Rig, path: string): Promise<unknown> {
  let data: unknown;
  await eventually(`${path} answered from the cache`, 10_000, async () => {
    const res = await r.fetch(path);
    data = res.data;
    return res.fromCache;
  });
  return data;
}

/** The shared outage scenario for a store on a private server. */
function outageScenario(label: string, server: () => PrivateServer, store: () => CacheStore, keepsDataAcrossRestart: boolean): void {
  it(`${label}: requests succeed from the origin while the server is stopped, and caching resumes when it is back`, async function () {
    this.timeout(90_000);
    const r = rig(store());
    expect((await r.fetch('/a')).fromCache).to.equal(false);
    const cachedBefore = await cachedAnswer(r, '/a');

    await server().stop();
    for (const path of ['/a', '/b', '/a']) {
      expect((await r.fetch(path)).fromCache, path).to.equal(false); // answered by the origin, checked in fetch
    }
    expect(r.errors.length).to.be.greaterThan(0);

    await server().start();
    await eventually('caching resumes', 30_000, () => cachingWorks(r, label));
    // A persistent server still holds the entry (or a later origin answer whose write landed on
    // reconnect); a server without persistence lost it, and the request went to the origin.
    const again = await r.fetch('/a');
    if (keepsDataAcrossRestart) expect(again.fromCache).to.equal(true);
    else expect(again.data).to.not.equal(cachedBefore);
  });

  it(`${label}: requests go to the origin after the store timeout while the server hangs, and caching resumes when it answers`, async function () {
    this.timeout(90_000);
    const r = rig(store());
    await r.fetch('/h');
    await cachedAnswer(r, '/h');
    server().pause();
    try {
      const during = await r.fetch('/h2');
      expect(during.fromCache).to.equal(false);
      expect(r.errors.some((message) => /timed out/.test(message)), r.errors.join('; ')).to.equal(true);
    } finally {
      server().resume();
    }
    await eventually('caching resumes', 30_000, () => cachingWorks(r, `${label}-thaw`));
  });
}

describe('store failures with real servers', function () {
  describe('RedisStore on a private redis-server', function () {
    let redis: PrivateServer | undefined;
    const stores: CacheStore[] = [];

    before(async function () {
      this.timeout(30_000);
      redis = await startPrivateRedis();
      if (redis === undefined) missingServer(this, 'redis-server (for a private outage-test instance)');
    });
    after(async function () {
      for (const store of stores.splice(0)) await store.close?.();
      await redis?.dispose();
    });

    const makeStore = (): RedisStore => {
      const store = new RedisStore({ url: redis!.url, prefix: uniqueName('outage') });
      stores.push(store);
      return store;
    };

    it('rejects store operations while the server is stopped instead of answering wrong', async function () {
      this.timeout(30_000);
      const store = makeStore();
      const now = Date.now();
      await store.set('k', makeRecord('k', now), now + 60_000);
      await redis!.stop();
      try {
        const outcome = await store.get('k').then(() => 'resolved', (error: unknown) => (error instanceof Error ? 'rejected' : 'odd'));
        expect(outcome).to.equal('rejected');
      } finally {
        await redis!.start();
      }
      await eventually('store answers again', 20_000, async () => (await store.get('k')) === undefined); // data did not persist
    });

    outageScenario('Redis', () => redis!, makeStore, false);

    it('Redis answering every command with an error: requests succeed from the origin with error events', async function () {
      this.timeout(30_000);
      const locked = await startPrivateRedis(['--requirepass', 'not-given']);
      if (locked === undefined) this.skip();
      const store = new RedisStore({ url: locked.url });
      stores.push(store);
      try {
        const r = rig(store);
        expect((await r.fetch('/x')).fromCache).to.equal(false);
        expect((await r.fetch('/x')).fromCache).to.equal(false);
        expect(r.errors.some((message) => /NOAUTH|auth/i.test(message))).to.equal(true);
      } finally {
        await locked.dispose();
      }
    });
  });

  describe('RedisStore on a private redis-server that refuses writes', function () {
    let redis: PrivateServer | undefined;
    let admin: Redis | undefined;
    const stores: CacheStore[] = [];

    before(async function () {
      this.timeout(30_000);
      redis = await startPrivateRedis(['--maxmemory-policy', 'noeviction']);
      if (redis === undefined) missingServer(this, 'redis-server (for a private instance that refuses writes)');
      admin = new Redis(redis.url);
    });
    after(async function () {
      for (const store of stores.splice(0)) await store.close?.();
      await admin?.quit();
      await redis?.dispose();
    });
    afterEach(async function () {
      await admin?.config('SET', 'maxmemory', '0');
    });

    it('keeps serving stored entries while a full Redis (maxmemory 1mb, noeviction) refuses writes', async function () {
      this.timeout(30_000);
      const store = new RedisStore({ url: redis!.url, prefix: uniqueName('full') });
      stores.push(store);
      const r = rig(store);
      await r.fetch('/kept');
      const kept = await cachedAnswer(r, '/kept');
      await admin!.config('SET', 'maxmemory', '1mb');
      // Fill what is left, so every write is refused with OOM.
      for (let i = 0; ; i++) {
        const full = await admin!.set(`filler:${i}`, 'x'.repeat(64 * 1024)).then(() => false, (error: unknown) => /OOM/.test(String(error)));
        if (full) break;
      }
      for (const path of ['/new', '/kept', '/new', '/kept', '/other']) {
        const res = await r.fetch(path);
        expect(res.fromCache, path).to.equal(path === '/kept');
        if (path === '/kept') expect(res.data).to.equal(kept);
      }
      expect(r.errors.filter((message) => /OOM/.test(message)), r.errors.join('; ')).to.have.length(1);
    });

    it('keeps serving stored entries while an ACL forbids this client SET', async function () {
      this.timeout(30_000);
      await admin!.call('ACL', 'SETUSER', 'reader', 'on', '>reader-secret', '~*', '&*', '+@all');
      const store = new RedisStore({ url: redis!.url.replace('redis://', 'redis://reader:reader-secret@'), prefix: uniqueName('acl') });
      stores.push(store);
      const r = rig(store);
      await r.fetch('/kept');
      const kept = await cachedAnswer(r, '/kept');
      await admin!.call('ACL', 'SETUSER', 'reader', '-set');
      for (const path of ['/new', '/kept', '/new', '/kept']) {
        const res = await r.fetch(path);
        expect(res.fromCache, path).to.equal(path === '/kept');
        if (path === '/kept') expect(res.data).to.equal(kept);
      }
      expect(r.errors.some((message) => /NOPERM/.test(message)), r.errors.join('; ')).to.equal(true);
    });

    it('does not serve a record copied in Redis to another URL\'s key', async function () {
      this.timeout(30_000);
      const prefix = uniqueName('copied');
      const store = new RedisStore({ url: redis!.url, prefix });
      stores.push(store);
      const r = rig(store);
      await r.fetch('/mine');
      await cachedAnswer(r, '/mine');
      await admin!.copy(`${prefix}:GET http://origin.test/mine`, `${prefix}:GET http://origin.test/yours`);
      const yours = await r.fetch('/yours');
      expect(yours.fromCache).to.equal(false);
      expect(r.errors.some((message) => /holds the record of "GET http:\/\/origin.test\/mine"/.test(message)), r.errors.join('; ')).to.equal(true);
    });
  });

  describe('MongoStore on a private FerretDB', function () {
    let ferret: PrivateServer | undefined;
    const stores: CacheStore[] = [];

    before(async function () {
      this.timeout(60_000);
      ferret = await startPrivateFerretDb();
      if (ferret === undefined) missingServer(this, 'FerretDB binary (run .ci/ferretdb/ensure.sh)');
    });
    after(async function () {
      for (const store of stores.splice(0)) await store.close?.();
      await ferret?.dispose();
    });

    const makeStore = (): MongoStore => {
      const store = new MongoStore({
        url: ferret!.url,
        collectionName: uniqueName('outage'),
        clientOptions: { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 },
      });
      stores.push(store);
      return store;
    };

    outageScenario('FerretDB', () => ferret!, makeStore, true);

    it('skips a 20 MB response with an ECACHE_TOO_LARGE error event and keeps storing the small ones after it', async function () {
      this.timeout(60_000);
      const big = 'x'.repeat(20 * 1024 * 1024);
      const adapter: AxiosAdapter = (config) => Promise.resolve({
        data: config.url === '/big' ? big : `small ${config.url ?? ''}`,
        status: 200, statusText: 'OK', headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=60' }, config, request: {},
      });
      const api = axios.create({ adapter, baseURL: 'http://origin.test' });
      const cache = attachCache(api, { store: makeStore(), storeTimeoutMs: 5000 });
      const codes: string[] = [];
      cache.on('error', (event) => codes.push((event.error as Error & { code?: string }).code ?? event.error.message));
      expect((await api.get('/big')).data).to.have.length(big.length);
      for (const path of ['/s1', '/s2', '/s3']) await api.get(path);
      for (const path of ['/s1', '/s2', '/s3']) {
        const res = await api.get(path);
        expect([res.data, res.fromCache], path).to.deep.equal([`small ${path}`, true]);
      }
      expect((await api.get('/big')).fromCache).to.equal(false);
      expect(codes.filter((code) => code.startsWith('ECACHE_'))).to.deep.equal(['ECACHE_TOO_LARGE']);
    });
  });
});

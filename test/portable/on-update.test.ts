import { expect } from 'chai';
import type { CachedResponse, CacheHandle } from '../../lib/index.js';
import { cachedInstance, nock, ORIGIN, resetNock } from '../axios/helpers.js';

const SWR = { 'cache-control': 'max-age=1, stale-while-revalidate=600', 'content-type': 'application/json' };

/** Resolves after the next `count` calls of the returned callback, with their arguments. */
function calls(count: number): { onUpdate: (response: CachedResponse) => void; done: Promise<CachedResponse[]> } {
  const seen: CachedResponse[] = [];
  let resolve: (value: CachedResponse[]) => void = () => undefined;
  const done = new Promise<CachedResponse[]>((r) => (resolve = r));
  return {
    onUpdate: (response) => {
      seen.push(response);
      if (seen.length === count) resolve(seen);
    },
    done,
  };
}

/**
 * Resolves once `cache` has reported `event` (the background refresh's outcome) and every callback queued by it has
 * run: the refresh hands its response to onUpdate in promise callbacks right after it records its outcome.
 */
function after(cache: CacheHandle, event: 'miss' | 'revalidated'): Promise<void> {
  return new Promise((resolve) => {
    const listener = (): void => {
      cache.off(event, listener);
      setImmediate(resolve);
    };
    cache.on(event, listener);
  });
}

describe('cache.onUpdate: fresh data after a stale answer', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('hands the caller the refreshed, parsed response when the background refresh brings a changed body', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/u').reply(200, { v: 1 }, SWR);
    nock(ORIGIN).get('/u').reply(200, { v: 2 }, SWR);
    await api.get('/u');
    clock.advance(5_000);
    const { onUpdate, done } = calls(1);
    const stale = await api.get('/u', { cache: { onUpdate } });
    expect(stale.data).to.deep.equal({ v: 1 });
    const [update] = await done;
    expect(update!.data).to.deep.equal({ v: 2 });
    expect(update!.fromCache).to.equal(false);
    expect(update!.cacheInfo.status).to.equal('miss');
    expect(update!.status).to.equal(200);
  });

  it('is not called when the refresh brings the same body, or a 304', async () => {
    const { api, clock, cache } = cachedInstance();
    let called = 0;
    nock(ORIGIN).get('/same').reply(200, { v: 1 }, { ...SWR, etag: '"a"' });
    nock(ORIGIN).get('/same').reply(200, { v: 1 }, { ...SWR, etag: '"a"' });
    nock(ORIGIN).get('/same').reply(304, '', { ...SWR, etag: '"a"' });
    await api.get('/same');
    clock.advance(5_000);
    let refreshed = after(cache, 'miss');
    await api.get('/same', { cache: { onUpdate: () => (called += 1) } });
    await refreshed;
    clock.advance(5_000);
    refreshed = after(cache, 'revalidated');
    await api.get('/same', { cache: { onUpdate: () => (called += 1) } });
    await refreshed;
    expect(nock.pendingMocks()).to.deep.equal([]);
    expect(called).to.equal(0);
  });

  it('is never called for a refresh that failed', async () => {
    const { api, clock, cache } = cachedInstance();
    let called = 0;
    nock(ORIGIN).get('/fail').reply(200, 'v1', SWR);
    nock(ORIGIN).get('/fail').reply(500, 'broken');
    nock(ORIGIN).get('/fail').replyWithError('socket hang up');
    await api.get('/fail');
    clock.advance(5_000);
    let refreshed = after(cache, 'miss');
    await api.get('/fail', { cache: { onUpdate: () => (called += 1) } });
    await refreshed;
    refreshed = after(cache, 'miss');
    await api.get('/fail', { cache: { onUpdate: () => (called += 1) } });
    await refreshed;
    expect(nock.pendingMocks()).to.deep.equal([]);
    expect(called).to.equal(0);
    expect(cache.stats().errors).to.equal(0);
  });

  it('gives each stale caller sharing one background refresh its own call and its own response object', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/shared').reply(200, { v: 1 }, SWR);
    nock(ORIGIN).get('/shared').delay(30).reply(200, { v: 2 }, SWR);
    await api.get('/shared');
    clock.advance(5_000);
    const first = calls(1);
    const second = calls(1);
    await api.get('/shared', { cache: { onUpdate: first.onUpdate } });
    await api.get('/shared', { cache: { onUpdate: second.onUpdate } });
    const [[a], [b]] = await Promise.all([first.done, second.done]);
    expect(a!.data).to.deep.equal({ v: 2 });
    expect(b!.data).to.deep.equal({ v: 2 });
    expect(a).to.not.equal(b);
    expect(a!.data).to.not.equal(b!.data);
    expect(nock.pendingMocks()).to.deep.equal([]);
  });

  it('never hands one user\'s refresh to another user\'s onUpdate, nor one Vary variant\'s to another variant', async () => {
    const { api, clock } = cachedInstance({ shared: true });
    nock(ORIGIN).get('/me').reply(200, 'public v1', { 'cache-control': 'public, max-age=1, stale-while-revalidate=600' });
    nock(ORIGIN).get('/me').times(2).delay(30).reply(200, function () {
      return `secret of ${String(this.req.headers['authorization'])}`;
    }, { 'cache-control': 'private' });
    let version = 0;
    nock(ORIGIN).get('/lang').times(4).delay(10).reply(200, function () {
      version += 1;
      return `lang ${String(this.req.headers['accept-language'])} ${version > 2 ? 'new' : 'old'}`;
    }, { 'cache-control': 'max-age=1, stale-while-revalidate=600', vary: 'accept-language' });
    await api.get('/me', { headers: { authorization: 'Bearer alice' } });
    await api.get('/lang', { headers: { 'accept-language': 'en' } });
    await api.get('/lang', { headers: { 'accept-language': 'de' } });
    clock.advance(5_000);
    const alice = calls(1);
    const bob = calls(1);
    const en = calls(1);
    const de = calls(1);
    await api.get('/me', { headers: { authorization: 'Bearer alice' }, cache: { onUpdate: alice.onUpdate } });
    await api.get('/me', { headers: { authorization: 'Bearer bob' }, cache: { onUpdate: bob.onUpdate } });
    await api.get('/lang', { headers: { 'accept-language': 'en' }, cache: { onUpdate: en.onUpdate } });
    await api.get('/lang', { headers: { 'accept-language': 'de' }, cache: { onUpdate: de.onUpdate } });
    const [[toAlice], [toBob], [toEn], [toDe]] = await Promise.all([alice.done, bob.done, en.done, de.done]);
    expect([toAlice!.data, toBob!.data, toEn!.data, toDe!.data]).to.deep.equal(['secret of Bearer alice', 'secret of Bearer bob', 'lang en new', 'lang de new']);
  });

  it('gives a waiter that shares a refresh the response only when it was stored', async () => {
    const { api, clock, cache } = cachedInstance();
    nock(ORIGIN).get('/nostore').reply(200, 'v1', SWR);
    nock(ORIGIN).get('/nostore').delay(30).reply(200, 'v2', { 'cache-control': 'no-store' });
    await api.get('/nostore');
    clock.advance(5_000);
    const maker = calls(1);
    let waiterCalls = 0;
    const refreshed = after(cache, 'miss');
    await api.get('/nostore', { cache: { onUpdate: maker.onUpdate } });
    await api.get('/nostore', { cache: { onUpdate: () => (waiterCalls += 1) } });
    await refreshed;
    const [update] = await maker.done;
    expect(update!.data).to.equal('v2');
    expect(waiterCalls).to.equal(0);
  });

  it('turns a throwing or rejecting onUpdate into an error event, never an unhandled rejection', async () => {
    const { api, clock, cache } = cachedInstance();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      nock(ORIGIN).get('/throw').reply(200, 'v1', SWR);
      nock(ORIGIN).get('/throw').reply(200, 'v2', SWR);
      nock(ORIGIN).get('/throw').reply(200, 'v3', SWR);
      await api.get('/throw');
      const errors: string[] = [];
      let reported: () => void = () => undefined;
      cache.on('error', (event) => {
        errors.push(`${event.operation}: ${event.error.message}`);
        setImmediate(reported);
      });
      const nextError = (): Promise<void> => new Promise((resolve) => (reported = resolve));
      clock.advance(5_000);
      let failed = nextError();
      await api.get('/throw', { cache: { onUpdate: () => { throw new Error('render failed'); } } });
      await failed;
      clock.advance(5_000);
      failed = nextError();
      await api.get('/throw', { cache: { onUpdate: () => Promise.reject(new Error('async render failed')) } });
      await failed;
      expect(errors).to.deep.equal(['onUpdate: render failed', 'onUpdate: async render failed']);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('rejects a request whose cache.onUpdate is not a function with a TypeError naming it', async () => {
    const { api } = cachedInstance();
    const error = await api.get('/x', { cache: { onUpdate: 'render' as unknown as () => void } }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.match(/"cache\.onUpdate" must be a function/);
  });
});

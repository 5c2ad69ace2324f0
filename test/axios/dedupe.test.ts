import axios from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheRecord } from '../../lib/index.js';

/** An origin adapter the test controls: it counts calls and answers when told to. */
function controlledOrigin() {
  const pending: Array<{ config: InternalAxiosRequestConfig; resolve: (r: AxiosResponse) => void; reject: (e: unknown) => void }> = [];
  let calls = 0;
  const adapter: AxiosAdapter = (config) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      calls += 1;
      pending.push({ config, resolve, reject });
      config.signal?.addEventListener?.('abort', () => reject(new axios.CanceledError(undefined, undefined, config)));
    });
  return {
    adapter,
    get calls() {
      return calls;
    },
    answer(body: string, headers: Record<string, string> = { 'cache-control': 'max-age=60' }) {
      for (const p of pending.splice(0)) p.resolve({ data: body, status: 200, statusText: 'OK', headers, config: p.config, request: {} });
    },
    fail(error: Error) {
      for (const p of pending.splice(0)) p.reject(error);
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('attachCache: concurrent identical misses (dedupe)', () => {
  it('makes exactly one origin request for 100 concurrent identical cold requests', async () => {
    const origin = controlledOrigin();
    const api = axios.create({ baseURL: 'http://origin.test', adapter: origin.adapter });
    attachCache(api);
    const all = Promise.all(Array.from({ length: 100 }, () => api.get('/same')));
    await tick();
    origin.answer('{"ok":true}');
    const responses = await all;
    expect(origin.calls).to.equal(1);
    expect(responses.every((r) => (r.data as { ok: boolean }).ok)).to.equal(true);
    // Each caller has its own object.
    (responses[0]!.data as { ok: boolean }).ok = false;
    expect((responses[1]!.data as { ok: boolean }).ok).to.equal(true);
  });

  it('never shares a call between concurrent requests to one URL that differ in credentials, headers or size limit', async () => {
    const seen: string[] = [];
    const pending: Array<() => void> = [];
    const adapter: AxiosAdapter = (config) =>
      new Promise<AxiosResponse>((resolve) => {
        const sent = `${String(config.headers.get('authorization') ?? '-')} ${String(config.headers.get('x-variant') ?? '-')} ${String(config.maxContentLength)}`;
        seen.push(sent);
        pending.push(() => resolve({ data: sent, status: 200, statusText: 'OK', headers: { 'cache-control': 'private, max-age=60' }, config, request: {} }));
      });
    const api = axios.create({ baseURL: 'http://origin.test', adapter, responseType: 'text' });
    attachCache(api);
    const variants = [
      { headers: { authorization: 'Bearer alice' } },
      { headers: { authorization: 'Bearer bob' } },
      { headers: { authorization: 'Bearer alice', 'x-variant': '1' } },
      { headers: { authorization: 'Bearer alice' }, maxContentLength: 5000 },
    ];
    const all = Promise.all([...variants, ...variants].map((extra) => api.get<string>('/same', extra)));
    await tick();
    for (const answer of pending.splice(0)) answer();
    const bodies = (await all).map((response) => response.data);
    expect(seen).to.have.length(4);
    expect(new Set(seen).size).to.equal(4);
    expect(bodies).to.deep.equal([...seen, ...seen]);
  });

  it('rejects every waiter when the shared request fails, and the next request goes to the origin again', async () => {
    const origin = controlledOrigin();
    const api = axios.create({ baseURL: 'http://origin.test', adapter: origin.adapter });
    attachCache(api);
    const waits = Array.from({ length: 5 }, () => api.get('/boom').then(() => 'ok', (e: unknown) => (e as Error).message));
    await tick();
    origin.fail(new Error('origin down'));
    expect(await Promise.all(waits)).to.deep.equal(Array(5).fill('origin down'));
    const retry = api.get('/boom');
    await tick();
    origin.answer('"back"');
    expect((await retry).data).to.equal('back');
    expect(origin.calls).to.equal(2);
  });

  it('lets one caller cancel its own wait without cancelling the others', async () => {
    const origin = controlledOrigin();
    const api = axios.create({ baseURL: 'http://origin.test', adapter: origin.adapter });
    attachCache(api);
    const controller = new AbortController();
    const cancelled = api.get('/c', { signal: controller.signal }).then(() => 'resolved', (e: unknown) => (axios.isCancel(e) ? 'cancelled' : 'other'));
    const kept = api.get('/c');
    await tick();
    controller.abort();
    expect(await cancelled).to.equal('cancelled');
    origin.answer('"fine"');
    expect((await kept).data).to.equal('fine');
    expect(origin.calls).to.equal(1);
  });

  it('aborts the shared origin request when every waiter has cancelled', async () => {
    const origin = controlledOrigin();
    const api = axios.create({ baseURL: 'http://origin.test', adapter: origin.adapter });
    attachCache(api);
    const controller = new AbortController();
    const only = api.get('/gone', { signal: controller.signal }).catch((e: unknown) => e);
    await tick();
    controller.abort();
    expect(axios.isCancel(await only)).to.equal(true);
    const next = api.get('/gone');
    await tick();
    expect(origin.calls).to.equal(2);
    origin.answer('"again"');
    expect((await next).data).to.equal('again');
  });

  it('never joins a new caller to a shared request aborted because every waiter cancelled: it gets its own answer, not their cancellation', async () => {
    const pending: Array<() => void> = [];
    let calls = 0;
    // An origin whose aborted request rejects a moment after the abort, as a real connection does.
    const adapter: AxiosAdapter = (config) => new Promise<AxiosResponse>((resolve, reject) => {
      calls += 1;
      const call = calls;
      pending.push(() => {
        if (config.signal?.aborted !== true) resolve({ data: `"answer ${call}"`, status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} });
      });
      config.signal?.addEventListener?.('abort', () => setTimeout(() => reject(new axios.CanceledError(undefined, undefined, config)), 10));
    });
    const api = axios.create({ baseURL: 'http://origin.test', adapter });
    attachCache(api);
    const controller = new AbortController();
    const first = api.get('/late', { signal: controller.signal }).catch((e: unknown) => e);
    await tick();
    controller.abort();
    expect(axios.isCancel(await first)).to.equal(true);
    // The aborted request has not rejected yet.
    const next = api.get<string>('/late').catch((e: unknown) => e);
    await tick();
    for (const answer of pending.splice(0)) answer();
    const answered = await next;
    expect(axios.isCancel(answered)).to.equal(false);
    expect([calls, (answered as AxiosResponse<string>).data]).to.deep.equal([2, 'answer 2']);
  });

  it('joins a shared call that settled while this request was still reading a slow store', async () => {
    let calls = 0;
    const origin: AxiosAdapter = (config) => {
      calls += 1;
      return new Promise((resolve) => setTimeout(() => resolve({ data: '"v"', status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} }), 5));
    };
    // A store whose reads see the data as it was when they started, and answer later (like a slow database).
    const memory = new MemoryStore();
    let reads = 0;
    const store = {
      get: (key: string): Promise<CacheRecord | undefined> => {
        const snapshot = memory.get(key);
        const delayMs = 12 * reads++;
        return new Promise((resolve) => setTimeout(() => resolve(snapshot), delayMs));
      },
      set: (key: string, record: CacheRecord, expiresAt: number) => memory.set(key, record, expiresAt),
      delete: (key: string) => memory.delete(key),
    };
    const api = axios.create({ adapter: origin });
    attachCache(api, { store });
    const responses = await Promise.all(Array.from({ length: 6 }, () => api.get('http://slow.test/x')));
    expect(responses.map((r) => r.data as unknown)).to.deep.equal(Array(6).fill('v'));
    expect(calls).to.equal(1);
  });

  it('makes one origin request per caller when dedupe is false', async () => {
    const origin = controlledOrigin();
    const api = axios.create({ baseURL: 'http://origin.test', adapter: origin.adapter });
    attachCache(api, { dedupe: false });
    const all = Promise.all([api.get('/d'), api.get('/d'), api.get('/d')]);
    await tick();
    origin.answer('1');
    await all;
    expect(origin.calls).to.equal(3);
  });
});

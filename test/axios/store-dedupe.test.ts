// dedupe: 'store' within one process: several cached instances sharing one MemoryStore stand for several processes
// sharing a Redis or MongoDB store (test/stores/store-dedupe.test.ts runs the same with real processes and servers).
import axios, { CanceledError } from 'axios';
import type { AxiosAdapter, AxiosInstance, AxiosResponse } from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheEventMap, CacheOptions, CacheStore } from '../../lib/index.js';
import { storeOver } from '../support/store-over.js';

const SECRET = 'the same secret in every process';

/**
 * An origin adapter answering after `delayMs` (or the delay for the nth call) with the headers `answer` gives for the
 * request; counts calls, and gives up a call whose signal aborts, as a real adapter does.
 */
function slowOrigin(delayMs: number | ((call: number) => number), answer: (headers: Record<string, unknown>, call: number) => { body: string; headers: Record<string, string>; status?: number }) {
  let calls = 0;
  const adapter: AxiosAdapter = (config) => {
    calls += 1;
    const call = calls;
    const { body, headers, status } = answer(config.headers.toJSON(), call);
    return new Promise<AxiosResponse>((resolve, reject) => {
      // Bytes for a caller that asks for bytes, as axios' http adapter hands them over.
      const data = config.responseType === 'arraybuffer' ? Buffer.from(body) : body;
      const timer = setTimeout(() => resolve({ data, status: status ?? 200, statusText: 'OK', headers, config, request: {} }), typeof delayMs === 'number' ? delayMs : delayMs(call));
      const signal = config.signal as AbortSignal | undefined;
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new CanceledError(undefined, undefined, config));
      });
    });
  };
  return {
    adapter,
    get calls() {
      return calls;
    },
  };
}

/** An origin that answers, after 100 ms, the request's accept-language, varying on it and cacheable for 60 s. */
function languageOrigin(): ReturnType<typeof slowOrigin> {
  return slowOrigin(100, (headers) => ({
    body: JSON.stringify(headers['accept-language']),
    headers: { 'cache-control': 'max-age=60', vary: 'accept-language' },
  }));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Records every lease() call on `store` (the name and the token), passing it on. */
function leaseCalls(store: MemoryStore): Array<{ name: string; token: string }> {
  const calls: Array<{ name: string; token: string }> = [];
  const lease = store.lease.bind(store);
  store.lease = (name, token, ttlMs) => {
    calls.push({ name, token });
    return lease(name, token, ttlMs);
  };
  return calls;
}

/** One "process": an axios instance of its own, caching into the shared store. */
function processOn(store: CacheStore, adapter: AxiosAdapter, options: CacheOptions = {}): { api: AxiosInstance; errors: Array<CacheEventMap['error']> } {
  const api = axios.create({ baseURL: 'http://origin.test', adapter });
  const cache = attachCache(api, { store, dedupe: 'store', secret: SECRET, ...options });
  const errors: Array<CacheEventMap['error']> = [];
  cache.on('error', (event) => errors.push(event));
  return { api, errors };
}

const cacheable = () => ({ body: '"shared"', headers: { 'cache-control': 'max-age=60' } });

describe("dedupe: 'store' (cross-process single flight, instances sharing a store)", () => {
  it('sends one origin request for 4 instances x 50 concurrent identical cold requests, and answers every caller', async () => {
    const store = new MemoryStore();
    const origin = slowOrigin(50, cacheable);
    const processes = Array.from({ length: 4 }, () => processOn(store, origin.adapter));
    const responses = await Promise.all(processes.flatMap(({ api }) => Array.from({ length: 50 }, () => api.get<string>('/cold'))));
    expect(origin.calls).to.equal(1);
    expect(responses.map((r) => r.data)).to.deep.equal(Array(200).fill('shared'));
    expect(responses.filter((r) => r.cacheInfo?.status === 'miss')).to.have.length(50);
    expect(responses.filter((r) => r.cacheInfo?.status === 'hit')).to.have.length(150);
  });

  it('sends every waiter to the origin at once when the leader answer is not storable, not after the lease', async () => {
    const store = new MemoryStore();
    const origin = slowOrigin(100, () => ({ body: '"private"', headers: { 'cache-control': 'no-store' } }));
    const [a, b] = [processOn(store, origin.adapter, { dedupeLeaseMs: 10_000 }), processOn(store, origin.adapter, { dedupeLeaseMs: 10_000 })];
    const started = performance.now();
    const first = a.api.get<string>('/nostore');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await b.api.get<string>('/nostore');
    expect((await first).data).to.equal('private');
    expect(second.data).to.equal('private');
    expect(origin.calls).to.equal(2);
    expect(performance.now() - started).to.be.below(2000);
  });

  it('takes over from a leader that never gives its lease back once the lease has run out', async () => {
    const store = new MemoryStore();
    const origin = slowOrigin(10, cacheable);
    // Every lease of this store is held by a leader that has gone (crashed): taken, never released.
    const lease = store.lease.bind(store);
    let vanished = true;
    store.lease = (name, token, ttlMs) => {
      if (vanished) {
        vanished = false;
        lease(name, 'a leader that crashed', ttlMs);
      }
      return lease(name, token, ttlMs);
    };
    const { api } = processOn(store, origin.adapter, { dedupeLeaseMs: 300 });
    const started = performance.now();
    const responses = await Promise.all(Array.from({ length: 5 }, () => api.get<string>('/orphaned')));
    const waited = performance.now() - started;
    expect(responses.map((r) => r.data)).to.deep.equal(Array(5).fill('shared'));
    expect(origin.calls).to.equal(1);
    expect(waited).to.be.at.least(250);
  });

  it('degrades to in-process de-duplication with an error event when the store cannot take a lease', async () => {
    const store = new MemoryStore();
    store.lease = () => {
      throw new Error('lease refused');
    };
    const origin = slowOrigin(20, cacheable);
    const one = processOn(store, origin.adapter);
    const responses = await Promise.all(Array.from({ length: 10 }, () => one.api.get<string>('/broken-lease')));
    expect(responses.map((r) => r.data)).to.deep.equal(Array(10).fill('shared'));
    expect(origin.calls).to.equal(1);
    expect(one.errors.map((e) => e.operation)).to.deep.equal(['lease']);
  });

  it('gives back a lease the store took only after storeTimeoutMs, once that late answer arrives, so that no other process waits for it', async () => {
    const memory = new MemoryStore();
    const lateAnswers: Array<Promise<string>> = [];
    let leased = '';
    // A store whose lease() takes the lease, but answers only after the cache has stopped waiting.
    const slow = storeOver(memory, {
      lease: (name, token, ttlMs) => {
        leased = name;
        const answer = sleep(150).then(() => memory.lease(name, token, ttlMs));
        lateAnswers.push(answer);
        return answer;
      },
      release: (name, token) => memory.release(name, token),
    });
    const origin = slowOrigin(10, cacheable);
    const one = processOn(slow, origin.adapter, { storeTimeoutMs: 50 });
    expect((await one.api.get<string>('/late-lease')).data).to.equal('shared');
    expect(one.errors.map((event) => event.operation)).to.include('lease');
    await Promise.all(lateAnswers);
    await new Promise((resolve) => setImmediate(resolve));
    expect(memory.lease(leased, 'another process', 1000)).to.equal('another process');
  });

  it('keeps its lease when a renewal is answered late: the leader is still at work', async () => {
    const memory = new MemoryStore();
    let leased = '';
    let calls = 0;
    // The first lease() is answered at once; every renewal after the cache has stopped waiting for it.
    const store = storeOver(memory, {
      lease: (name, token, ttlMs) => {
        leased = name;
        calls += 1;
        return calls === 1 ? memory.lease(name, token, ttlMs) : sleep(300).then(() => memory.lease(name, token, ttlMs));
      },
      release: (name, token) => memory.release(name, token),
    });
    const origin = slowOrigin(1200, cacheable);
    // Renewed at 200 ms, answered at 500 ms: held until 1100 ms, where the first take ran out at 600 ms.
    const { api } = processOn(store, origin.adapter, { dedupeLeaseMs: 600, storeTimeoutMs: 100 });
    const leading = api.get('/late-renewal');
    await sleep(800);
    const holder = memory.lease(leased, 'another process', 1000);
    expect(holder).to.not.equal('another process');
    memory.release(leased, holder);
    await leading;
  });

  it("never makes one user wait for another user's lease, nor serves one user's variant to another", async () => {
    const store = new MemoryStore();
    const origin = slowOrigin(200, (headers) => ({
      body: JSON.stringify(headers['authorization']),
      headers: { 'cache-control': 'max-age=60', vary: 'authorization' },
    }));
    const [a, b] = [processOn(store, origin.adapter), processOn(store, origin.adapter)];
    const started = performance.now();
    const [alice, bob] = await Promise.all([
      a.api.get<string>('/me', { headers: { authorization: 'Bearer alice' } }),
      b.api.get<string>('/me', { headers: { authorization: 'Bearer bob' } }),
    ]);
    expect(performance.now() - started).to.be.below(390); // side by side, not one after the other
    expect([alice.data, bob.data]).to.deep.equal(['Bearer alice', 'Bearer bob']);
    expect(origin.calls).to.equal(2);
  });

  it('answers from the origin, not from the entry another process stored, a request whose Vary values differ', async () => {
    const store = new MemoryStore();
    const origin = languageOrigin();
    const [a, b] = [processOn(store, origin.adapter), processOn(store, origin.adapter)];
    const [en, fr] = await Promise.all([
      a.api.get<string>('/hello', { headers: { 'accept-language': 'en' } }),
      b.api.get<string>('/hello', { headers: { 'accept-language': 'fr' } }),
    ]);
    expect([en.data, fr.data]).to.deep.equal(['en', 'fr']);
    expect(origin.calls).to.equal(2);
  });

  it("goes on at once when the leader's entry is another Vary variant, though the leader's release was lost: it does not wait out the lease", async function () {
    this.timeout(20_000);
    const store = new MemoryStore();
    store.release = () => undefined; // every release is lost: leases stay until they run out
    const origin = languageOrigin();
    const options = { dedupeLeaseMs: 60_000, storeTimeoutMs: 100 };
    const [a, b] = [processOn(store, origin.adapter, options), processOn(store, origin.adapter, options)];
    const en = a.api.get<string>('/variants', { headers: { 'accept-language': 'en' } });
    await sleep(20);
    const fr = await b.api.get<string>('/variants', { headers: { 'accept-language': 'fr' } });
    expect([(await en).data, fr.data]).to.deep.equal(['en', 'fr']);
    expect(origin.calls).to.equal(2);
  });

  it("lets one of the waiters for another Vary variant lead once the leader's entry arrives, and the others wait for it", async () => {
    const store = new MemoryStore();
    const origin = languageOrigin();
    const processes = Array.from({ length: 4 }, () => processOn(store, origin.adapter));
    const en = processes[0]?.api.get<string>('/languages', { headers: { 'accept-language': 'en' } });
    await sleep(20);
    const fr = await Promise.all(processes.slice(1).map(({ api }) => api.get<string>('/languages', { headers: { 'accept-language': 'fr' } })));
    expect((await en)?.data).to.equal('en');
    expect(fr.map((r) => r.data)).to.deep.equal(['fr', 'fr', 'fr']);
    expect(fr.map((r) => r.cacheInfo?.status).sort()).to.deep.equal(['hit', 'hit', 'miss']);
    expect(origin.calls).to.equal(2);
  });

  it("sends waiters to the origin together, not one after another, when the leader's entry is too old for their own min-fresh", async () => {
    const store = new MemoryStore();
    let inFlight = 0;
    let mostInFlight = 0;
    const origin = slowOrigin(100, cacheable);
    const counting: AxiosAdapter = async (config) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      try {
        return await origin.adapter(config);
      } finally {
        inFlight -= 1;
      }
    };
    const processes = Array.from({ length: 4 }, () => processOn(store, counting));
    const leading = processes[0]?.api.get<string>('/min-fresh');
    await sleep(20);
    // max-age=60 never has 120 s of freshness left: no entry stored for them will do.
    const demanding = await Promise.all(processes.slice(1).map(({ api }) => api.get<string>('/min-fresh', { headers: { 'cache-control': 'min-fresh=120' } })));
    expect((await leading)?.data).to.equal('shared');
    expect(demanding.map((r) => r.cacheInfo?.status)).to.deep.equal(['miss', 'miss', 'miss']);
    expect(origin.calls).to.equal(4);
    expect(mostInFlight).to.equal(3);
  });

  it('waits for the new entry when the entry already stored cannot answer (text stored, bytes asked for), not going on its own', async () => {
    const store = new MemoryStore();
    const origin = slowOrigin(100, cacheable);
    const [a, b] = [processOn(store, origin.adapter), processOn(store, origin.adapter)];
    await a.api.get('/kinds'); // stored as text
    const asked = await Promise.all([a.api.get('/kinds', { responseType: 'arraybuffer' }), b.api.get('/kinds', { responseType: 'arraybuffer' })]);
    expect(asked.map((response) => response.cacheInfo?.status).sort()).to.deep.equal(['hit', 'miss']);
    expect(asked.every((response) => response.data instanceof ArrayBuffer || Buffer.isBuffer(response.data))).to.equal(true);
    expect(origin.calls).to.equal(2);
  });

  it('sends one origin request when the origin takes three times dedupeLeaseMs: the leader renews its lease while its call runs', async () => {
    const store = new MemoryStore();
    const origin = slowOrigin(900, cacheable);
    const processes = Array.from({ length: 3 }, () => processOn(store, origin.adapter, { dedupeLeaseMs: 300 }));
    const responses = await Promise.all(processes.flatMap(({ api }) => Array.from({ length: 5 }, () => api.get<string>('/slow'))));
    expect(origin.calls).to.equal(1);
    expect(responses.map((r) => r.data)).to.deep.equal(Array(15).fill('shared'));
    expect(responses.filter((r) => r.cacheInfo?.status === 'hit')).to.have.length(10);
  });

  it('renews the lease only while the origin call runs: once answered, the leader gives it back and renews no more', async () => {
    const store = new MemoryStore();
    const calls = leaseCalls(store);
    const origin = slowOrigin(400, cacheable);
    const { api } = processOn(store, origin.adapter, { dedupeLeaseMs: 100 });
    await api.get('/renewed');
    const leader = calls[0];
    expect(calls.filter((call) => call.token === leader?.token).length).to.be.at.least(2); // taken, then renewed
    const made = calls.length;
    await sleep(300);
    expect(calls).to.have.length(made);
    expect(store.lease(leader?.name ?? '', 'the next miss', 1000)).to.equal('the next miss');
  });

  it('stops renewing after dedupeWaitMs, by when every waiter has gone on its own: the lease of an origin call that hangs then runs out', async () => {
    const store = new MemoryStore();
    const calls = leaseCalls(store);
    const origin = slowOrigin(1200, cacheable);
    const { api } = processOn(store, origin.adapter, { dedupeLeaseMs: 150, dedupeWaitMs: 300 });
    const hanging = api.get('/hanging');
    await sleep(900); // renewed until about 300 ms, so held until about 450 ms at most
    expect(store.lease(calls[0]?.name ?? '', 'a later miss', 1000)).to.equal('a later miss');
    await hanging;
  });

  it('lets one waiter take over, not all of them, when every caller of the leader cancels: the lease is given back, not handed on as a pass', async () => {
    const store = new MemoryStore();
    const origin = slowOrigin((call) => (call === 1 ? 2000 : 50), (_headers, call) => ({ body: JSON.stringify(`call ${call}`), headers: { 'cache-control': 'max-age=60' } }));
    const [a, b, c] = [processOn(store, origin.adapter), processOn(store, origin.adapter), processOn(store, origin.adapter)];
    const controller = new AbortController();
    const leading = a.api.get<string>('/cancelled', { signal: controller.signal });
    await sleep(50);
    const waiting = Promise.all([b.api.get<string>('/cancelled'), c.api.get<string>('/cancelled')]);
    await sleep(50);
    controller.abort();
    expect(await leading.then(() => 'answered', (error: unknown) => axios.isCancel(error))).to.equal(true);
    expect((await waiting).map((r) => r.data)).to.deep.equal(['call 2', 'call 2']);
    expect(origin.calls).to.equal(2);
  });

  it("fails a waiter with axios' timeout error once its own timeout passes, while the leader holds its lease", async () => {
    const store = new MemoryStore();
    const origin = slowOrigin(600, cacheable);
    const [a, b] = [processOn(store, origin.adapter, { dedupeLeaseMs: 150 }), processOn(store, origin.adapter, { dedupeLeaseMs: 150 })];
    const leading = a.api.get<string>('/timed');
    await sleep(20);
    // A timeout past the lease's first time, within the leader's call.
    const failure: unknown = await b.api.get('/timed', { timeout: 400 }).then(() => undefined, (error: unknown) => error);
    expect(axios.isAxiosError(failure) && failure.code).to.equal('ECONNABORTED');
    expect((await leading).data).to.equal('shared');
    expect(origin.calls).to.equal(1); // the waiter did not go to the origin when the lease's first time ran out
  });

  it('sends a waiter to the origin itself once it has waited dedupeWaitMs, though the leader still holds its lease', async () => {
    const store = new MemoryStore();
    const origin = slowOrigin((call) => (call === 1 ? 1500 : 10), (_headers, call) => ({ body: JSON.stringify(`call ${call}`), headers: { 'cache-control': 'max-age=60' } }));
    const [a, b] = [processOn(store, origin.adapter), processOn(store, origin.adapter, { dedupeWaitMs: 100 })];
    const leading = a.api.get<string>('/patience');
    await sleep(20);
    const impatient = await b.api.get<string>('/patience');
    expect([impatient.data, impatient.cacheInfo?.status]).to.deep.equal(['call 2', 'miss']);
    expect(origin.calls).to.equal(2);
    expect((await leading).data).to.equal('call 1');
  });

  it('refuses a dedupe value other than true, false or "store", naming the option', () => {
    expect(() => attachCache(axios.create(), { dedupe: 'redis' as unknown as 'store' })).to.throw(TypeError, /option "dedupe" must be true, false or 'store', got "redis"/);
  });

  it('refuses dedupe: "store" with a store that keeps no leases, and dedupeLeaseMs or dedupeWaitMs without it or below 1 ms', () => {
    const leaseless: CacheStore = { get: () => undefined, set: () => undefined, delete: () => undefined };
    expect(() => attachCache(axios.create(), { store: leaseless, dedupe: 'store' })).to.throw(TypeError, /option "dedupe" is 'store', but this store keeps no leases/);
    expect(() => attachCache(axios.create(), { dedupeLeaseMs: 1000 })).to.throw(TypeError, /option "dedupeLeaseMs" applies only with dedupe: 'store'/);
    expect(() => attachCache(axios.create(), { dedupe: 'store', dedupeLeaseMs: 0 })).to.throw(TypeError, /option "dedupeLeaseMs" must be at least 1 ms/);
    expect(() => attachCache(axios.create(), { dedupeWaitMs: 1000 })).to.throw(TypeError, /option "dedupeWaitMs" applies only with dedupe: 'store'/);
    expect(() => attachCache(axios.create(), { dedupe: 'store', dedupeWaitMs: 0.5 })).to.throw(TypeError, /option "dedupeWaitMs" must be at least 1 ms/);
    expect(() => attachCache(axios.create(), { dedupe: 'store', dedupeWaitMs: Number.NaN })).to.throw(TypeError, /option "dedupeWaitMs" must be a non-negative number of milliseconds/);
  });
});

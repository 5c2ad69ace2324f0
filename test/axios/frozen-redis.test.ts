import axios, { AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse } from 'axios';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { attachCache } from '../../lib/index.js';
import { MemoryStore } from '../../lib/stores/memory.js';
import { RedisStore, type RedisClientLike } from '../../lib/stores/redis.js';
import { TieredStore } from '../../lib/stores/tiered.js';
import { missingServer, sharedRedisUrl, uniqueName } from '../support/servers.js';

/** A client that forwards to ioredis and counts the commands it is sent. */
function counting(client: Redis, counts: Map<string, number>): RedisClientLike {
  return new Proxy({} as RedisClientLike, {
    get(_target, property) {
      const value: unknown = Reflect.get(client, property, client);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts.set(String(property), (counts.get(String(property)) ?? 0) + 1);
        return (value as (...args: unknown[]) => unknown).apply(client, args);
      };
    },
  });
}

function origin(state: { body: string; calls: number }): AxiosAdapter {
  return (config) => {
    state.calls += 1;
    const response: AxiosResponse = { data: state.body, status: 200, statusText: 'OK', headers: new AxiosHeaders({ 'cache-control': 'max-age=600' }), config, request: {} };
    return Promise.resolve(response);
  };
}

describe('frozen: true over RedisStore', function () {
  let url: string;
  let client: Redis;

  before(async function () {
    const found = await sharedRedisUrl();
    if (found === undefined) missingServer(this, 'Redis');
    url = found;
    client = new Redis(url);
  });

  after(async () => {
    await client?.quit();
  });

  function instance(prefix: string, counts = new Map<string, number>(), memoBytes?: number) {
    const state = { body: '{"list":[1,2,3],"name":"first"}', calls: 0 };
    const store = new RedisStore({ client: counting(client, counts), prefix, ...(memoBytes === undefined ? {} : { memoBytes }) });
    const api = axios.create({ baseURL: 'http://api.test', adapter: origin(state) });
    attachCache(api, { store, frozen: true });
    return { api, store, state, counts };
  }

  it('shares one frozen object between hits, and reads only the head of the entry once it holds it', async () => {
    const { api, store, counts } = instance(uniqueName('frozen'));
    await api.get('/a');
    const first = await api.get('/a');
    counts.clear();
    const second = await api.get('/a');
    const third = await api.get('/a');
    expect(second.data).to.equal(first.data);
    expect(third.data).to.equal(first.data);
    expect(Object.isFrozen(first.data)).to.equal(true);
    expect(counts.get('getBuffer') ?? 0).to.equal(0);
    expect(counts.get('getrangeBuffer')).to.equal(2);
    await store.clear();
  });

  it('serves what another process wrote since: the head no longer matches, so the entry is read again', async () => {
    const prefix = uniqueName('frozen-other');
    const mine = instance(prefix);
    const theirs = instance(prefix);
    await mine.api.get('/a');
    const before = await mine.api.get('/a');
    await mine.api.get('/a');
    theirs.state.body = '{"list":[],"name":"second"}';
    await theirs.api.get('/a', { cache: { forceRefresh: true } });
    const after = await mine.api.get('/a');
    expect(before.data).to.deep.equal({ list: [1, 2, 3], name: 'first' });
    expect(after.cacheInfo?.status).to.equal('hit');
    expect(after.data).to.deep.equal({ list: [], name: 'second' });
    await mine.store.clear();
  });

  it('answers a miss once another process deleted the entry', async () => {
    const prefix = uniqueName('frozen-deleted');
    const mine = instance(prefix);
    const theirs = instance(prefix);
    await mine.api.get('/a');
    await mine.api.get('/a');
    await theirs.store.clear();
    const after = await mine.api.get('/a');
    expect(after.cacheInfo?.status).to.equal('miss');
    expect(mine.state.calls).to.equal(2);
    await mine.store.clear();
  });

  it('holds nothing with memoBytes 0: every hit reads the whole entry, and still gets frozen data', async () => {
    const { api, store, counts } = instance(uniqueName('frozen-off'), new Map(), 0);
    await api.get('/a');
    await api.get('/a');
    counts.clear();
    const hit = await api.get('/a');
    expect(Object.isFrozen(hit.data)).to.equal(true);
    expect(counts.get('getrangeBuffer') ?? 0).to.equal(0);
    expect(counts.get('getBuffer')).to.equal(1);
    await store.clear();
  });

  it('under a TieredStore, never hands out again frozen data of an entry the near tier dropped: the far store answers a record the data is not attached to', async () => {
    const prefix = uniqueName('ahc-frozen-tiered');
    const state = { body: JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ a: i }))), calls: 0 };
    const near = new MemoryStore({ maxEntries: 2 });
    const far = new RedisStore({ client, prefix });
    const store = new TieredStore({ near, far });
    const retained: string[] = [];
    const retain = near.retain.bind(near);
    near.retain = (key, record, bytes) => {
      const kept = retain(key, record, bytes);
      if (kept) retained.push(key);
      return kept;
    };
    const api = axios.create({ baseURL: 'http://api.test', adapter: origin(state) });
    attachCache(api, { store, frozen: true });
    const turn = (): Promise<unknown> => new Promise((resolve) => setImmediate(resolve));
    const paths = ['/t0', '/t1', '/t2', '/t3'];
    try {
      for (const path of paths) await api.get(path); // misses: the near tier keeps the last two
      const made = new Map<string, unknown>();
      for (const path of paths) {
        await api.get(path); // a far hit for t0 and t1 (the near tier is filled on the next turn)
        await turn();
        made.set(path, (await api.get(path)).data); // a near hit: frozen data made, counted by the near tier
        await turn();
      }
      // The near tier holds t2 and t3 now: t0 is read from Redis again, the same bytes as before.
      retained.length = 0;
      const again = await api.get('/t0');
      expect(again.cacheInfo?.status).to.equal('hit');
      expect(again.data === made.get('/t0') && retained.length === 0, 'frozen data handed out again without any store counting it').to.equal(false);
    } finally {
      await far.clear();
      await store.close();
    }
  });

  it('rejects a memoBytes that is not a non-negative integer, naming it', () => {
    expect(() => new RedisStore({ client, memoBytes: -1 })).to.throw(TypeError, /memoBytes/);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { expect } from 'chai';
import { Redis, type Cluster } from 'ioredis';
import { attachCache } from '../../lib/index.js';
import { RedisStore } from '../../lib/stores/redis.js';
import { TieredStore } from '../../lib/stores/tiered.js';
import { withoutNock } from '../support/real-http.js';
import { clusterForTests, masterIds, privateClusterForTests, reshard, waitClusterOk, type RedisClusterHandle } from '../support/redis-cluster.js';
import { uniqueName } from '../support/servers.js';
import { makeRecord } from './fixtures.js';
import { redisHarness } from './redis-harness.js';
import { runStoreContract, type StoreHarness, type TestClock } from './store-contract.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but it resolved');
}

/** Writes `count` entries k0..k(count-1) (spread over every slot) through `store`. */
async function fill(store: RedisStore, count: number, now = Date.now()): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => store.set(`k${i}`, makeRecord(`k${i}`, now), now + 120_000)));
}

/** Keys under `prefix:` on every master, counted by each node itself (not through the store). */
async function rawCount(client: Cluster, prefix: string): Promise<number> {
  let total = 0;
  for (const node of client.nodes('master')) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      total += found.length;
    } while (cursor !== '0');
  }
  return total;
}

describe('RedisStore on a real Redis Cluster (3 masters)', function () {
  this.timeout(60_000);
  let cluster: RedisClusterHandle;
  let raw: Cluster;

  before(async function () {
    cluster = await clusterForTests(this);
    raw = cluster.client();
  });

  after(async function () {
    raw?.disconnect();
    await cluster?.dispose();
  });

  const harness = (clock: TestClock): Promise<StoreHarness> => {
    const prefix = uniqueName('ahc-cluster');
    return redisHarness({
      raw,
      client: () => raw,
      peer: () => ({ client: cluster.client() }),
      prefix,
      foreignKey: `${prefix}-foreign:survivor`,
      listingsFollowBackEndClock: 'keys are written with the time left (PX), counted down by each Redis node',
    }, clock);
  };

  runStoreContract('RedisStore over an ioredis Cluster', harness, { largeBodyBytes: 1024 * 1024 });

  describe('listings and clear() cover every master', function () {
    let prefix: string;

    beforeEach(function () {
      prefix = uniqueName('ahc-cluster');
    });

    afterEach(async function () {
      await new RedisStore({ client: raw, prefix }).clear();
    });

    it('spreads entries over all three masters and lists and counts every one of them', async function () {
      const store = new RedisStore({ client: raw, prefix });
      await fill(store, 300);
      const perMaster = await Promise.all(raw.nodes('master').map((node) => node.dbsize()));
      expect(perMaster.filter((size) => size > 0)).to.have.length(3);
      expect(await store.count()).to.equal(300);
      expect(new Set(await collect(store.keys())).size).to.equal(300);
    });

    it('clears everything from a brand-new Cluster client, which waits until it knows the masters instead of scanning none', async function () {
      await fill(new RedisStore({ client: raw, prefix }), 200);
      const fresh = cluster.client();
      try {
        expect(fresh.nodes('master'), 'the new client knows no master yet').to.have.length(0);
        await new RedisStore({ client: fresh, prefix }).clear();
      } finally {
        fresh.disconnect();
      }
      expect(await rawCount(raw, prefix)).to.equal(0);
    });

    it('lists from a brand-new Cluster client every entry on every master', async function () {
      await fill(new RedisStore({ client: raw, prefix }), 120);
      const fresh = cluster.client();
      try {
        expect(await collect(new RedisStore({ client: fresh, prefix }).keys())).to.have.length(120);
      } finally {
        fresh.disconnect();
      }
    });

    it('lists, counts and clears under a Cluster client\'s keyPrefix on every master, touching nothing outside it', async function () {
      const prefixed = cluster.client({ keyPrefix: 'app1:' });
      try {
        const store = new RedisStore({ client: prefixed, prefix });
        await fill(store, 60);
        await raw.set(`${prefix}:outside`, 'keep me', 'PX', 60_000);
        expect(await rawCount(raw, `app1:${prefix}`)).to.equal(60);
        expect(await store.count()).to.equal(60);
        expect(await collect(store.keys())).to.have.length(60);
        await store.clear();
        expect(await rawCount(raw, `app1:${prefix}`)).to.equal(0);
        expect(await raw.get(`${prefix}:outside`)).to.equal('keep me');
      } finally {
        prefixed.disconnect();
      }
    });

    it('finds tagged entries by tag across masters, walking every master until the marker is set, then from the tag set', async function () {
      const store = new RedisStore({ client: raw, prefix });
      const now = Date.now();
      await Promise.all(Array.from({ length: 60 }, (_, i) => store.set(`k${i}`, makeRecord(`k${i}`, now, { tags: i % 3 === 0 ? ['third'] : ['other'] }), now + 60_000)));
      const expected = Array.from({ length: 20 }, (_, i) => `k${i * 3}`).sort();
      expect((await collect(store.find({ tag: 'third' }))).map((record) => record.key).sort()).to.deep.equal(expected);
      expect(await raw.exists(`${prefix}:\u0000tags-indexed`), 'every entry was in its tag sets: the walk marks the namespace').to.equal(1);
      expect((await collect(store.find({ tag: 'third' }))).map((record) => record.key).sort()).to.deep.equal(expected);
      await store.clear();
      expect(await raw.exists(`${prefix}:\u0000tags-indexed`) + await raw.exists(`${prefix}:\u0000tagged:third`)).to.equal(0);
    });
  });
});

describe('RedisStore on a Redis Cluster that loses a master or moves slots', function () {
  this.timeout(120_000);
  withoutNock();
  let cluster: RedisClusterHandle;
  let raw: Cluster;

  before(async function () {
    cluster = await privateClusterForTests(this);
    raw = cluster.client();
  });

  after(async function () {
    raw?.disconnect();
    await cluster?.dispose();
  });

  it('a TieredStore notices its subscriber connections killed on every node (its heartbeat unheard) and drops the near copy a write made meanwhile', async function () {
    const prefix = uniqueName('ahc-tiered-cluster');
    const [ca, cb] = [cluster.client(), cluster.client()];
    const admins = cluster.nodes.map(({ host, port }) => new Redis({ host, port }));
    const a = new TieredStore({ far: new RedisStore({ client: ca, prefix }), nearMaxAgeMs: 600 });
    const b = new TieredStore({ far: new RedisStore({ client: cb, prefix }), nearMaxAgeMs: 600 });
    const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
    const until = async (check: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> => {
      const started = Date.now();
      while (!(await check())) {
        if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
        await sleep(20);
      }
    };
    try {
      await until(() => a.listening && b.listening, 'subscribed', 5000);
      await sleep(1000);
      const now = Date.now();
      await a.set('k', makeRecord('k', now, { body: { type: 'text', text: 'old' } }), now + 600_000);
      await sleep(300);
      await until(async () => (await b.get('k')) !== undefined && b.peekSync('k') !== undefined, 'held near', 3000);
      const killed = await Promise.all(admins.map((admin) => admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')));
      expect(killed.reduce((sum: number, n) => sum + Number(n), 0), 'subscriber connections killed').to.be.greaterThan(0);
      await a.set('k', makeRecord('k', now, { body: { type: 'text', text: 'new' } }), now + 600_000);
      // Unheard on the channel: the heartbeat must tell, well before the entry's own expiry (10 minutes).
      await until(async () => JSON.stringify((await b.get('k'))?.body) === JSON.stringify({ type: 'text', text: 'new' }), 'the new body served', 3000);
      await until(() => b.listening, 'listening again', 3000);
    } finally {
      await a.close();
      await b.close();
      await new RedisStore({ client: ca, prefix }).clear();
      ca.disconnect();
      cb.disconnect();
      for (const admin of admins) admin.disconnect();
    }
  });

  it('clear() during a reshard of 300 slots leaves no entry behind or rejects, and a listing across it is complete or rejects', async function () {
    const prefix = uniqueName('ahc-reshard');
    const store = new RedisStore({ client: raw, prefix, scanBatchSize: 20 });
    await fill(store, 1500);
    const [a, b] = await masterIds(cluster.nodes);
    const moving = reshard(cluster.nodes, a ?? '', b ?? '', 300);
    const listed = await collect(store.keys()).then((keys) => keys.length, (error: unknown) => error as Error);
    const cleared = await store.clear().then(() => undefined, (error: unknown) => error as Error);
    await moving;
    if (listed instanceof Error) expect(listed.message).to.match(/moved hash slots during a listing/);
    else expect(listed).to.equal(1500);
    if (cleared === undefined) expect(await rawCount(raw, prefix), 'left behind by a clear() that resolved').to.equal(0);
    else expect(cleared.message).to.match(/found keys or moving slots on each of \d+ passes/);
    await store.clear();
    expect(await rawCount(raw, prefix)).to.equal(0);
  });

  it('serves every request with its own body and loses none while slots move under traffic', async function () {
    let originRequests = 0;
    const origin: Server = createServer((request, response) => {
      originRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      response.end(JSON.stringify({ path: request.url }));
    });
    await new Promise<void>((done) => origin.listen(0, '127.0.0.1', done));
    try {
      const api = axios.create({ baseURL: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` });
      const store = new RedisStore({ client: raw, prefix: uniqueName('ahc-traffic') });
      const errors: Error[] = [];
      attachCache(api, { store, storeTimeoutMs: 5000 }).on('error', (event) => errors.push(event.error));
      const ids = await masterIds(cluster.nodes);
      let moving = true;
      const reshards = (async () => {
        await reshard(cluster.nodes, ids[1] ?? '', ids[2] ?? '', 300);
        await reshard(cluster.nodes, ids[2] ?? '', ids[0] ?? '', 300);
        moving = false;
      })();
      let requests = 0;
      const wrong: string[] = [];
      while (moving || requests < 400) {
        const batch = Array.from({ length: 20 }, (_, i) => `/item/${(requests + i) % 200}`);
        const answers = await Promise.all(batch.map((path) => api.get<{ path: string }>(path)));
        answers.forEach((answer, i) => {
          if (answer.data.path !== batch[i]) wrong.push(`${batch[i]} answered ${answer.data.path}`);
        });
        requests += batch.length;
      }
      await reshards;
      expect(wrong, 'bodies served for another URL').to.deep.equal([]);
      expect(requests).to.be.at.least(400);
      // A store error (or the cool-down after one) sends a request to the origin again: never a failed request.
      expect(originRequests, `the cache answered many requests itself while slots moved (${errors.length} store errors)`).to.be.within(200, requests - 100);
      await store.clear();
    } finally {
      await new Promise<void>((done) => origin.close(() => done()));
    }
  });

  it('rejects clear(), keys() and count() with one master of three down, and clears everything once it is back', async function () {
    const prefix = uniqueName('ahc-down');
    const store = new RedisStore({ client: raw, prefix });
    await fill(store, 90);
    const victim = cluster.servers?.[2];
    await victim?.stop();
    try {
      for (const attempt of [() => store.clear(), () => collect(store.keys()), () => store.count()]) {
        expect((await rejection(attempt())).message).to.match(/did not answer|served by no master/);
      }
    } finally {
      await victim?.start();
    }
    await waitClusterOk(cluster.nodes);
    await store.clear();
    expect(await rawCount(raw, prefix)).to.equal(0);
  });
});

/**
 * The RedisStore contract harness, shared by the suite on one redis-server (`redis.test.ts`) and the one on a Redis
 * Cluster (`redis-cluster.test.ts`): raw checks go through `raw`, the contract's stores through `client()`.
 */
import type { Cluster, Redis } from 'ioredis';
import { CODEC_VERSION } from '../../lib/stores/codec.js';
import { RedisStore, type RedisClientLike } from '../../lib/stores/redis.js';
import type { StoreHarness, TestClock } from './store-contract.js';

export interface RedisHarnessSetup {
  /** Looks at and plants keys behind the stores' back, and clears their prefixes at teardown. */
  readonly raw: Redis | Cluster;
  /** The client of the contract's stores (the peer excepted). */
  readonly client: () => RedisClientLike;
  /** Where the peer store connects: a connection of its own, as another process would have. */
  readonly peer: () => { readonly url: string } | { readonly client: RedisClientLike };
  readonly prefix: string;
  /** A key outside every store's prefix that `clear()` must leave alone. */
  readonly foreignKey: string;
  readonly listingsFollowBackEndClock: string;
}

/** The contract harness for RedisStores under `setup.prefix`. */
export function redisHarness(setup: RedisHarnessSetup, clock: TestClock): Promise<StoreHarness> {
  const { raw, prefix, foreignKey } = setup;
  const stores: RedisStore[] = [];
  const make = (storePrefix: string): RedisStore => {
    const store = new RedisStore({ client: setup.client(), prefix: storePrefix, now: clock.now, scanBatchSize: 50 });
    stores.push(store);
    return store;
  };
  return Promise.resolve({
    store: make(prefix),
    rawHas: async (key: string) => (await raw.exists(`${prefix}:${key}`)) === 1,
    corrupt: async (key: string) => {
      await raw.set(`${prefix}:${key}`, Buffer.from([0xac, 0x48, CODEC_VERSION, 0, 1, 2]), 'PX', 60_000);
    },
    makePeer: () => Promise.resolve(new RedisStore({ ...setup.peer(), prefix, now: clock.now })),
    makeNeighbour: () => Promise.resolve(make(`${prefix}-neighbour`)),
    writeForeign: async () => { await raw.set(foreignKey, 'keep me', 'PX', 60_000); },
    foreignSurvived: async () => (await raw.get(foreignKey)) === 'keep me',
    listingsFollowBackEndClock: setup.listingsFollowBackEndClock,
    teardown: async () => {
      // The contract may have closed these stores: clear their prefixes through fresh ones.
      for (const store of stores) await new RedisStore({ client: raw, prefix: store.prefix }).clear();
      await raw.unlink(foreignKey);
    },
  });
}

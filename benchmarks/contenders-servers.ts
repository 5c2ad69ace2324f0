/**
 * Contenders that need a server: axios-http-cache over RedisStore and MongoStore, the Redis floor
 * (bare axios + one raw ioredis GET + decode of the same entry), and axios-cache-interceptor over a
 * Redis storage built with its `buildStorage` (JSON in a Redis string, as its docs show).
 */
import { AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse } from 'axios';
import { buildStorage, setupCache, type StorageValue } from 'axios-cache-interceptor';
import { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import { attachCache } from '../lib/index.js';
import { decodeRecord } from '../lib/stores/codec.js';
import { nodeCompressor } from '../lib/stores/compression-node.js';
import { MongoStore } from '../lib/stores/mongodb.js';
import { RedisStore } from '../lib/stores/redis.js';
import { preparedHeaders, type BodyCase } from './bodies.js';
import { ahcHit, ahcMiss, requestContender, type RequestContender } from './contender-kit.js';
import { aciHit, preparedInstance, warmed } from './contenders.js';

const PATH = '/items?page=1';

/** axios-http-cache over RedisStore, plus the Redis floor reading the very entry it wrote. */
export async function ahcRedisContenders(body: BodyCase, redisUrl: string, prefix: string): Promise<RequestContender[]> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const store = new RedisStore({ client, prefix });
  const api = preparedInstance(body, true);
  attachCache(api, { store });
  const close = async (): Promise<void> => {
    await store.clear();
    await client.quit();
  };
  const cached = await warmed(requestContender('ahc-redis', 'axios-http-cache, RedisStore', () => api.get(PATH), ahcHit, close), ahcMiss);
  const probeResponse = await cached.request();
  const key = probeResponse.cacheInfo?.key;
  if (key === undefined) throw new Error('RedisStore hit carries no cacheInfo.key');
  return [cached, redisFloorContender(body, client, `${prefix}:${key}`)];
}

/** axios-http-cache over RedisStore with `frozen: true`: one frozen object per entry, checked by a short GETRANGE per hit. */
export async function ahcRedisFrozenContender(body: BodyCase, redisUrl: string, prefix: string): Promise<RequestContender> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const store = new RedisStore({ client, prefix });
  const api = preparedInstance(body, true);
  attachCache(api, { store, frozen: true });
  const close = async (): Promise<void> => {
    await store.clear();
    await client.quit();
  };
  return warmed(requestContender('ahc-redis-frozen', 'axios-http-cache, RedisStore, frozen: true', () => api.get(PATH), ahcHit, close), ahcMiss);
}

/** Bare axios whose adapter does one raw GET of the stored entry and decodes it: what any Redis cache must pay. */
function redisFloorContender(body: BodyCase, client: Redis, redisKey: string): RequestContender {
  const headers = preparedHeaders(body);
  const adapter: AxiosAdapter = async (config) => {
    const bytes = await client.getBuffer(redisKey);
    if (bytes === null) throw new Error('the Redis floor entry vanished');
    const decoded = await decodeRecord(bytes, nodeCompressor);
    if (!decoded.ok) throw new Error(`the Redis floor entry does not decode: ${decoded.reason}`);
    const stored = decoded.record.body;
    const data = stored.type === 'text' ? stored.text : Buffer.from(stored.bytes.buffer, stored.bytes.byteOffset, stored.bytes.byteLength);
    const response: AxiosResponse = { data, status: 200, statusText: 'OK', headers: new AxiosHeaders(headers), config, request: {} };
    return response;
  };
  const api = preparedInstance(body, false);
  api.defaults.adapter = adapter;
  return requestContender('redis-floor', 'Redis floor: bare axios + raw GET + decode', () => api.get(PATH), (response) => response.status === 200);
}

/** axios-cache-interceptor with a Redis storage over ioredis, written with its `buildStorage` as its docs show. */
export async function aciRedisContender(body: BodyCase, redisUrl: string, prefix: string): Promise<RequestContender> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const written = new Set<string>();
  const storage = buildStorage({
    async find(key) {
      const text = await client.get(`${prefix}:${key}`);
      return text === null ? undefined : (JSON.parse(text) as StorageValue);
    },
    async set(key, value) {
      const redisKey = `${prefix}:${key}`;
      written.add(redisKey);
      // Keep loading entries a minute at most; stored ones until their ttl (plus stale time) ends.
      const expiresAt = value.state === 'loading'
        ? Date.now() + 60_000
        : value.createdAt + (value.ttl ?? 60_000) + ('staleTtl' in value && typeof value.staleTtl === 'number' ? value.staleTtl : 0);
      await client.set(redisKey, JSON.stringify(value), 'PXAT', Math.ceil(expiresAt));
    },
    async remove(key) {
      await client.del(`${prefix}:${key}`);
    },
  });
  const api = setupCache(preparedInstance(body, true), { storage });
  const close = async (): Promise<void> => {
    if (written.size > 0) await client.del(...written);
    await client.quit();
  };
  return warmed(requestContender('aci-redis', 'axios-cache-interceptor, Redis buildStorage', () => api.get(PATH), aciHit, close));
}

/** axios-http-cache over MongoStore in a database of this run's own. */
export async function ahcMongoContender(body: BodyCase, db: Db, collectionName: string): Promise<RequestContender> {
  const store = new MongoStore({ db, collectionName });
  await store.ready();
  const api = preparedInstance(body, true);
  attachCache(api, { store });
  const close = async (): Promise<void> => {
    await store.clear();
    await store.close();
  };
  return warmed(requestContender('ahc-mongo', 'axios-http-cache, MongoStore', () => api.get(PATH), ahcHit, close), ahcMiss);
}

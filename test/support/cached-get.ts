// A separate process for the multi-process tests: `node --import tsx test/support/cached-get.ts <redis|mongodb>
// <server url> <namespace> <url>` makes one GET through attachCache over that store and prints how it was answered.
import axios from 'axios';
import { attachCache } from '../../lib/index.js';
import type { CacheStore } from '../../lib/index.js';
import { MongoStore } from '../../lib/stores/mongodb.js';
import { RedisStore } from '../../lib/stores/redis.js';

const [kind, serverUrl, namespace, url] = process.argv.slice(2);
if (!kind || !serverUrl || !namespace || !url) throw new Error('usage: cached-get.ts <redis|mongodb> <server url> <namespace> <url>');
const store: CacheStore & { close(): Promise<void> } =
  kind === 'redis' ? new RedisStore({ url: serverUrl, prefix: namespace }) : new MongoStore({ url: serverUrl, dbName: namespace, collectionName: 'http' });
const api = axios.create();
// Generous store timeout: this test is about sharing across processes, not about a slow first write on a busy machine.
attachCache(api, { store, storeTimeoutMs: 10_000 });
const response = await api.get<{ n: number }>(url);
console.log(JSON.stringify({ status: response.cacheInfo?.status, n: response.data.n }));
await store.close();

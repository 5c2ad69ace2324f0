/**
 * The IndexedDB quota run: the Node side shrinks the origin's quota through the DevTools protocol
 * (Storage.overrideQuotaForOrigin), then the page caches responses until IndexedDB refuses a write.
 */
import axios from 'axios';
import { attachCache } from '../../../lib/index.js';
import { IndexedDBStore } from '../../../lib/stores/indexeddb.js';
import type { StoreEvent } from '../../../lib/stores/store.js';
import { check, type PageResults } from './report.js';

const BLOB_CHARS = 300_000;
const REQUESTS = 12;

export async function indexedDBQuotaRun(results: PageResults): Promise<void> {
  const store = new IndexedDBStore({ dbName: 'quota-idb', sweepIntervalMs: 0 });
  await store.clear();
  const storeEvents: StoreEvent[] = [];
  store.onEvent((event) => storeEvents.push(event));
  const api = axios.create({ baseURL: location.origin });
  const cache = attachCache(api, { store });
  const failures: string[] = [];
  cache.on('error', (event) => {
    if (event.operation !== 'warning') failures.push(event.error.message);
  });
  const statuses: number[] = [];
  try {
    for (let index = 1; index <= REQUESTS; index += 1) {
      const response = await api.get<string>(`/api/blob?i=${index}&chars=${BLOB_CHARS}&random=1`);
      statuses.push(response.status);
      // Give the write (which may evict and retry) time to settle before the next request.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const evictions = storeEvents.filter((event) => (event.error as { code?: string }).code === 'ECACHE_QUOTA_EVICTED').length;
    const held = await store.count();
    results.facts['idbQuota'] = { evictions, held, failures, estimate: await navigator.storage.estimate() };
    check(results, 'indexedDB quota: every request succeeded while the quota was exceeded', statuses.length === REQUESTS && statuses.every((status) => status === 200), statuses.join(','));
    check(results, 'indexedDB quota: the store hit the quota and evicted entries to make room', evictions > 0, `${evictions} eviction(s), ${held} entries held, ${failures.length} failed write(s): ${failures.slice(0, 2).join(' | ')}`);
    check(results, 'indexedDB quota: the store holds fewer entries than were written', held > 0 && held < REQUESTS, `${held} of ${REQUESTS}`);
  } finally {
    cache.detach();
    await store.clear();
    await store.close();
  }
}

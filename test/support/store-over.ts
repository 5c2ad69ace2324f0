import type { CacheStore } from '../../lib/index.js';
import type { MemoryStore } from '../../lib/stores/memory.js';

/**
 * A store that keeps its entries in `inner` (get, set and delete go there) and does what `overrides` says for the rest:
 * a test's slow, failing or hung store.
 */
export function storeOver(inner: MemoryStore, overrides: Partial<CacheStore>): CacheStore {
  return {
    get: (key) => inner.get(key),
    set: (key, record, expiresAt) => inner.set(key, record, expiresAt),
    delete: (key) => inner.delete(key),
    ...overrides,
  };
}

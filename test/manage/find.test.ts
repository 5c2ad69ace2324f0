import axios from 'axios';
import { expect } from 'chai';
import { attachCache, MemoryStore } from '../../lib/index.js';
import type { CacheRecord, CacheStore, StoreFilter } from '../../lib/index.js';
import { FRESH, nock, ORIGIN, resetNock, serve } from './helpers.js';
import { storeOver } from '../support/store-over.js';

/** A MemoryStore that answers find() with every record (a superset, as the contract allows) and logs each filter. */
function indexedStore(): { store: CacheStore; filters: StoreFilter[]; walkedEntries: () => number } {
  const inner = new MemoryStore();
  const filters: StoreFilter[] = [];
  let walked = 0;
  const store = storeOver(inner, {
    keys: () => inner.keys(),
    entries: () => {
      walked += 1;
      return inner.entries();
    },
    async *find(filter: StoreFilter): AsyncIterable<CacheRecord> {
      filters.push(filter);
      yield* inner.entries();
    },
  });
  return { store, filters, walkedEntries: () => walked };
}

describe('cache management: stores that answer queries from their own indexes (find)', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  async function warmed(): Promise<ReturnType<typeof indexedStore> & { api: ReturnType<typeof axios.create>; cache: ReturnType<typeof attachCache> }> {
    const indexed = indexedStore();
    const api = axios.create({ baseURL: ORIGIN });
    const cache = attachCache(api, { store: indexed.store });
    for (const [path, tags] of [['/users/1', ['people']], ['/users/2', ['people', 'admins']], ['/teams/1', ['teams']]] as const) {
      serve(path, FRESH);
      await api.get(path, { cache: { tags: [...tags] } });
    }
    return { ...indexed, api, cache };
  }

  it('hands the store the indexable part of each query: tag, exact urls, the literal start of a glob without its scheme, method, created-before', async () => {
    const { cache, filters, walkedEntries } = await warmed();
    await cache.delete({ tag: 'admins', method: 'get' });
    await cache.delete({ urls: ['/users/1'] });
    await cache.delete({ pattern: 'https://api.test/teams/*', olderThan: new Date(0) });
    await cache.delete({ pattern: /teams/ });
    expect(filters).to.deep.equal([
      { tag: 'admins', method: 'GET' },
      { urls: [`${ORIGIN}/users/1`] },
      { urlPrefix: 'api.test/teams/', createdBefore: 0 },
      {},
    ]);
    expect(walkedEntries(), 'no query walked entries()').to.equal(0);
  });

  it('still checks every record the store returns against the whole query, so a superset deletes only the matches', async () => {
    const { cache } = await warmed();
    expect(await cache.delete({ tag: 'people' })).to.equal(2);
    const left: string[] = [];
    for await (const entry of cache.entries()) left.push(entry.url);
    expect(left).to.deep.equal([`${ORIGIN}/teams/1`]);
  });

  it('deletes and announces a record that several queries of one invalidation match only once', async () => {
    const { api, cache } = await warmed();
    const deleted: string[] = [];
    cache.on('deleted', (event) => deleted.push(event.url ?? ''));
    nock(ORIGIN).post('/jobs').reply(200, {}, FRESH);
    await api.post('/jobs', {}, { cache: { invalidate: [{ tag: 'people' }, { tag: 'admins' }, { pattern: '/users/*' }] } });
    expect(deleted.sort()).to.deep.equal([`${ORIGIN}/users/1`, `${ORIGIN}/users/2`]);
  });
});

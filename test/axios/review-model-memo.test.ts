// Review of the request model memo (model-memo.ts): a request whose per-request cache options hold an option that
// `Object.keys` does not list (a non-enumerable own property, as `Object.defineProperty` or `Object.create(proto,
// descriptors)` make it) is read by the model as having that option, and must never be given the parts of the plain
// request before it.
import { AxiosHeaders } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import fc from 'fast-check';
import { MemoryStore } from '../../lib/index.js';
import type { CacheContext } from '../../lib/axios/context.js';
import type { RequestCacheOptions } from '../../lib/axios/options.js';
import { ModelMemo } from '../../lib/axios/model-memo.js';
import { isModel, modelRequest } from '../../lib/axios/request-model.js';
import type { NotCached, RequestModel } from '../../lib/axios/request-model.js';
import { resolveOptions } from '../../lib/axios/resolve-options.js';
import { UrlParser } from '../../lib/axios/wire-request.js';
import { cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';

function contextOf(): CacheContext {
  const resolved = resolveOptions({ secret: 'one secret for every cache' }, (now) => new MemoryStore({ now }));
  return { options: resolved, urls: new UrlParser(resolved.ignoredParams), models: new ModelMemo() } as unknown as CacheContext;
}

function summary(model: RequestModel | NotCached): unknown {
  if (!isModel(model)) return { reason: model.reason, partition: model.partition };
  const { method, url, key, partition, onlyIfCached, ttl, policy } = model;
  return { method, url, key, partition, onlyIfCached, ttl, policy: { ...policy } };
}

function configOf(url: string): InternalAxiosRequestConfig {
  return Object.assign(Object.create(null) as object, { method: 'get', url, baseURL: ORIGIN, headers: new AxiosHeaders({ Accept: 'application/json' }) }) as InternalAxiosRequestConfig;
}

/** Options with one option the caller set as a non-enumerable own property. */
function hidden(name: string, value: unknown): RequestCacheOptions {
  return Object.defineProperty<RequestCacheOptions>({}, name, { value, enumerable: false });
}

describe('review: the model memo and per-request options it cannot see', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('gives a request with a non-enumerable cache option the model a cache that has seen nothing gives it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<[string, unknown]>(['partition', 'tenant-b'], ['ttl', 0], ['ttl', 1234], ['key', 'own key'], ['onlyIfCached', true], ['staleWhileRevalidate', true]),
        fc.constantFrom('/a', '/b?x=1'),
        ([name, value], url) => {
          const ctx = contextOf();
          // The plain request twice (its URL repeats: the memo remembers it), then the one with the hidden option.
          modelRequest(ctx, configOf(url), {});
          modelRequest(ctx, configOf(url), {});
          const model = modelRequest(ctx, configOf(url), hidden(name, value));
          expect(summary(model)).to.deep.equal(summary(modelRequest(contextOf(), configOf(url), hidden(name, value))));
        },
      ),
    );
  });

  // Per-request options an interceptor sets, whose partition no listing of their keys shows.
  const hiddenPartitions: readonly [string, (tenant: () => string) => unknown][] = [
    ['a non-enumerable cache.partition', (tenant) => Object.defineProperty({}, 'partition', { value: tenant(), enumerable: false })],
    ["a Proxy's cache.partition", (tenant) => new Proxy({}, { get: (_target, name) => (name === 'partition' ? tenant() : undefined) })],
  ];
  for (const [what, options] of hiddenPartitions) {
    it(`never answers tenant b (${what}, set by an interceptor) with tenant a's entry`, async () => {
      const { api } = cachedInstance();
      let tenant = 'tenant-a';
      api.interceptors.request.use((config) => {
        config.cache = options(() => tenant) as typeof config.cache;
        return config;
      });
      nock(ORIGIN).get('/profile').reply(200, { tenant: 'a' }, { 'cache-control': 'max-age=600' });
      nock(ORIGIN).get('/profile').reply(200, { tenant: 'b' }, { 'cache-control': 'max-age=600' });
      expect((await api.get('/profile')).data).to.deep.equal({ tenant: 'a' });
      expect((await api.get('/profile')).data).to.deep.equal({ tenant: 'a' });
      tenant = 'tenant-b';
      const b = await api.get('/profile');
      expect(b.data).to.deep.equal({ tenant: 'b' });
      expect(b.fromCache).to.equal(false);
    });
  }
});

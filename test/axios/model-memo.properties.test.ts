/**
 * Property test (fast-check) of the model memo (model-memo.ts): over generated sequences of requests (repeats of a
 * few configs, each in a fresh config object as axios makes them, some with one field changed), every model one
 * cache builds, remembering as it goes, equals the model a cache that has seen nothing builds for that request.
 */
import { AxiosHeaders } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import fc from 'fast-check';
import { MemoryStore } from '../../lib/index.js';
import type { CacheOptions } from '../../lib/index.js';
import type { CacheContext } from '../../lib/axios/context.js';
import type { RequestCacheOptions } from '../../lib/axios/options.js';
import { ModelMemo } from '../../lib/axios/model-memo.js';
import { isModel, modelRequest } from '../../lib/axios/request-model.js';
import type { NotCached, RequestModel } from '../../lib/axios/request-model.js';
import { resolveOptions, resolveRequestOptions } from '../../lib/axios/resolve-options.js';
import { UrlParser } from '../../lib/axios/wire-request.js';

/** What modelRequest reads of a cache: its options (with one secret, so that keyed hashes compare) and its URL parser. */
function contextOf(options: CacheOptions): CacheContext {
  const resolved = resolveOptions({ ...options, secret: 'one secret for every cache' }, (now) => new MemoryStore({ now }));
  return { options: resolved, urls: new UrlParser(resolved.ignoredParams), models: new ModelMemo() } as unknown as CacheContext;
}

/** A model as plain data, to compare models built by two caches. */
function summary(model: RequestModel | NotCached): unknown {
  const wire = { method: model.wire.method, url: model.wire.url, headers: [...model.wire.headers], credentials: model.wire.credentials, credentialParams: model.wire.credentialParams };
  if (!isModel(model)) return { reason: model.reason, partition: model.partition, error: model.error?.message, options: model.options, wire };
  const { method, url, key, partition, onlyIfCached, ttl, policy, options } = model;
  return { method, url, key, partition, onlyIfCached, ttl, policy: { ...policy }, options, wire, facts: { method: model.facts.method, headers: { ...model.facts.headers } } };
}

const instanceOptions: readonly CacheOptions[] = [
  {},
  { matchHeaders: ['x-match'], ignoredParams: ['token', 'x-api-key'], ttlByUrl: [['/b*', 5000]] },
  { cacheControl: false, shared: true, methods: ['GET', 'HEAD', 'POST'] },
  // Functions of a field the memo does not compare (`timeout`): a memo must never answer for them.
  { key: (config) => `k:${String(config.url)}:${String(config.timeout)}` },
  { partition: (config) => (config.timeout === 1000 ? 'tenant-a' : undefined) },
  { maxStreamBytes: 0, onlyIfCached: true },
];

const headerValue = fc.constantFrom<unknown>('a', 'b', 'no-cache', 'only-if-cached', 'max-stale', 1, 2, true, false, null, undefined, ['x', 'y']);
const headerName = fc.constantFrom('Accept', 'accept', 'Authorization', 'X-Api-Key', 'Cache-Control', 'Pragma', 'If-None-Match', 'Range', 'Cookie', 'X-Match');

/** Mostly absent: a request the memo may answer has none of a few fields, so those are left out three times in four. */
function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary, weight: 1 });
}

/** A config's fields, each absent or one of a few values (absent fields are left out, as axios leaves them out). */
const fields = fc.record(
  {
    method: fc.constantFrom('get', 'GET', 'head', 'post', 'delete'),
    url: fc.constantFrom('/a', '/a?token=s', '/b?x=1', 'http://other.test/c', 'http://u:p@other.test/c', '/a#frag'),
    baseURL: fc.constantFrom('http://api.test', 'http://api.test/v2/'),
    params: rarely(fc.constantFrom<unknown>({ q: 1 }, null)),
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
    plainHeaders: fc.boolean(),
    data: rarely(fc.constantFrom<unknown>('body', '', null, new Uint8Array([1, 2]))),
    auth: rarely(fc.constantFrom({ username: 'u', password: 'p' }, { username: 'v', password: 'p' })),
    responseType: fc.constantFrom('json', 'text', 'arraybuffer', 'stream'),
    responseEncoding: fc.constantFrom('utf8', 'latin1'),
    decompress: fc.boolean(),
    maxRedirects: fc.constantFrom(0, 5),
    fetchOptions: fc.constantFrom<unknown>({ redirect: 'manual' }, { redirect: 'follow' }, null),
    socketPath: fc.constantFrom('/tmp/a.sock', '/tmp/b.sock'),
    allowAbsoluteUrls: fc.boolean(),
    timeout: fc.constantFrom(1000, 2000),
    cache: rarely(fc.constantFrom<RequestCacheOptions>({}, { ttl: 0 }, { ttl: 1000 }, { key: 'own' }, { partition: 'p' }, { staleWhileRevalidate: true }, { onlyIfCached: true })),
  },
  { requiredKeys: ['url'] },
);
type Fields = typeof fields extends fc.Arbitrary<infer F> ? F : never;

/** A fresh config object of these fields (its headers a fresh AxiosHeaders or plain object), and its cache options. */
function configOf(f: Fields): { config: InternalAxiosRequestConfig; request: RequestCacheOptions } {
  const { headers, plainHeaders, cache, ...rest } = f;
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(rest) as Array<keyof typeof rest>) if (rest[name] === undefined) delete rest[name];
  for (const [name, value] of headers ?? []) raw[name] = value;
  const config = Object.assign(Object.create(null) as object, rest, { headers: plainHeaders ? raw : new AxiosHeaders(raw as Record<string, string>) });
  // As the adapter gets them: resolveRequestOptions gives a request without options the one frozen NO_REQUEST_OPTIONS.
  return { config: config as InternalAxiosRequestConfig, request: resolveRequestOptions(cache) as RequestCacheOptions };
}

/** A step: send one of the configs again, with one field of another config when `tweak` names one. */
const step = fc.record({ index: fc.nat(), tweak: fc.option(fc.tuple(fc.nat(), fc.constantFrom<keyof Fields>('method', 'url', 'headers', 'data', 'auth', 'responseType', 'responseEncoding', 'decompress', 'maxRedirects', 'fetchOptions', 'socketPath', 'params', 'cache', 'plainHeaders', 'timeout'))) });

describe('model memo: a model given back from the memo equals one worked out anew', () => {
  it('for any sequence of repeated, slightly changed requests, under any instance options', () => {
    let recalled = 0;
    fc.assert(
      fc.property(fc.nat({ max: instanceOptions.length - 1 }), fc.array(fields, { minLength: 1, maxLength: 4 }), fc.array(step, { minLength: 1, maxLength: 12 }), (which, configs, steps) => {
        const options = instanceOptions[which]!;
        const sent = steps.map(({ index, tweak }) => {
          const base = configs[index % configs.length]!;
          if (tweak === null) return base;
          const [from, field] = tweak;
          const other = configs[from % configs.length]!;
          const changed: Record<string, unknown> = { ...base };
          if (other[field] === undefined) delete changed[field];
          else changed[field] = other[field];
          return changed as Fields;
        });
        // Each request alone, in a cache that has seen nothing; then all of them, in order, in one cache.
        const expected = sent.map((f) => {
          const { config, request } = configOf(f);
          return summary(modelRequest(contextOf(options), config, request));
        });
        const ctx = contextOf(options);
        let previous: RequestModel | NotCached | undefined;
        sent.forEach((f, i) => {
          const { config, request } = configOf(f);
          const model = modelRequest(ctx, config, request);
          expect(summary(model), `request ${i}`).to.deep.equal(expected[i]);
          if (isModel(model)) expect(model.config).to.equal(config);
          if (previous !== undefined && previous.wire === model.wire) recalled += 1;
          previous = model;
        });
      }),
      { numRuns: 3000 },
    );
    // The memo did answer: the property above is about its answers.
    expect(recalled).to.be.greaterThan(100);
  });
});

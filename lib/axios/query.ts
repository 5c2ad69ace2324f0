/**
 * Cache queries (`cache.entries(query)`, `cache.delete(query)`, `cache: { invalidate }`) compiled into
 * predicates over stored records, so listings and deletions can filter while they stream.
 */
import type { CacheRecord } from '../record.js';
import type { StoreFilter } from '../stores/store.js';
import { currentAgeMs, freshnessLifetimeMs } from '../semantics/index.js';
import { policyFor } from './request-model.js';
import type { UrlNormaliser } from './wire-request.js';
import type { CacheQuery, UrlPattern } from './options.js';
import type { ResolvedOptions } from './resolve-options.js';
import { compileUrlPattern } from './url-pattern.js';

/** Where relative URLs and globs of a query resolve: the instance defaults, or one request's config. */
export interface QueryBase {
  readonly baseURL?: string | undefined;
}

export interface CompiledQuery {
  /** Set when the query names one store key: it can be answered with a single `get`. */
  readonly key: string | undefined;
  readonly matches: (record: CacheRecord) => boolean;
  /** The part of the query a store can answer from its indexes (`CacheStore.find`); `matches` still decides. */
  readonly filter: StoreFilter;
}

/** The literal start of a resolved glob, without its scheme: what every URL it matches starts with. */
function literalPrefix(pattern: UrlPattern): string | undefined {
  if (pattern instanceof RegExp) return undefined;
  const scheme = pattern.indexOf('://');
  const rest = scheme === -1 ? pattern : pattern.slice(scheme + 3);
  const star = rest.indexOf('*');
  const prefix = star === -1 ? rest : rest.slice(0, star);
  return prefix === '' ? undefined : prefix;
}

/**
 * RFC 9111 §4.2: is the stored response no longer fresh at `now`? Uses the ttl in force when it was stored
 * (or the instance ttl), like the request flow does.
 */
export function isStale(options: ResolvedOptions, record: CacheRecord, now: number): boolean {
  return freshUntil(options, record) <= now;
}

/**
 * Epoch ms at which the stored response stops being fresh (RFC 9111 §4.2): where its current age reaches its
 * freshness lifetime. The current age grows one for one with time, so this is the same whenever it is asked.
 */
export function freshUntil(options: ResolvedOptions, record: CacheRecord): number {
  const ttlMs = record.ttlMs ?? (typeof options.ttl === 'number' ? options.ttl : undefined);
  const at = record.responseTime;
  return at + freshnessLifetimeMs(record, policyFor(options, {}, ttlMs)) - currentAgeMs(record, at);
}

const HAS_SCHEME = /^[a-z][a-z\d+\-.]*:\/\//i;

/**
 * A glob as `compileUrlPattern` wants it. A glob starting with `/` is relative: it is prefixed with the
 * `baseURL` when there is one, and otherwise matches that path on any host.
 */
export function resolveUrlPattern(pattern: UrlPattern, base: QueryBase): UrlPattern {
  if (pattern instanceof RegExp || HAS_SCHEME.test(pattern) || !pattern.startsWith('/')) return pattern;
  if (base.baseURL === undefined || base.baseURL === '') return `*${pattern}`;
  return `${base.baseURL.replace(/\/+$/, '')}${pattern}`;
}

function normaliseExact(normalise: UrlNormaliser, url: string, base: QueryBase): string {
  const config = { url, ...(base.baseURL === undefined ? {} : { baseURL: base.baseURL }) };
  return normalise(config);
}

/** Compiles a validated query. `now` fixes "expired" and a numeric `olderThan` for the whole operation. */
export function compileQuery(query: CacheQuery, options: ResolvedOptions, normalise: UrlNormaliser, base: QueryBase, now: number): CompiledQuery {
  const tests: Array<(record: CacheRecord) => boolean> = [];
  const filter: { -readonly [K in keyof StoreFilter]: StoreFilter[K] } = {};
  if (query.url !== undefined || query.urls !== undefined) {
    const urls = [...(query.url === undefined ? [] : [query.url]), ...(query.urls ?? [])];
    const wanted = new Set(urls.map((url) => normaliseExact(normalise, url, base)));
    filter.urls = [...wanted];
    tests.push((record) => wanted.has(record.url));
  }
  if (query.pattern !== undefined) {
    const resolved = resolveUrlPattern(query.pattern, base);
    const prefix = literalPrefix(resolved);
    if (prefix !== undefined) filter.urlPrefix = prefix;
    const matchesUrl = compileUrlPattern(resolved);
    tests.push((record) => matchesUrl(record.url));
  }
  if (query.method !== undefined) {
    const method = query.method.toUpperCase();
    filter.method = method;
    tests.push((record) => record.method === method);
  }
  if (query.key !== undefined) {
    const key = query.key;
    tests.push((record) => record.key === key);
  }
  if (query.tag !== undefined) {
    const tag = query.tag;
    filter.tag = tag;
    tests.push((record) => record.tags?.includes(tag) === true);
  }
  if (query.expired !== undefined) {
    const expired = query.expired;
    tests.push((record) => isStale(options, record, now) === expired);
  }
  if (query.olderThan !== undefined) {
    const createdBeforeAt = query.olderThan instanceof Date ? query.olderThan.getTime() : now - query.olderThan;
    filter.createdBefore = createdBeforeAt;
    tests.push((record) => record.createdAt < createdBeforeAt);
  }
  return { key: query.key, matches: (record) => tests.every((test) => test(record)), filter };
}

/** True when the query has no criterion at all (it would select every entry). */
export function isEmptyQuery(query: CacheQuery): boolean {
  return Object.values(query).every((value) => value === undefined);
}

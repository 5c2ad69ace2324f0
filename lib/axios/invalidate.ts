/**
 * Invalidation after an unsafe request (POST, PUT, PATCH, DELETE, …): what RFC 9111 §4.4 names (its URL, Location
 * and Content-Location), then what the request option `cache: { invalidate: [...] }` names (URL globs, RegExps,
 * queries such as `{ tag: 'users' }`). Runs on the request path, so it never rejects: a failing store becomes an
 * `error` event and the response is still returned.
 */
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheContext } from './context.js';
import { invalidationTargets, isUnsafeMethod } from '../semantics/index.js';
import { IncompleteDeletionError } from '../errors.js';
import { deleteMatching } from './delete-matching.js';
import { invalidationSuffixes, keyOf } from './key.js';
import type { WireRequest } from './wire-request.js';
import { recordOutcome } from './outcome.js';
import { plainResponseHeaders } from './records.js';
import type { CacheQuery, RequestCacheOptions, UrlPattern } from './options.js';
import { compileQuery, isEmptyQuery } from './query.js';
import { invalidateStreams } from './stream-tee.js';
import type { CompiledQuery } from './query.js';

function toQuery(target: UrlPattern | CacheQuery): CacheQuery {
  return typeof target === 'string' || target instanceof RegExp ? { pattern: target } : target;
}

/** A request as invalidation needs it: what went on the wire, its config, its partition and its `cache.invalidate`. */
export interface InvalidatingRequest {
  readonly wire: WireRequest;
  readonly config: InternalAxiosRequestConfig;
  /** The partition's key part ('' when none). */
  readonly partition: string;
  readonly requested: RequestCacheOptions['invalidate'];
}

/** Runs the invalidation the request asked for when its response has a non-error status (2xx or 3xx). */
async function invalidateRequested(ctx: CacheContext, method: string, url: string, response: AxiosResponse, request: InvalidatingRequest): Promise<void> {
  if (response.status < 200 || response.status > 399) return;
  const { requested } = request;
  if (requested === undefined || requested.length === 0) return;
  const now = ctx.options.now();
  const base = { baseURL: request.config.baseURL };
  const queries: CompiledQuery[] = requested
    .map(toQuery)
    // An empty query would select every entry: `invalidate: [{}]` is far more likely a mistake than a wish to clear.
    .filter((query) => !isEmptyQuery(query))
    .map((query) => compileQuery(query, ctx.options, ctx.normaliseUrl, base, now));
  if (queries.length === 0) return;
  // A walk over the store can take long, and a hung store would hang it: the response waits for it at most
  // `storeTimeoutMs`, and the walk goes on (and reports its failures) after the response has been returned.
  const walk = deleteMatching(ctx, queries, `invalidated by ${method} ${url}`, `the invalidation requested by ${method} ${url}`).then(
    () => undefined,
    (error: unknown) => {
      // Failed deletions were reported one by one (and are retried), a failed listing as it failed; an incomplete
      // invalidation is reported once more as a whole, and so is a store that cannot list.
      if (error instanceof IncompleteDeletionError || error instanceof TypeError) {
        recordOutcome(ctx, 'error', { key: undefined, url, method, error, operation: 'invalidate' }, `requested invalidation failed: ${error.message}`);
      }
      ctx.debug('requested invalidation failed; the response is returned anyway', { url, method, error });
    },
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ctx.options.storeTimeoutMs);
  });
  await Promise.race([walk, waited]).finally(() => clearTimeout(timer));
}

/** Deletes what RFC 9111 §4.4 says a successful unsafe request invalidates: its URL, Location and Content-Location. */
export async function invalidateAfter(ctx: CacheContext, request: InvalidatingRequest, response: AxiosResponse): Promise<void> {
  const { method, url } = request.wire;
  if (!isUnsafeMethod(method)) return;
  if (ctx.options.readOnly) {
    ctx.debug('not invalidated: the cache is read-only', { url, method });
    return;
  }
  // The invalidating caller's own entries of each target: its key parts, within its partition and without.
  const suffixes = invalidationSuffixes(request.wire, request.config, ctx.options, request.partition);
  const targets = invalidationTargets(method, response.status, url, plainResponseHeaders(response.headers));
  for (const target of targets) {
    const normalised = ctx.normaliseUrl({ url: target });
    invalidateStreams(ctx, normalised);
    for (const [keyMethod, key] of ['GET', 'HEAD'].flatMap((m) => suffixes.map((suffix) => [m, keyOf(m, normalised, suffix)] as const))) {
      // Only a listener needs to know whether there was anything to delete: skip the extra read otherwise.
      const existed = ctx.events.has('deleted') ? (await ctx.access.get(key)) !== undefined : false;
      if ((await ctx.access.delete(key)) && existed) {
        recordOutcome(ctx, 'deleted', { key, url: normalised, method: keyMethod, reason: `invalidated by ${method} ${url}` }, `deleted ${key}: invalidated by ${method} ${url}`);
      }
    }
  }
  await invalidateRequested(ctx, method, url, response, request);
}

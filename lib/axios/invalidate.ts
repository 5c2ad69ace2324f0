/**
 * The request option `cache: { invalidate: [...] }`: after an unsafe request succeeds, delete the entries it
 * names (URL globs, RegExps, queries such as `{ tag: 'users' }`). Runs on the request path, so it never
 * rejects: a failing store becomes an `error` event and the response is still returned.
 */
import type { AxiosResponse } from 'axios';
import type { CacheContext } from './context.js';
import { deleteMatching } from './manage.js';
import type { CacheQuery, UrlPattern } from './options.js';
import { compileQuery, isEmptyQuery } from './query.js';
import type { CompiledQuery } from './query.js';
import { resolveRequestOptions } from './resolve-options.js';

function toQuery(target: UrlPattern | CacheQuery): CacheQuery {
  return typeof target === 'string' || target instanceof RegExp ? { pattern: target } : target;
}

/** Runs the invalidation the request asked for when its response has a non-error status (2xx or 3xx). */
export async function invalidateRequested(ctx: CacheContext, method: string, url: string, response: AxiosResponse): Promise<void> {
  if (response.status < 200 || response.status > 399) return;
  const config = response.config as AxiosResponse['config'] | undefined;
  const request = resolveRequestOptions(config?.cache);
  if (request === false || request.invalidate === undefined || request.invalidate.length === 0) return;
  const now = ctx.options.now();
  const base = { baseURL: config?.baseURL };
  const queries: CompiledQuery[] = request.invalidate
    .map(toQuery)
    // An empty query would select every entry: `invalidate: [{}]` is far more likely a mistake than a wish to clear.
    .filter((query) => !isEmptyQuery(query))
    .map((query) => compileQuery(query, ctx.options, ctx.normaliseUrl, base, now));
  if (queries.length === 0) return;
  try {
    await deleteMatching(ctx, queries, `invalidated by ${method} ${url}`);
  } catch (error) {
    // Store failures were reported as `error` events by deleteMatching; a store that cannot list is reported here.
    if (error instanceof TypeError) {
      ctx.events.emit('error', { key: undefined, url, method, error, operation: 'invalidate' });
    }
    ctx.debug('requested invalidation failed; the response is returned anyway', { url, method, error });
  }
}

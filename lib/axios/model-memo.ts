/**
 * The last request's model parts, given back to the next request of the same cache when everything they are worked
 * out from is the same: a hot path repeats the request before it (its URL, headers and options), and working out
 * the wire request, the key, the facts and the policy again is about a fifth of the caching adapter's time on a hit.
 *
 * Only a request whose parts depend on nothing but what is compared here is remembered or answered: outside browsers
 * (no XSRF cookie), no body, no `auth`, no per-request cache options, no `key` or `partition` function, a URL the
 * cache's URL parser remembers (no params, a text URL: its parse is then given back as the same object, which is
 * what is compared), and headers whose values are strings, numbers, booleans or absent (an array or object value
 * could change in place). The config fields the key's response shape reads are compared one by one.
 */
import type { InternalAxiosRequestConfig } from 'axios';
import type { CacheContext } from './context.js';
import type { RequestCacheOptions } from './options.js';
import type { ModelParts } from './request-model.js';
import type { ParsedUrl } from './wire-request.js';
import { NO_REQUEST_OPTIONS } from './resolve-options.js';
import { samePairs } from './field-pairs.js';

interface Remembered {
  readonly parsed: ParsedUrl;
  readonly method: unknown;
  /** The config's headers as name, value, name, value..., in their order. */
  readonly headers: readonly unknown[];
  readonly responseType: unknown;
  readonly responseEncoding: unknown;
  readonly decompress: unknown;
  readonly maxRedirects: unknown;
  readonly fetchRedirect: unknown;
  readonly socketPath: unknown;
  readonly parts: ModelParts;
}

/** Whether the parts of this request depend only on what a memo compares (see the module comment). */
function plain(ctx: CacheContext, config: InternalAxiosRequestConfig, request: RequestCacheOptions): boolean {
  if ((globalThis as { document?: unknown }).document !== undefined || ctx.options.key || ctx.options.partition) return false;
  // A request that gave no options (see NO_REQUEST_OPTIONS): an object of the caller's, even an empty one, could be
  // anything (a Proxy, non-enumerable fields) that the model reads but no check here would see.
  if (request !== NO_REQUEST_OPTIONS) return false;
  return (config.data === undefined || config.data === null) && !config.auth;
}

function fetchRedirect(config: InternalAxiosRequestConfig): unknown {
  return (config.fetchOptions as { redirect?: unknown } | null | undefined)?.redirect;
}

/** The headers as name, value pairs; undefined when one value is of a kind that could change in place. */
function headerPairs(headers: unknown): unknown[] | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const source = headers as Record<string, unknown>;
  const pairs: unknown[] = [];
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value !== undefined && value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
    pairs.push(name, value);
  }
  return pairs;
}

/** One cache's memo (each cache has its own, in its context: a detached cache's memo goes with it). */
export class ModelMemo {
  #last: Remembered | undefined;
  /**
   * The URL parse of the last request whose parts were worked out: a request is remembered only when its URL parse is
   * that one again (its URL repeats), so that a run of misses, each of a new URL, remembers nothing.
   */
  #lastParsed: ParsedUrl | undefined;

  /** The parts remembered for a request like this one; undefined when there are none. */
  recall(ctx: CacheContext, config: InternalAxiosRequestConfig, request: RequestCacheOptions | false): ModelParts | undefined {
    const memo = this.#last;
    if (memo === undefined || request === false || !plain(ctx, config, request) || config.method !== memo.method) return undefined;
    // The URL next (after the method, which the model reads first): another URL (a miss, mostly) is parsed here, as its
    // model needs anyway (the parser gives the parse back to the model built next), and is compared no further.
    if ((config.params !== undefined && config.params !== null) || typeof config.url !== 'string' || ctx.urls.parse(config) !== memo.parsed) return undefined;
    if (
      config.responseType !== memo.responseType ||
      config.responseEncoding !== memo.responseEncoding ||
      config.decompress !== memo.decompress ||
      config.maxRedirects !== memo.maxRedirects ||
      config.socketPath !== memo.socketPath ||
      fetchRedirect(config) !== memo.fetchRedirect
    ) {
      return undefined;
    }
    const headers: unknown = config.headers;
    return typeof headers === 'object' && headers !== null && samePairs(headers as Record<string, unknown>, memo.headers) ? memo.parts : undefined;
  }

  /** Remembers the parts just worked out for this request, when a later request may be given them (see {@link recall}) and its URL repeats. */
  remember(ctx: CacheContext, config: InternalAxiosRequestConfig, request: RequestCacheOptions, parts: ModelParts): void {
    const parsed = ctx.urls.lastParse();
    if (parsed === undefined || parsed !== this.#lastParsed) {
      this.#lastParsed = parsed;
      return;
    }
    const headers = plain(ctx, config, request) ? headerPairs(config.headers) : undefined;
    if (headers === undefined) return;
    this.#last = {
      parsed,
      method: config.method,
      headers,
      responseType: config.responseType,
      responseEncoding: config.responseEncoding,
      decompress: config.decompress,
      maxRedirects: config.maxRedirects,
      fetchRedirect: fetchRedirect(config),
      socketPath: config.socketPath,
      parts,
    };
  }
}

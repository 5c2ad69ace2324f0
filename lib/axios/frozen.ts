/**
 * Frozen shared data (`frozen: true`): a stored text body turned into data once, by the caller's own
 * `transformResponse`, deep-frozen, and handed to every later hit of the same entry instead of a string axios parses
 * again on every hit.
 *
 * - **Made by the caller's own transforms.** The data is what axios would have made of the stored body on the copying
 *   path: the caller's `transformResponse` functions, run as axios runs them (`this` is the config; data, headers,
 *   status). Callers share one frozen value only when their transforms are the same functions under the same parse
 *   settings (`responseType`, `transitional.forcedJSONParsing` and `silentJSONParsing`, `parseReviver`): a caller
 *   with other transforms gets data of its own, never data another caller's transform made.
 * - **Held with the entry.** The values live in a WeakMap keyed by the record object the store answered, and the store
 *   counts their bytes with the entry (`CacheStore.retain`): when the entry is written again (a new response, a 304
 *   refresh), deleted or dropped, the store lets go of that record object and its frozen data goes with it. A store
 *   that cannot retain gets frozen data made for that hit alone.
 * - **Only plain data is shared**: objects, arrays and primitives. A transform that makes a Date, a Map, a class
 *   instance or bytes cannot be frozen in a way that stops a caller's changes, so such a result is handed to that
 *   caller alone, and later hits take the copying path.
 * - **Delivered past axios' transforms.** The adapter answers with the frozen value and sets the request's
 *   `transformResponse` to one function that passes that very value through and runs the caller's transforms on
 *   anything else (a retry of the same config, an error response).
 */
import { AxiosHeaders } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import { variantKey } from './records.js';

type Transform = (this: InternalAxiosRequestConfig, data: unknown, headers: AxiosHeaders, status?: number) => unknown;

/** What decides the data a stored body turns into, besides the body. */
interface Recipe {
  readonly transforms: readonly Transform[];
  readonly responseType: unknown;
  readonly forcedJSONParsing: unknown;
  readonly silentJSONParsing: unknown;
  readonly parseReviver: unknown;
}

/** One recipe's result for one record: the frozen data, or word that it is no plain data and is not shared. */
interface Made extends Recipe {
  readonly shared: boolean;
  readonly data: unknown;
  readonly bytes: number;
  /** The `transformResponse` a request answered with this data gets: passes it through, transforms anything else. */
  readonly delivery: readonly Transform[];
}

/** Distinct recipes kept per record: more callers with other transforms of one entry make their data per hit. */
const MAX_RECIPES_PER_RECORD = 4;

/** Fixed cost per made value, in bytes (the memo slot, its recipe, the delivery function). */
const MADE_OVERHEAD_BYTES = 200;

const made = new WeakMap<CacheRecord, Made[]>();
/** The caller's transforms behind each delivery function, so that a config that already has one is not wrapped twice. */
const deliveries = new WeakMap<Transform, readonly Transform[]>();
/** The value each config is being answered with, passed through its delivery transform exactly once. */
const handing = new WeakMap<InternalAxiosRequestConfig, { readonly data: unknown }>();

/** The transform functions axios would run for this config (a function, an array of them, or none). */
function transformsOf(config: InternalAxiosRequestConfig): readonly Transform[] {
  const setting = config.transformResponse as unknown;
  const list = (Array.isArray(setting) ? setting : setting === undefined || setting === null ? [] : [setting]) as Transform[];
  const first = list[0];
  if (list.length === 1 && first !== undefined) {
    const inner = deliveries.get(first);
    if (inner !== undefined) return inner;
  }
  return list;
}

function recipeOf(config: InternalAxiosRequestConfig): Recipe {
  const fields = config as unknown as Record<string, unknown>;
  const transitional = (config.transitional ?? {}) as Record<string, unknown>;
  return {
    transforms: transformsOf(config),
    responseType: config.responseType,
    forcedJSONParsing: transitional['forcedJSONParsing'],
    silentJSONParsing: transitional['silentJSONParsing'],
    parseReviver: fields['parseReviver'],
  };
}

function sameRecipe(a: Recipe, b: Recipe): boolean {
  if (a.responseType !== b.responseType || a.forcedJSONParsing !== b.forcedJSONParsing || a.silentJSONParsing !== b.silentJSONParsing || a.parseReviver !== b.parseReviver) return false;
  if (a.transforms.length !== b.transforms.length) return false;
  for (let i = 0; i < a.transforms.length; i++) if (a.transforms[i] !== b.transforms[i]) return false;
  return true;
}

/** Runs the transforms as axios' transformData does: `this` is the config, headers normalised before each. */
function runTransforms(transforms: readonly Transform[], config: InternalAxiosRequestConfig, data: unknown, headers: AxiosHeaders, status: number | undefined): unknown {
  let value = data;
  for (const transform of transforms) value = transform.call(config, value, headers.normalize(false), status);
  return value;
}

function deliveryFor(transforms: readonly Transform[]): readonly Transform[] {
  const deliver: Transform = function deliverShared(this: InternalAxiosRequestConfig, data, headers, status) {
    const pending = handing.get(this);
    if (pending !== undefined && Object.is(pending.data, data)) {
      handing.delete(this);
      return data;
    }
    return runTransforms(transforms, this, data, AxiosHeaders.from(headers), status);
  };
  deliveries.set(deliver, transforms);
  return Object.freeze([deliver]);
}

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * Estimated bytes of a value made only of plain objects, arrays and primitives; undefined for anything else
 * (a Date, a Map, bytes, a class instance, a function). Iterative, so deep JSON cannot overflow the stack.
 */
function plainDataBytes(root: unknown): number | undefined {
  let bytes = 0;
  const seen = new Set<object>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') bytes += 16 + 2 * value.length;
    else if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    else if (typeof value !== 'object' || value === null) bytes += 8;
    else if (!seen.has(value)) {
      seen.add(value);
      if (Array.isArray(value)) {
        bytes += 16 + 8 * value.length;
        for (const item of value as unknown[]) pending.push(item);
      } else if (isPlainObject(value)) {
        const fields = value as Record<string, unknown>;
        for (const name of Object.keys(fields)) {
          bytes += 16 + 2 * name.length;
          pending.push(fields[name]);
        }
        bytes += 24;
      } else {
        return undefined;
      }
    }
  }
  return bytes;
}

/** Freezes every object of a value already checked by {@link plainDataBytes}. */
function deepFreeze(root: unknown): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) continue;
    Object.freeze(value);
    for (const item of Object.values(value)) pending.push(item);
  }
}

/** The transforms threw (strict JSON parsing of a body that is not JSON): the copying path then fails as axios does. */
export const NOT_MADE = Symbol('not made');

/** Where the data is held: the store entry the record came from. */
export interface Holder {
  retain(key: string, record: CacheRecord, bytes: number): boolean;
}

/**
 * The data a hit answers with under `frozen: true`, set up to pass axios' transforms unchanged: the entry's shared
 * frozen value for this caller's recipe (made and retained on the first hit), or a value made for this caller alone
 * when it is no plain data. {@link NOT_MADE} when the record has no text body or the transforms throw: the caller then
 * gets the copying path, and axios' own transforms fail the same way.
 */
export function frozenData(holder: Holder, key: string, record: CacheRecord, config: InternalAxiosRequestConfig, headers: AxiosHeaders): unknown {
  if (record.body.type !== 'text') return NOT_MADE;
  const recipe = recipeOf(config);
  const known = made.get(record);
  let found = known?.find((candidate) => sameRecipe(candidate, recipe));
  if (found !== undefined && !found.shared) return NOT_MADE;
  if (found === undefined) {
    let data: unknown;
    try {
      data = runTransforms(recipe.transforms, config, record.body.text, headers, record.status);
    } catch {
      return NOT_MADE;
    }
    const bytes = plainDataBytes(data);
    if (bytes !== undefined) deepFreeze(data);
    // Data that is not plain is this caller's own; what is remembered is only that later hits copy.
    found = { ...recipe, shared: bytes !== undefined, data: bytes === undefined ? undefined : data, bytes: MADE_OVERHEAD_BYTES + (bytes ?? 0), delivery: deliveryFor(recipe.transforms) };
    const list = known === undefined ? [found] : [...known.slice(known.length >= MAX_RECIPES_PER_RECORD ? 1 : 0), found];
    // Kept only where the store counts it with the entry; otherwise it was made for this hit alone.
    if (retain(holder, key, record, list.reduce((sum, item) => sum + item.bytes, 0))) made.set(record, list);
    return deliver(config, found.delivery, data);
  }
  return deliver(config, found.delivery, found.data);
}

/** Asks the store to hold the data with the entry: under the request's key, or the variant key a `Vary` record is also stored under. */
function retain(holder: Holder, key: string, record: CacheRecord, bytes: number): boolean {
  if (holder.retain(key, record, bytes)) return true;
  return record.varyValues !== undefined && holder.retain(variantKey(key, record.varyEpoch ?? record.createdAt, record.varyValues), record, bytes);
}

function deliver(config: InternalAxiosRequestConfig, delivery: readonly Transform[], data: unknown): unknown {
  config.transformResponse = delivery as unknown as NonNullable<InternalAxiosRequestConfig['transformResponse']>;
  handing.set(config, { data });
  return data;
}

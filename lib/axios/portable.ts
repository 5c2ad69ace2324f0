/**
 * The portable form of cache entries (`cache.export()`, `cache.import()`): one JSON-serialisable object per stored
 * response, versioned, with bodies as text or base64 and every time absolute (epoch ms), so that a cache can be
 * copied between stores, processes and machines, and fixtures written by hand. docs/management.md describes it.
 *
 * Import never writes garbage: every entry is checked field by field before it is written, and store keys are
 * derived from the entry (its `key`, and for a `Vary` variant the variant key), never read from the file, so an entry
 * can only ever answer for its own key.
 */
import { RECORD_FORMAT_VERSION } from '../record.js';
import type { CachedBody, CacheRecord } from '../record.js';
import { asError, ImportError, ReadOnlyError } from '../errors.js';
import { isBinaryKind } from '../stores/record-shape.js';
import type { BinaryKind } from '../stores/record-shape.js';
import type { CacheContext } from './context.js';
import { guardedCall, readRecord, walk } from './delete-matching.js';
import type { CompiledQuery } from './query.js';
import { isVariantKey, plainResponseHeaders, variantKey } from './records.js';
import { policyFor } from './request-model.js';
import { headersToStore, storability } from '../semantics/index.js';
import { describe } from './resolve-options.js';

/** What every portable entry says it is. */
export const PORTABLE_FORMAT = 'axios-http-cache/entry';
/** Version of {@link PortableEntry}'s shape; an entry of a later version is refused, not guessed at. */
export const PORTABLE_FORMAT_VERSION = 1;

/** A body in portable form: text as it is, bytes as base64 (with the kind of object a hit hands back). */
export type PortableBody =
  | { readonly text: string }
  | { readonly base64: string; readonly as?: BinaryKind };

/**
 * One cached response in the portable form (version {@link PORTABLE_FORMAT_VERSION}). Every field is plain JSON: a
 * file of these, one per line, is NDJSON. Times are epoch ms.
 */
export interface PortableEntry {
  readonly format: typeof PORTABLE_FORMAT;
  readonly v: typeof PORTABLE_FORMAT_VERSION;
  /** The key the entry answers for (see docs/keys.md); keyed hashes in it are made with the `secret` option. */
  readonly key: string;
  /** Upper-case request method. */
  readonly method: string;
  /** Normalised absolute request URL. */
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  /** Stored response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: PortableBody;
  /** When the request that produced the response was sent, and when the response arrived (RFC 9111 §4.2.3). */
  readonly requestTime: number;
  readonly responseTime: number;
  /** When the entry was first stored. */
  readonly createdAt: number;
  /** When the store drops the entry: kept as it is by an import, which skips an entry already past it. */
  readonly expiresAt: number;
  /** The `ttl` in force when it was stored; `'Infinity'` for an unbounded one (JSON has no Infinity). */
  readonly ttlMs?: number | 'Infinity';
  readonly tags?: readonly string[];
  /** For a response with `Vary`: the header names, the request's values (credential values as keyed hashes) and the variant generation. */
  readonly vary?: readonly string[];
  readonly varyValues?: ReadonlyArray<string | null>;
  readonly varyEpoch?: number;
}

/** What `cache.import()` resolves. */
export interface ImportResult {
  /** Entries written to the store. */
  readonly imported: number;
  /** Entries skipped because their `expiresAt` had passed. */
  readonly expired: number;
}

/** What `cache.import()` takes: entries, or NDJSON lines (strings; blank lines are skipped), synchronously or streamed. */
export type ImportSource = Iterable<PortableEntry | string> | AsyncIterable<PortableEntry | string>;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** A stored record in portable form. */
export function toPortable(record: CacheRecord): PortableEntry {
  const body: PortableBody = record.body.type === 'text' ? { text: record.body.text } : { base64: toBase64(record.body.bytes), ...(record.body.as === undefined ? {} : { as: record.body.as }) };
  return {
    format: PORTABLE_FORMAT,
    v: PORTABLE_FORMAT_VERSION,
    key: record.key,
    method: record.method,
    url: record.url,
    status: record.status,
    statusText: record.statusText,
    headers: { ...record.headers },
    body,
    requestTime: record.requestTime,
    responseTime: record.responseTime,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    ...(record.ttlMs === undefined ? {} : { ttlMs: Number.isFinite(record.ttlMs) ? record.ttlMs : 'Infinity' }),
    ...(record.tags === undefined || record.tags.length === 0 ? {} : { tags: [...record.tags] }),
    ...(record.vary && record.varyValues
      ? { vary: [...record.vary], varyValues: [...record.varyValues], varyEpoch: record.varyEpoch ?? record.createdAt }
      : {}),
  };
}

/** The one error of an import: which entry (its position, and its key when it has one), which field, what is wrong. */
class InvalidEntry extends TypeError {
  constructor(position: number, key: unknown, field: string, why: string) {
    const which = typeof key === 'string' ? `entry ${position} (key ${JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)})` : `entry ${position}`;
    super(`axios-http-cache: cache.import(): ${which}: ${field === '' ? why : `field "${field}" ${why}`}; nothing of it was written (entries before it were)`);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Z]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A key in the default layout: a method, a space, an absolute URL (docs/keys.md). */
const DEFAULT_LAYOUT = /^[!#$%&'*+\-.^_`|~0-9A-Z]+ [a-z][a-z\d+\-.]*:\/\//i;
const FIELDS = new Set(['format', 'v', 'key', 'method', 'url', 'status', 'statusText', 'headers', 'body', 'requestTime', 'responseTime', 'createdAt', 'expiresAt', 'ttlMs', 'tags', 'vary', 'varyValues', 'varyEpoch']);

/** Checks one portable entry and turns it into the record it stands for; throws an {@link InvalidEntry} naming the field. */
export function fromPortable(value: unknown, position: number, normaliseUrl: (url: string) => string): CacheRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidEntry(position, undefined, '', `must be an object, got ${describe(value)}`);
  const e = value as Record<string, unknown>;
  const bad = (field: string, why: string): never => {
    throw new InvalidEntry(position, e.key, field, `${why}, got ${describe(e[field])}`);
  };
  if (e.format !== PORTABLE_FORMAT) bad('format', `must be ${JSON.stringify(PORTABLE_FORMAT)} (this is not a cache.export() entry)`);
  if (e.v !== PORTABLE_FORMAT_VERSION) {
    bad('v', typeof e.v === 'number' && e.v > PORTABLE_FORMAT_VERSION ? `is a later format version than this library reads (${PORTABLE_FORMAT_VERSION}): upgrade axios-http-cache to import it` : `must be ${PORTABLE_FORMAT_VERSION}`);
  }
  for (const field of Object.keys(e)) if (!FIELDS.has(field)) throw new InvalidEntry(position, e.key, field, 'is not a field of the portable format');

  const { key, method, url } = e;
  if (typeof key !== 'string' || key === '') return bad('key', 'must be a non-empty string');
  if (isVariantKey(key)) bad('key', 'must be the key the entry answers for, not a variant key (variant keys are derived from vary, varyValues and varyEpoch)');
  if (typeof method !== 'string' || !METHOD.test(method)) return bad('method', 'must be an upper-case HTTP method');
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return bad('url', 'must be an absolute http(s) URL');
  let normalised: string;
  try {
    normalised = normaliseUrl(url);
  } catch {
    return bad('url', 'must be a URL that parses');
  }
  if (normalised !== url) bad('url', `must be normalised as keys are (credential parameters removed), as ${JSON.stringify(normalised)}`);
  if (DEFAULT_LAYOUT.test(key) && !(key === `${method} ${url}` || key.startsWith(`${method} ${url} `))) {
    bad('key', `must start with the entry's method and URL (${JSON.stringify(`${method} ${url}`)}), so that it answers only for that URL`);
  }
  if (!Number.isInteger(e.status) || (e.status as number) < 100 || (e.status as number) > 599) bad('status', 'must be an integer from 100 to 599');
  if (typeof e.statusText !== 'string' || /[\r\n]/.test(e.statusText)) bad('statusText', 'must be a string without line breaks');
  const headers = headersOf(e.headers, (why) => bad('headers', why));
  const body = bodyOf(e.body, (why) => bad('body', why));
  for (const field of ['requestTime', 'responseTime', 'createdAt', 'expiresAt'] as const) {
    if (typeof e[field] !== 'number' || !Number.isFinite(e[field]) || e[field] < 0) bad(field, 'must be a time in epoch ms');
  }
  let ttlMs: number | undefined;
  if (e.ttlMs !== undefined) {
    if (e.ttlMs === 'Infinity') ttlMs = Infinity;
    else if (typeof e.ttlMs === 'number' && Number.isFinite(e.ttlMs) && e.ttlMs >= 0) ttlMs = e.ttlMs;
    else bad('ttlMs', "must be a non-negative number of ms or 'Infinity'");
  }
  if (e.tags !== undefined && (!Array.isArray(e.tags) || e.tags.some((tag) => typeof tag !== 'string' || tag === ''))) bad('tags', 'must be an array of non-empty strings');
  const varied = e.vary !== undefined || e.varyValues !== undefined || e.varyEpoch !== undefined;
  if (varied) {
    if (!Array.isArray(e.vary) || e.vary.length === 0 || e.vary.some((name) => typeof name !== 'string' || !TOKEN.test(name))) bad('vary', 'must be a non-empty array of lower-case header names');
    const names = e.vary as string[];
    if (!Array.isArray(e.varyValues) || e.varyValues.length !== names.length || e.varyValues.some((v) => v !== null && typeof v !== 'string')) {
      bad('varyValues', `must be an array of ${names.length} strings or nulls, one per vary name`);
    }
    if (!Number.isSafeInteger(e.varyEpoch)) bad('varyEpoch', 'must be an integer (the variant generation)');
  }
  return {
    v: RECORD_FORMAT_VERSION,
    key,
    method,
    url,
    status: e.status as number,
    statusText: e.statusText as string,
    headers,
    body,
    requestTime: e.requestTime as number,
    responseTime: e.responseTime as number,
    createdAt: e.createdAt as number,
    expiresAt: e.expiresAt as number,
    ...(ttlMs === undefined ? {} : { ttlMs }),
    ...(e.tags === undefined || (e.tags as string[]).length === 0 ? {} : { tags: [...(e.tags as string[])] }),
    ...(varied ? { vary: [...(e.vary as string[])], varyValues: [...(e.varyValues as Array<string | null>)], varyEpoch: e.varyEpoch as number } : {}),
  };
}

function headersOf(value: unknown, bad: (why: string) => never): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('must be an object of lower-case header names to strings');
  const headers = Object.create(null) as Record<string, string>;
  for (const [name, text] of Object.entries(value)) {
    if (!TOKEN.test(name)) bad(`must have lower-case header names; ${JSON.stringify(name)} is not one`);
    // A line break in a value would let a file inject headers into whatever forwards a cached answer.
    if (typeof text !== 'string' || /[\r\n\0]/.test(text)) bad(`must map ${JSON.stringify(name)} to a string without line breaks`);
    headers[name] = text;
  }
  return headers;
}

function bodyOf(value: unknown, bad: (why: string) => never): CachedBody {
  if (typeof value !== 'object' || value === null) return bad('must be { text } or { base64, as? }');
  const body = value as Record<string, unknown>;
  const fields = Object.keys(body).sort().join(',');
  if (fields === 'text' && typeof body.text === 'string') return { type: 'text', text: body.text };
  if ((fields === 'base64' || fields === 'as,base64') && typeof body.base64 === 'string') {
    if (!BASE64.test(body.base64)) bad('must hold valid base64 in "base64"');
    const as = body.as;
    if (as === undefined) return { type: 'binary', bytes: fromBase64(body.base64) };
    if (!isBinaryKind(as)) return bad('"as" must be buffer, arraybuffer, uint8array, stream or webstream');
    return { type: 'binary', bytes: fromBase64(body.base64), as };
  }
  return bad('must be { text } or { base64, as? }');
}

/** The entries matching `queries` (every live entry when there are none), in portable form. */
export async function* exportEntries(ctx: CacheContext, queries: readonly CompiledQuery[]): AsyncGenerator<PortableEntry> {
  const selected = queries.length === 0 ? [{ key: undefined, matches: () => true, filter: {} }] : queries;
  for await (const record of walk(ctx, selected)) {
    // A listing may still meet a record its store has not expired yet.
    if (record.expiresAt > ctx.options.now()) yield toPortable(record);
  }
}

/** Parses an NDJSON line; undefined for a blank one. */
function parsedLine(line: string, position: number): unknown {
  if (line.trim() === '') return undefined;
  try {
    return JSON.parse(line) as unknown;
  } catch (error) {
    throw new InvalidEntry(position, undefined, '', `is not JSON (${(error as Error).message})`);
  }
}

/** Writes an import keeps in flight at once: a remote store then costs a round trip per batch, not per entry. */
const IMPORT_CONCURRENCY = 16;

/** Where an import stopped: the lowest position that failed, why, and the error behind it. */
interface Stop {
  readonly position: number;
  readonly error: unknown;
}

/**
 * Writes `source` into the store, each entry checked before it is written; an invalid entry rejects the import with a
 * TypeError naming the entry and the field, once the writes of the entries before it have settled. An entry already
 * expired is skipped; one whose key is stored already replaces it (entries of one key are written in file order).
 *
 * Each write is bounded by `storeTimeoutMs`, as on the request path: a store that fails or hangs, or a source that
 * fails, rejects the import with an {@link ImportError} saying how many entries were imported and the position to
 * resume from (every entry before it is written; writes still in flight are waited for first).
 */
export async function importEntries(ctx: CacheContext, source: ImportSource): Promise<ImportResult> {
  if (ctx.options.readOnly) throw new ReadOnlyError('cache.import()');
  if (source === null || typeof source !== 'object' || (!(Symbol.iterator in source) && !(Symbol.asyncIterator in source)) || typeof source === 'string') {
    throw new TypeError(`axios-http-cache: cache.import() takes an iterable or async iterable of entries (from cache.export()) or NDJSON lines, got ${describe(source)}`);
  }
  const normalise = (url: string): string => ctx.normaliseUrl({ url });
  const writing = new Map<Promise<void>, string>();
  let stop: Stop | undefined;
  const stopAt = (position: number, error: unknown): void => {
    if (stop === undefined || position < stop.position) stop = { position, error };
  };
  const settle = async (room: number): Promise<void> => {
    while (writing.size > room) await Promise.race(writing.keys());
  };
  let position = 0;
  let imported = 0;
  let expired = 0;
  try {
    for await (const item of source) {
      position += 1;
      const value = typeof item === 'string' ? parsedLine(item, position) : item;
      if (value === undefined) continue;
      const record = storableImport(ctx, fromPortable(value, position, normalise), position);
      if (record.expiresAt <= ctx.options.now()) {
        expired += 1;
        continue;
      }
      // A Vary variant reads the primary record to decide whether to take it over, and a key met twice keeps file order.
      if (record.vary || [...writing.values()].includes(record.key)) await settle(0);
      if (stop) break;
      const at = position;
      const write = writeEntry(ctx, record).then(
        () => { imported += 1; },
        (error: unknown) => stopAt(at, error),
      ).finally(() => writing.delete(write));
      writing.set(write, record.key);
      await settle(IMPORT_CONCURRENCY - 1);
      if (stop) break;
    }
  } catch (error) {
    // An invalid entry is thrown from the loop's body (after `position` counted it); anything else is the source's own.
    stopAt(error instanceof InvalidEntry ? position : position + 1, error);
  } finally {
    await settle(0);
  }
  if (stop) {
    const { position: at, error } = stop;
    if (error instanceof InvalidEntry) throw error;
    // A position past the last one read is the entry the source failed to give.
    const reason = at > position ? `reading the source failed (${asError(error).message})` : `the store did not take it (${asError(error).message})`;
    throw new ImportError(imported, at, reason, { cause: error });
  }
  ctx.debug(`imported ${imported} ${imported === 1 ? 'entry' : 'entries'}, skipped ${expired} expired`, { imported, expired });
  return { imported, expired };
}

/**
 * An imported record as the request path would have stored it, or an {@link InvalidEntry} saying why that path would
 * not have stored it: the same storability decision (RFC 9111 §3 with this cache's policy, `shared` included: no
 * `private` response in a shared cache, no `no-store`), and the same headers kept (no Set-Cookie, no hop-by-hop
 * fields, none a `no-cache="…"` or, shared, a `private="…"` names). The request behind the entry is unknown: it is
 * taken to carry no credentials.
 */
function storableImport(ctx: CacheContext, record: CacheRecord, position: number): CacheRecord {
  const policy = policyFor(ctx.options, {}, record.ttlMs);
  const response = { status: record.status, headers: plainResponseHeaders(record.headers) };
  const verdict = storability({ method: record.method, headers: {} }, response, policy);
  if (!verdict.storable) throw new InvalidEntry(position, record.key, '', `is not storable in this cache (${verdict.reason})`);
  return { ...record, headers: headersToStore(response, policy) };
}

/**
 * Writes one record where the request path would: its key, and for a `Vary` variant its variant key too. The primary
 * key holds the variant generation lookups follow, so a variant takes it over unless the record there is of the same
 * generation and newer.
 */
async function writeEntry(ctx: CacheContext, record: CacheRecord): Promise<void> {
  const store = ctx.options.store;
  if (record.vary && record.varyValues && record.varyEpoch !== undefined) {
    const variant = variantKey(record.key, record.varyEpoch, record.varyValues);
    await guardedCall(ctx, 'set', variant, () => store.set(variant, record, record.expiresAt));
    const primary = await readRecord(ctx, record.key);
    if (primary?.varyEpoch === record.varyEpoch && primary.responseTime > record.responseTime) return;
  }
  await guardedCall(ctx, 'set', record.key, () => store.set(record.key, record, record.expiresAt));
}

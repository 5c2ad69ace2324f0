/**
 * Cache-Control parsing (RFC 9111 §5.2) and the request Pragma fallback (§5.4).
 *
 * The parser is deliberately forgiving: it never throws, ignores unknown directives,
 * compares names case-insensitively, accepts token and quoted-string arguments, and
 * keeps commas inside quoted strings together. Conflict handling (§4.2.1):
 * - a directive repeated with a different delta-seconds value: `max-age` and `s-maxage`
 *   become 0 (the response is considered stale), other numeric directives keep the first
 *   occurrence;
 * - an invalid `max-age` / `s-maxage` (negative, fractional, garbage, missing) becomes 0:
 *   "Caches are encouraged to consider responses that have invalid freshness information
 *   (e.g., a max-age directive with non-integer content) to be stale";
 * - an invalid `max-stale` value, `min-fresh`, `stale-while-revalidate` or `stale-if-error`
 *   is ignored (as if absent), which never widens what may be served stale;
 * - a bare `no-cache` / `private` wins over a qualified one (the most restrictive);
 *   qualified field lists are merged.
 */
import { parseFieldNames } from './field-names.js';
import { BoundedMemo, stringBytes } from './memo.js';
import type { CacheDirectives, Headers } from './types.js';

/** RFC 9111 §1.2.2: the value a cache MUST use for any delta-seconds it cannot represent. */
export const DELTA_SECONDS_MAX = 2147483648;

interface RawDirective {
  readonly name: string;
  /** undefined when the directive had no `=argument`. */
  readonly value: string | undefined;
}

/** Splits a field value on commas that are not inside a quoted string. */
function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    if (quoted && ch === '\\' && i + 1 < value.length) {
      current += ch + value.charAt(i + 1);
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Removes surrounding quotes and backslash escapes of a quoted-string (RFC 9110 §5.6.4). */
function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  // An unterminated quoted-string: keep what follows the opening quote.
  return trimmed.startsWith('"') ? trimmed.slice(1) : trimmed;
}

function rawDirectives(value: string): RawDirective[] {
  const out: RawDirective[] = [];
  for (const part of splitOutsideQuotes(value, ',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    out.push({ name, value: eq === -1 ? undefined : unquote(part.slice(eq + 1)) });
  }
  return out;
}

/**
 * Parses a delta-seconds argument (RFC 9111 §1.2.2): digits only, clamped to 2^31.
 * Returns undefined for anything else (negative, fractional, empty, garbage).
 */
export function parseDeltaSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^[0-9]+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  // §1.2.2: "the cache MUST consider the value to be 2147483648 (2^31)" on overflow.
  return n > DELTA_SECONDS_MAX ? DELTA_SECONDS_MAX : n;
}

/** Merges a bare / qualified list directive: bare (true) is the most restrictive and wins. */
function mergeList(previous: boolean | readonly string[], value: string | undefined): boolean | readonly string[] {
  if (previous === true) return true;
  if (value === undefined) return true;
  const names = parseFieldNames(value);
  // An empty qualified list (`no-cache=""`) names nothing; treat it as the bare form (restrictive).
  if (names.length === 0) return true;
  const before = previous === false ? [] : previous;
  return [...new Set([...before, ...names])];
}

const NUMERIC_FIELDS = {
  'max-age': 'maxAge',
  's-maxage': 'sMaxage',
  'max-stale': 'maxStale',
  'min-fresh': 'minFresh',
  'stale-while-revalidate': 'staleWhileRevalidate',
  'stale-if-error': 'staleIfError',
} as const;

type NumericField = (typeof NUMERIC_FIELDS)[keyof typeof NUMERIC_FIELDS];

/** Directives whose invalid or conflicting values make the response stale (§4.2.1). */
const FRESHNESS_FIELDS: ReadonlySet<NumericField> = new Set<NumericField>(['maxAge', 'sMaxage']);

const FLAG_FIELDS = {
  'no-store': 'noStore',
  public: 'public',
  'must-revalidate': 'mustRevalidate',
  'proxy-revalidate': 'proxyRevalidate',
  'must-understand': 'mustUnderstand',
  immutable: 'immutable',
  'only-if-cached': 'onlyIfCached',
  'no-transform': 'noTransform',
} as const;

type FlagField = (typeof FLAG_FIELDS)[keyof typeof FLAG_FIELDS];

function isKeyOf<T extends object>(table: T, key: string): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(table, key);
}

/** Estimated bytes of parsed directives: the object's slots plus the field names of qualified lists. */
function directivesBytes(directives: CacheDirectives): number {
  let bytes = 160;
  for (const list of [directives.noCache, directives.private]) {
    if (typeof list !== 'boolean') for (const name of list) bytes += 16 + stringBytes(name);
  }
  return bytes;
}

/** Parsed Cache-Control values by field value, bounded in bytes (see {@link BoundedMemo}). Exported for tests. */
export const cacheControlMemo = new BoundedMemo<CacheDirectives>(directivesBytes);

const parseFrozen = (text: string): CacheDirectives => Object.freeze(parseUncached(text));

/**
 * Parses a Cache-Control field value (request or response). Never throws.
 *
 * Results are memoised by field value, within `MEMO_BUDGET_BYTES` (256 KB, memo.ts) of estimated keys and
 * values: a cache hit asks for the same stored response's directives several times, and servers send few
 * distinct values. The results are frozen, so sharing them is safe.
 */
export function parseCacheControl(value: string | undefined): CacheDirectives {
  return value === undefined ? absentDirectives() : cacheControlMemo.remember(value, parseFrozen);
}

let noDirectives: CacheDirectives | undefined;

/** The directives of an absent field (most requests send none): parsed once, without a memo lookup. */
function absentDirectives(): CacheDirectives {
  return (noDirectives ??= parseFrozen(''));
}

function parseUncached(value: string): CacheDirectives {
  const numbers = new Map<NumericField, number>();
  const flags = new Set<FlagField>();
  let noCache: boolean | readonly string[] = false;
  let privateDirective: boolean | readonly string[] = false;

  for (const { name, value: argument } of rawDirectives(value)) {
    if (isKeyOf(NUMERIC_FIELDS, name)) {
      const field = NUMERIC_FIELDS[name];
      let seconds = parseDeltaSeconds(argument);
      // §5.2.1.2: "If no value is assigned to max-stale, then the client will accept a stale response of any age."
      if (field === 'maxStale' && argument === undefined) seconds = Infinity;
      if (seconds === undefined) {
        // §4.2.1: invalid freshness information -> stale.
        if (FRESHNESS_FIELDS.has(field)) numbers.set(field, 0);
        continue;
      }
      const previous = numbers.get(field);
      if (previous === undefined) numbers.set(field, seconds);
      // §4.2.1: "either the first occurrence should be used, or the response should be considered stale".
      else if (previous !== seconds && FRESHNESS_FIELDS.has(field)) numbers.set(field, 0);
    } else if (isKeyOf(FLAG_FIELDS, name)) {
      flags.add(FLAG_FIELDS[name]);
    } else if (name === 'no-cache') {
      noCache = mergeList(noCache, argument);
    } else if (name === 'private') {
      privateDirective = mergeList(privateDirective, argument);
    }
  }

  // The literal comes first and the numbers are added to it: spreading an object built by computed
  // assignment takes V8's slow clone path (several µs per parse).
  const directives: { -readonly [K in keyof CacheDirectives]: CacheDirectives[K] } = {
    noStore: flags.has('noStore'),
    noCache,
    private: privateDirective,
    public: flags.has('public'),
    mustRevalidate: flags.has('mustRevalidate'),
    proxyRevalidate: flags.has('proxyRevalidate'),
    mustUnderstand: flags.has('mustUnderstand'),
    immutable: flags.has('immutable'),
    onlyIfCached: flags.has('onlyIfCached'),
    noTransform: flags.has('noTransform'),
  };
  for (const [field, seconds] of numbers) directives[field] = seconds;
  return directives;
}

/**
 * RFC 9111 §5.4 (and RFC 7234 §5.4 before it): a request `Pragma: no-cache` means the same as
 * `Cache-Control: no-cache`, but only when the request carries no Cache-Control field.
 */
export function parsePragmaNoCache(headers: Headers): boolean {
  if (headers['cache-control'] !== undefined) return false;
  const pragma = headers['pragma'];
  if (pragma === undefined) return false;
  return splitOutsideQuotes(pragma, ',').some((token) => token.trim().toLowerCase() === 'no-cache');
}

/** The request's directives with a Pragma: no-cache fallback folded into `noCache` (§5.4). */
export function requestDirectives(headers: Headers): CacheDirectives {
  const directives = parseCacheControl(headers['cache-control']);
  return parsePragmaNoCache(headers) ? { ...directives, noCache: true } : directives;
}

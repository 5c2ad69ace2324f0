/**
 * Selecting header fields nominated by Vary (RFC 9111 §4.1).
 */
import { fieldValue, parseFieldNames } from './field-names.js';
import type { Headers } from './types.js';

const NO_NAMES: readonly string[] = Object.freeze([]);

/**
 * The field names a response's Vary lists: lower-case, de-duplicated, sorted; '*' when the list
 * contains "*" (§4.1: such a value "always fails to match"); [] without Vary.
 */
export function varyNames(headers: Headers): readonly string[] | '*' {
  const vary = headers['vary'];
  // Most responses have no Vary: one shared empty list, not three fresh arrays, on every hit.
  if (vary === undefined) return NO_NAMES;
  const names = parseFieldNames(vary);
  if (names.includes('*')) return '*';
  return [...new Set(names)].sort();
}

/**
 * §4.1 normalisation that cannot change meaning: "adding or removing whitespace, where allowed
 * in the header field's syntax" and "combining multiple header field lines". Optional whitespace
 * around list commas and parameter semicolons is removed, other runs collapse to one space, the
 * ends are trimmed. Values are otherwise compared exactly (case and order are kept, since their
 * meaning depends on the field).
 */
function normaliseFieldValue(value: string): string {
  return value
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/ ?, ?/g, ',')
    .replace(/ ?; ?/g, ';');
}

/** The request field `name` (lower-case); own fields only, whatever the case of their names (§4.1: names are case-insensitive). */
function lookup(headers: Headers, name: string): string | undefined {
  const direct = fieldValue(headers, name);
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name && typeof value === 'string') return value;
  return undefined;
}

/** The request's normalised values for `names`, in order; null where the request lacks the field. */
export function varyValues(names: readonly string[], reqHeaders: Headers): (string | null)[] {
  return names.map((name) => {
    const value = lookup(reqHeaders, name.toLowerCase());
    return value === undefined ? null : normaliseFieldValue(value);
  });
}

/**
 * §4.1: a stored response may be used only if "all the selecting header fields nominated by the
 * Vary header field match"; a field absent from one request "can only match another request if
 * it is also absent there".
 */
export function varyMatches(names: readonly string[], storedValues: readonly (string | null)[], reqHeaders: Headers): boolean {
  return names.length === storedValues.length && varyValuesMatch(storedValues, varyValues(names, reqHeaders));
}

/**
 * The same rule on values already taken from the request (as {@link varyValues} gives them, or as a cache stands
 * them in for, keyed hashes of credentials say): every value matches, and an absent one only an absent one.
 */
export function varyValuesMatch(storedValues: readonly (string | null)[] | undefined, presented: readonly (string | null)[]): boolean {
  if (!storedValues || storedValues.length !== presented.length) return false;
  return presented.every((value, i) => {
    const storedValue = storedValues[i];
    if (storedValue === null || storedValue === undefined) return value === null;
    return value !== null && value === normaliseFieldValue(storedValue);
  });
}

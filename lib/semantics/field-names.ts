/**
 * Lists of field names (RFC 9110 §5.6.1), as Connection, Vary and the qualified `no-cache` and
 * `private` directives carry them, and safe reads and writes of fields by a name from the network.
 */
import type { Headers } from './types.js';

/**
 * The value of the field `name` in `headers`, or undefined. Only own string properties count: a name
 * from the network such as `constructor` or `__proto__` must never read `Object.prototype`.
 */
export function fieldValue(headers: Headers, name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value: unknown = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The prototype of every field map: empty, frozen, itself without a prototype. So no name reaches
 * `Object.prototype` (`__proto__` and `constructor` are plain fields), and a field map stays a compact
 * fast-properties object: one made with `Object.create(null)` is a hash table from birth, about 250 bytes
 * more for a handful of headers, which every cached entry would pay.
 */
const FIELDS_PROTOTYPE: object = Object.freeze(Object.create(null) as object);

/**
 * An empty field map that inherits nothing, for building header fields whose names come from the network:
 * assigning `__proto__` or `constructor` to it stores a field like any other (on `{}`, assigning
 * `__proto__` would silently drop the field, or change the object's prototype).
 */
export function emptyFields(): Record<string, string> {
  return Object.create(FIELDS_PROTOTYPE) as Record<string, string>;
}

/** The names listed in a comma-separated field value: trimmed, lower-case, empty list members dropped; [] when absent. */
export function parseFieldNames(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

/**
 * Lists of field names (RFC 9110 §5.6.1), as Connection, Vary and the qualified `no-cache` and
 * `private` directives carry them.
 */

/** The names listed in a comma-separated field value: trimmed, lower-case, empty list members dropped; [] when absent. */
export function parseFieldNames(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

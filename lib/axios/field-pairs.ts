/**
 * Compares header fields with pairs remembered from earlier fields (name, value, name, value..., in their order):
 * how the cache tells, without checking them again, that a record's or a request's headers are the ones it checked.
 */

/** True when `fields` holds exactly these pairs, in this order. */
export function samePairs(fields: Readonly<Record<string, unknown>>, pairs: readonly unknown[]): boolean {
  const names = Object.keys(fields);
  if (names.length * 2 !== pairs.length) return false;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (name !== pairs[2 * i] || fields[name] !== pairs[2 * i + 1]) return false;
  }
  return true;
}

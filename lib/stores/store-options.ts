/**
 * Checks shared by every store's constructor. No `node:` imports: the browser stores use it too.
 */

/** The TypeError a store's constructor throws for bad options, with the project's one prefix. */
export function storeOptionError(store: string, message: string): TypeError {
  return new TypeError(`axios-http-cache: ${store} ${message}`);
}

/** `value` if it is a positive safe integer; otherwise the TypeError that names option `name` of `store`. */
export function positiveIntegerOption(store: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw storeOptionError(store, `option ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Edit distance of two short strings (option names), for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Throws a TypeError for an options object that is not a plain object, or that has an option the
 * store does not know (a typo would otherwise be silently ignored), naming it and listing the known ones.
 */
export function checkStoreOptions(store: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw storeOptionError(store, `options must be an object (known options: ${known.join(', ')})`);
  }
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const lower = name.toLowerCase();
    const near = known.find((option) => option.toLowerCase() === lower)
      ?? known.find((option) => distance(option.toLowerCase(), lower) <= (lower.length <= 4 ? 1 : 2));
    const hint = near === undefined ? '' : ` Did you mean "${near}"?`;
    throw storeOptionError(store, `option "${name}" is not a known option.${hint} Known options: ${known.join(', ')}`);
  }
}

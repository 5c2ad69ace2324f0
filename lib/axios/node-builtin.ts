/**
 * Node built-in modules for the browser-safe core: looked up at run time through `process.getBuiltinModule`
 * (Node >= 20.16), never imported, so the main entry still bundles for browsers. `node-stream.ts` reaches `stream`
 * here and `diagnostics.ts` reaches `diagnostics_channel`; where a module is missing (a browser, an older Node, a
 * module of another shape), they get null and do without it.
 */

type BuiltinLoader = (this: unknown, id: string) => unknown;

/** Each module looked up, or null when it is missing: one lookup per id and process. */
const looked = new Map<string, unknown>();

/**
 * The built-in module `id` (such as `node:stream`), when this runtime has it and `fits` accepts what it found (the
 * functions the caller uses are there); null otherwise. Never throws.
 */
export function nodeBuiltin<T extends object>(id: string, fits: (found: Partial<T>) => boolean): T | null {
  if (looked.has(id)) return looked.get(id) as T | null;
  let module: T | null = null;
  const host = (globalThis as { process?: { getBuiltinModule?: BuiltinLoader } }).process;
  const load = host?.getBuiltinModule;
  if (typeof load === 'function') {
    try {
      const found = load.call(host, id) as Partial<T> | undefined;
      // A module may be a function with properties (node:stream is the Stream constructor).
      if ((typeof found === 'object' || typeof found === 'function') && found !== null && fits(found)) module = found as T;
    } catch {
      // A module this Node does not offer (or only behind a flag): do without it.
    }
  }
  looked.set(id, module);
  return module;
}

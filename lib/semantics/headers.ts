/**
 * Which response header fields a cache keeps (RFC 9111 §3.1).
 */
import { parseCacheControl } from './cache-control.js';
import { emptyFields, fieldValue, parseFieldNames } from './field-names.js';
import type { Headers, PolicyOptions, ResponseFacts } from './types.js';


/**
 * RFC 9111 §3.1 / RFC 9110 §7.6.1: connection-specific fields, removed before forwarding and
 * therefore before storage, plus the proxy-specific fields §3.1 says "MUST NOT be stored".
 */
export const HOP_BY_HOP_FIELDS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-authentication-info',
]);

/** Copies `headers` without the named (lower-case) fields, into an object without prototype (any name is a field). */
function without(headers: Headers, drop: ReadonlySet<string>): Record<string, string> {
  const out = emptyFields();
  // Names, not entries: no [name, value] array per field.
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (!drop.has(lower)) out[lower] = headers[name] as string;
  }
  return out;
}

/**
 * RFC 9111 §3.1: removes Connection and "fields whose names are listed in it", the other
 * hop-by-hop fields and the proxy authentication fields. Names come back lower-case.
 */
export function stripHopByHop(headers: Headers): Record<string, string> {
  let connection: string | undefined;
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'connection') {
      connection = headers[name];
      break;
    }
  }
  // Most responses list nothing beyond the standard fields (`Connection: keep-alive`): no set to build then.
  const listed = parseFieldNames(connection).filter((name) => !HOP_BY_HOP_FIELDS.has(name));
  return without(headers, listed.length === 0 ? HOP_BY_HOP_FIELDS : new Set([...HOP_BY_HOP_FIELDS, ...listed]));
}

/**
 * The header fields to persist for a response (RFC 9111 §3.1):
 * - hop-by-hop and proxy fields are removed (see {@link stripHopByHop});
 * - §5.2.2.7: with a qualified `private="a, b"` a shared cache "MUST NOT store the listed header
 *   fields" but may store the rest;
 * - §5.2.2.4: with a qualified `no-cache="a, b"` a cache MAY reuse the response "if the listed
 *   header fields are excluded from the subsequent response", so they are dropped from storage.
 * Both lists are honoured even when `opts.cacheControl` is false: they protect data, not freshness.
 */
export function headersToStore(res: ResponseFacts, opts: PolicyOptions): Record<string, string> {
  const kept = stripHopByHop(res.headers);
  const directives = parseCacheControl(fieldValue(kept, 'cache-control'));
  const noCache = typeof directives.noCache === 'boolean' ? [] : directives.noCache;
  const listedPrivate = !opts.shared || typeof directives.private === 'boolean' ? [] : directives.private;
  // Most responses list no field in either: the stripped copy is what is stored, with no set built.
  return noCache.length === 0 && listedPrivate.length === 0 ? kept : without(kept, new Set([...noCache, ...listedPrivate]));
}

/**
 * Method and status-code classes that RFC 9111 refers to (definitions live in RFC 9110).
 */

/** RFC 9110 §15.1 / RFC 9111 §4.2.2: status codes that are heuristically cacheable. */
export const HEURISTICALLY_CACHEABLE_STATUSES: ReadonlySet<number> = new Set([
  200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501,
]);

/**
 * Final status codes whose caching requirements this cache understands and implements
 * (RFC 9111 §3, "understood"; used by must-understand, §5.2.2.3). 206 is absent on purpose:
 * this cache does not implement ranges (§3.3 "MUST NOT store ... partial-content responses if
 * it does not support the Range and Content-Range header fields").
 */
export const UNDERSTOOD_STATUSES: ReadonlySet<number> = new Set([
  200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501,
]);

/** RFC 9110 §9.2.1: the safe methods. Every other method (including unknown ones) counts as unsafe. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** RFC 9111 §4.4: "unsafe request method (including methods whose safety is unknown)". */
export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** RFC 9110 §15: a final (non-1xx), syntactically valid status code. */
export function isFinalStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 200 && status <= 599;
}

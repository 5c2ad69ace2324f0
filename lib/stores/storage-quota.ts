/** True for the errors browsers throw when a write (Web Storage `setItem`, an IndexedDB `put`) would exceed the origin's quota. Internal: not in an entry point. */
export function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

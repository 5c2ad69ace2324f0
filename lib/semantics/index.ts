/**
 * The pure RFC 9111 layer, as the cache (lib/axios) uses it: explicit named exports only. Tests import the
 * modules directly.
 */
export type { PolicyOptions, RequestFacts } from './types.js';
export { parseCacheControl } from './cache-control.js';
export { ageHeaderValue, currentAgeMs, freshnessLifetimeMs } from './freshness.js';
export { emptyFields } from './field-names.js';
export { headersToStore } from './headers.js';
export { invalidationTargets } from './invalidation.js';
export { canServeStaleOnError, decideReuse, storeExpiryAt } from './reuse.js';
export { conditionalHeaders, mergeNotModified, notModifiedApplies } from './revalidation.js';
export { isUnsafeMethod } from './status.js';
export { storability } from './storable.js';
export { varyNames, varyValues, varyValuesMatch } from './vary.js';

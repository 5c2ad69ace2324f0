/**
 * The pure RFC 9111 layer: explicit named exports only.
 */
export type {
  CacheDirectives,
  Headers,
  PolicyOptions,
  RequestFacts,
  ResponseFacts,
  ReuseDecision,
  StorabilityVerdict,
  StoredFacts,
} from './types.js';
export {
  DELTA_SECONDS_MAX,
  parseCacheControl,
  parseDeltaSeconds,
  parsePragmaNoCache,
  requestDirectives,
} from './cache-control.js';
export { formatHttpDate, parseHttpDate } from './http-date.js';
export { HOP_BY_HOP_FIELDS, headersToStore, stripHopByHop } from './headers.js';
export { HEURISTICALLY_CACHEABLE_STATUSES, UNDERSTOOD_STATUSES, isFinalStatus, isUnsafeMethod } from './status.js';
export { storability } from './storable.js';
export {
  HEURISTIC_FRACTION,
  HEURISTIC_MAX_MS,
  ageHeaderValue,
  currentAgeMs,
  freshnessLifetimeMs,
  hasExplicitFreshness,
  heuristicFreshnessMs,
  parseAgeSeconds,
} from './freshness.js';
export {
  DEFAULT_RETAIN_FOR_REVALIDATION_MS,
  MAX_STALE_RETENTION_MS,
  canServeStaleOnError,
  decideReuse,
  storeExpiryAt,
} from './reuse.js';
export { normaliseFieldValue, varyMatches, varyNames, varyValues } from './vary.js';
export {
  conditionalHeaders,
  mergeNotModified,
  notModifiedApplies,
  parseEntityTag,
  strongEtagMatch,
  weakEtagMatch,
} from './revalidation.js';
export { invalidationTargets } from './invalidation.js';

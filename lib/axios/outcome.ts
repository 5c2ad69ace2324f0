/**
 * The one place an outcome is recorded: counted in `cache.stats()`, emitted as an event (and so on its diagnostics
 * channel), and told to the `debug` log.
 */
import type { CacheStats } from './context.js';
import type { CacheEventMap, CacheEventName, CacheEvents } from './events.js';
import { NO_DEBUG } from './resolve-options.js';

/** What recording needs of a cache. */
export interface OutcomeSink {
  readonly stats: CacheStats;
  readonly events: CacheEvents;
  readonly debug: (message: string, details: Record<string, unknown>) => void;
}

const COUNTERS: { readonly [E in CacheEventName]: keyof CacheStats | undefined } = {
  hit: 'hits',
  stale: 'staleServed',
  miss: 'misses',
  revalidated: 'revalidations',
  stored: 'stores',
  bypass: 'bypasses',
  error: 'errors',
  deleted: undefined,
};

/**
 * Records one outcome. `message` is the debug line ("hit: fresh", "not stored: …"); `quiet` counts it without an
 * event (a repeat of a failure already reported).
 */
export function recordOutcome<E extends CacheEventName>(sink: OutcomeSink, event: E, payload: CacheEventMap[E], message: string, quiet = false): void {
  const counter = COUNTERS[event];
  if (counter !== undefined) sink.stats[counter] += 1;
  // A copy for the logger, so that it cannot change what listeners get; none when nothing logs (the hit path).
  if (sink.debug !== NO_DEBUG) sink.debug(message, { ...payload });
  if (!quiet) sink.events.emit(event, payload);
}

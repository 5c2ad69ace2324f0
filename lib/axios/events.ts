import { channelFor } from './diagnostics.js';

/** What every cache event carries. */
export interface CacheEventBase {
  readonly key: string | undefined;
  readonly url: string;
  readonly method: string;
}

export interface CacheEventMap {
  hit: CacheEventBase;
  miss: CacheEventBase & { readonly reason: string };
  stale: CacheEventBase & { readonly reason: string };
  revalidated: CacheEventBase;
  stored: CacheEventBase & { readonly expiresAt: number };
  deleted: CacheEventBase & { readonly reason: string };
  bypass: CacheEventBase & { readonly reason: string };
  error: Omit<CacheEventBase, 'url' | 'method'> & { readonly url: string | undefined; readonly method: string | undefined; readonly error: Error; readonly operation: string };
}

export type CacheEventName = keyof CacheEventMap;
export type CacheListener<E extends CacheEventName> = (event: CacheEventMap[E]) => void;

type AnyListener = (event: never) => void;

/**
 * A small synchronous emitter. A listener that throws is isolated: the request goes on, and the throw
 * is reported through `onListenerError` (the cache's debug log) instead of reaching the caller.
 */
export class CacheEvents {
  private readonly listeners = new Map<CacheEventName, Set<AnyListener>>();

  constructor(private readonly onListenerError: (error: unknown, event: CacheEventName) => void) {}

  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
  }

  off<E extends CacheEventName>(event: E, listener: CacheListener<E>): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** True when someone listens to `event`, here or on its diagnostics channel (lets the hot path skip building payloads). */
  has(event: CacheEventName): boolean {
    const set = this.listeners.get(event);
    return (set !== undefined && set.size > 0) || channelFor(event)?.hasSubscribers === true;
  }

  emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    const channel = channelFor(event);
    if (channel?.hasSubscribers === true) {
      try {
        channel.publish(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of set) {
      try {
        (listener as CacheListener<E>)(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}

/**
 * Publishes cache events on Node's `diagnostics_channel` as `axios-http-cache:<event>` (`axios-http-cache:hit`,
 * `axios-http-cache:miss`, ...), so tracing tools can subscribe without touching application code.
 *
 * The module is looked up at run time by `node-builtin.ts`, never imported, so the core still bundles for browsers;
 * where it is missing, nothing is published. A channel is published to only while it has subscribers.
 */
import type { CacheEventMap, CacheEventName } from './events.js';
import { nodeBuiltin } from './node-builtin.js';

/** The part of a diagnostics channel the cache uses. */
export interface PublishChannel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

type ChannelListener = (message: unknown, name: string | symbol) => void;

interface DiagnosticsChannelModule {
  channel(name: string): PublishChannel;
  subscribe(name: string, listener: ChannelListener): void;
  unsubscribe(name: string, listener: ChannelListener): boolean;
}

/** Prefix of every channel name. */
export const CHANNEL_PREFIX = 'axios-http-cache:';

/** The name of the diagnostics channel an event is published on. */
export type DiagnosticsChannelName<E extends CacheEventName = CacheEventName> = `${typeof CHANNEL_PREFIX}${E}`;

/** Every event name, checked at run time where a name comes from untyped code. */
export const CACHE_EVENT_NAMES: readonly CacheEventName[] = ['hit', 'miss', 'stale', 'revalidated', 'stored', 'deleted', 'bypass', 'error'];

/** Throws a TypeError naming an unknown event and listing the known ones. */
export function checkEventName(name: unknown, where: string): asserts name is CacheEventName {
  if (!(CACHE_EVENT_NAMES as readonly unknown[]).includes(name)) {
    const got = typeof name === 'string' ? JSON.stringify(name) : typeof name;
    throw new TypeError(`axios-http-cache: ${where} got the unknown event ${got}; use one of ${CACHE_EVENT_NAMES.map((event) => `'${event}'`).join(', ')}`);
  }
}

const channels = new Map<CacheEventName, PublishChannel | null>();

function diagnostics(): DiagnosticsChannelModule | null {
  return nodeBuiltin<DiagnosticsChannelModule>('node:diagnostics_channel', (found) => typeof found.channel === 'function' && typeof found.subscribe === 'function');
}

/** The channel for `event`, or undefined where diagnostics_channel is unavailable. */
export function channelFor(event: CacheEventName): PublishChannel | undefined {
  let channel = channels.get(event);
  if (channel === undefined) {
    const module = diagnostics();
    channel = module === null ? null : module.channel(`${CHANNEL_PREFIX}${event}`);
    channels.set(event, channel);
  }
  return channel ?? undefined;
}

/**
 * Subscribes to the cache events of every cached instance in this process through Node's `diagnostics_channel`,
 * with the message typed as the event's payload: the same as `diagnostics_channel.subscribe('axios-http-cache:miss',
 * ...)` without a cast. Returns a function that unsubscribes. Where `diagnostics_channel` is unavailable (browsers,
 * Node < 20.16), nothing is ever published and the listener is never called.
 *
 * ```ts
 * const stop = subscribeDiagnostics('miss', ({ url, reason }) => span?.addEvent('cache miss', { url, reason }));
 * ```
 *
 * @throws TypeError for an unknown event name (the message lists the known ones) or a listener that is not a function.
 */
export function subscribeDiagnostics<E extends CacheEventName>(event: E, listener: (message: CacheEventMap[E], channel: DiagnosticsChannelName<E>) => void): () => void {
  checkEventName(event, 'subscribeDiagnostics()');
  if (typeof listener !== 'function') throw new TypeError('axios-http-cache: subscribeDiagnostics() needs a listener function as its second argument');
  const module = diagnostics();
  if (module === null) return () => undefined;
  const name: DiagnosticsChannelName<E> = `${CHANNEL_PREFIX}${event}`;
  const onMessage: ChannelListener = (message) => listener(message as CacheEventMap[E], name);
  module.subscribe(name, onMessage);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    module.unsubscribe(name, onMessage);
  };
}

/**
 * Publishes cache events on Node's `diagnostics_channel` as `axios-http-cache:<event>` (`axios-http-cache:hit`,
 * `axios-http-cache:miss`, ...), so tracing tools can subscribe without touching application code.
 *
 * The module is looked up at run time through `process.getBuiltinModule` (Node >= 20.16), never imported, so
 * the core still bundles for browsers; where it is missing, nothing is published. A channel is published to
 * only while it has subscribers.
 */
import type { CacheEventName } from './events.js';

/** The part of a diagnostics channel the cache uses. */
export interface PublishChannel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

interface DiagnosticsChannelModule {
  channel(name: string): PublishChannel;
}

/** Prefix of every channel name. */
export const CHANNEL_PREFIX = 'axios-http-cache:';

type BuiltinLoader = (id: string) => unknown;

function loadModule(): DiagnosticsChannelModule | undefined {
  const load = (globalThis as { process?: { getBuiltinModule?: BuiltinLoader } }).process?.getBuiltinModule;
  if (typeof load !== 'function') return undefined;
  try {
    const loaded = load('node:diagnostics_channel') as Partial<DiagnosticsChannelModule> | undefined;
    return typeof loaded?.channel === 'function' ? (loaded as DiagnosticsChannelModule) : undefined;
  } catch {
    return undefined;
  }
}

let diagnosticsModule: DiagnosticsChannelModule | null | undefined;
const channels = new Map<CacheEventName, PublishChannel | null>();

/** The channel for `event`, or undefined where diagnostics_channel is unavailable. */
export function channelFor(event: CacheEventName): PublishChannel | undefined {
  let channel = channels.get(event);
  if (channel === undefined) {
    if (diagnosticsModule === undefined) diagnosticsModule = loadModule() ?? null;
    channel = diagnosticsModule === null ? null : diagnosticsModule.channel(`${CHANNEL_PREFIX}${event}`);
    channels.set(event, channel);
  }
  return channel ?? undefined;
}

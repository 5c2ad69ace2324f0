/**
 * The contract between a {@link TieredStore} and the channel that tells it when another process changed an entry
 * (implemented over Redis pub/sub by `redis-invalidation.ts`). No `node:` imports: `tiered.ts` is browser-safe.
 */

/** What a channel tells the tiered store that opened it. */
export interface InvalidationListener {
  /** Another process wrote or deleted `key`; `undefined`: it cleared the namespace. */
  invalidated(key: string | undefined): void;
  /**
   * The channel is delivering (`true`: subscribed and answering its heartbeat) or may be losing messages (`false`:
   * disconnected, not yet subscribed, heartbeat unanswered). Every change may have lost messages.
   */
  state(up: boolean): void;
  /** The channel checked itself (every `heartbeatMs`): a moment to retry what could not be announced. */
  heartbeat(): void;
  /** A failure outside any store operation (the subscriber connection, a heartbeat). */
  error(error: unknown): void;
}

/** A channel between the processes that share a far store. */
export interface InvalidationChannel {
  /**
   * Starts listening: `listener` hears every other process' announcements (never this channel's own) and the
   * channel's state, starting down. `heartbeatMs`: how often the channel checks that it still delivers; a silent
   * failure is declared (state `false`) at most twice this after the last good check.
   */
  open(listener: InvalidationListener, heartbeatMs: number): void;
  /** Tells the other processes that `key` changed (`undefined`: everything did). Rejects when it could not. */
  announce(key: string | undefined): Promise<void>;
  /** Stops listening and releases what the channel created (its subscriber connection). */
  close(): Promise<void>;
}

/** A far store that can open an {@link InvalidationChannel} for tiered stores over it (the Redis store). */
export interface InvalidationSource {
  openInvalidationChannel(): InvalidationChannel;
}

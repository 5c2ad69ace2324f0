/**
 * The invalidation channel of a TieredStore over Redis: Redis pub/sub on one channel per store prefix.
 *
 * A write or delete is announced with `PUBLISH <prefix>:invalidate [writerId, key]` on the store's own client, after
 * the far write settled; every other process hears it on a subscriber connection of its own (the client's
 * `duplicate()`, which pub/sub needs: a subscribed connection sends nothing else) and drops its near copy. A channel
 * ignores its own announcements by writer id. Pub/sub has no replay: a subscriber that was disconnected may have
 * missed messages, so the channel reports itself down from the connection's `close` until a new `SUBSCRIBE` is
 * acknowledged. Every `heartbeatMs` the channel publishes a heartbeat of its own on the channel (`[writerId,
 * '\0ping <n>']`) and reports itself down unless it heard the previous one back: the heartbeat travels the way
 * announcements do, so it catches a connection that went silent without closing and, in a Redis Cluster, a
 * subscriber connection the client replaced silently (ioredis' Cluster resubscribes without a `close`), on any
 * topology. A subscriber cut and resubscribed between two heartbeats (ioredis' Cluster does so within
 * milliseconds) hears its own next heartbeat, so every message also carries its writer's sequence number
 * (`writerId:n`): a peer that sees a writer's number jump knows it lost a message and drops its whole near tier,
 * within one heartbeat period of the loss (a failed PUBLISH leaves such a gap too). Peers ignore other channels'
 * heartbeats (an older peer drops the near copy of the key `'\0ping <n>'`, which no cache key is). In a Redis
 * Cluster, classic `PUBLISH` reaches the subscribers on every node.
 */
import type { InvalidationChannel, InvalidationListener } from './invalidation-channel.js';

/** The subscriber connection: what the channel uses of an ioredis `Redis` or `Cluster` made by `duplicate()`. */
interface SubscriberLike {
  readonly status: string;
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** What the channel needs of the store's client: publishing, and a duplicate to subscribe with. */
export interface RedisPublisherLike {
  publish(channel: string, message: string): Promise<unknown>;
  duplicate(): SubscriberLike;
}

/** True when `client` can publish and make a subscriber connection (ioredis `Redis` and `Cluster` can). */
export function canPublish(client: object): client is RedisPublisherLike {
  const candidate = client as Record<string, unknown>;
  return typeof candidate['publish'] === 'function' && typeof candidate['duplicate'] === 'function';
}

/** A heartbeat's key: no cache key starts with NUL. */
const HEARTBEAT = '\0ping ';

/** Writers whose last sequence number is kept; past this the record starts over (a gap may then go unseen once). */
const MAX_WRITERS = 10_000;

/**
 * `[writerId:seq, key]`, or `[writerId:seq, null]` for the whole namespace; `[writerId:seq, '\0ping <n>']`: a
 * heartbeat. `seq` counts the writer's messages from 1; a message of an older version has no `:seq`.
 */
type Announcement = [string, string | null];

function parse(message: string): Announcement | undefined {
  try {
    const value: unknown = JSON.parse(message);
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && (typeof value[1] === 'string' || value[1] === null)) {
      return [value[0], value[1]];
    }
  } catch {
    // Not ours: answered below like any message of unknown shape.
  }
  return undefined;
}

export class RedisInvalidationChannel implements InvalidationChannel {
  /** This process' writer id: announcements carrying it are its own and are ignored. */
  readonly #id = globalThis.crypto.randomUUID();
  readonly #publisher: RedisPublisherLike;
  readonly #name: string;
  #subscriber: SubscriberLike | undefined;
  #listener: InvalidationListener | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #up = false;
  #subscribed = false;
  /** This channel's messages published so far, and the last sequence number heard of each other writer. */
  #sent = 0;
  readonly #seen = new Map<string, number>();
  /** The number of the last heartbeat published, and whether it was heard back. */
  #beat = 0;
  #beatHeard = true;
  #closed = false;

  constructor(publisher: RedisPublisherLike, name: string) {
    this.#publisher = publisher;
    this.#name = name;
  }

  open(listener: InvalidationListener, heartbeatMs: number): void {
    if (this.#subscriber !== undefined || this.#closed) return;
    this.#listener = listener;
    const subscriber = this.#publisher.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', (error) => {
      if (!this.#closed) listener.error(error);
    });
    subscriber.on('close', () => {
      this.#subscribed = false;
      this.#setUp(false);
    });
    // After a reconnection: subscribe again and be up only once Redis has acknowledged it (ioredis' own
    // resubscription, when it makes one, is sent before this one on the same connection).
    subscriber.on('ready', () => {
      this.#subscribe(subscriber);
    });
    subscriber.on('message', (channel, message) => {
      if (channel === this.#name) this.#heard(message);
    });
    this.#subscribe(subscriber);
    this.#timer = setInterval(() => {
      this.#heartbeat();
    }, heartbeatMs);
    this.#timer.unref();
  }

  announce(key: string | undefined): Promise<void> {
    return this.#publish(key ?? null).then(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const subscriber = this.#subscriber;
    if (subscriber === undefined) return;
    // QUIT waits for a connection: a subscriber still reconnecting is cut off instead.
    if (subscriber.status !== 'ready') {
      subscriber.disconnect();
      return;
    }
    try {
      await subscriber.quit();
    } catch {
      subscriber.disconnect();
    }
  }

  #subscribe(subscriber: SubscriberLike): void {
    subscriber.subscribe(this.#name).then(() => {
      this.#subscribed = true;
      // A fresh subscription: a heartbeat published before it may be lost without anything missed since.
      this.#beatHeard = true;
      this.#setUp(true);
    }, (error: unknown) => {
      if (!this.#closed) this.#listener?.error(error);
    });
  }

  /**
   * The previous heartbeat not heard back within a period: messages may be getting lost, down until the next one
   * is heard. Then publishes the next one (a failed PUBLISH is simply never heard).
   */
  #heartbeat(): void {
    if (!this.#beatHeard) this.#setUp(false);
    this.#beat++;
    this.#beatHeard = false;
    this.#publish(`${HEARTBEAT}${String(this.#beat)}`).catch(() => undefined);
    this.#listener?.heartbeat();
  }

  #publish(key: string | null): Promise<unknown> {
    this.#sent++;
    const message: Announcement = [`${this.#id}:${String(this.#sent)}`, key];
    return this.#publisher.publish(this.#name, JSON.stringify(message));
  }

  /** A writer's sequence number that jumped: a message of it was lost (or never published), so anything may have changed. */
  #checkSequence(writer: string, seq: number): void {
    if (!Number.isSafeInteger(seq)) return;
    const last = this.#seen.get(writer);
    if (last === undefined && this.#seen.size >= MAX_WRITERS) this.#seen.clear();
    if (last === undefined || seq > last) this.#seen.set(writer, seq);
    if (last !== undefined && seq > last + 1) this.#listener?.invalidated(undefined);
  }

  #heard(message: string): void {
    const announcement = parse(message);
    // A message of unknown shape on this channel may stand for any change: everything is dropped.
    if (announcement === undefined) {
      this.#listener?.invalidated(undefined);
      return;
    }
    const [sender, key] = announcement;
    const colon = sender.indexOf(':');
    const writer = colon < 0 ? sender : sender.slice(0, colon);
    if (writer !== this.#id && colon >= 0) this.#checkSequence(writer, Number(sender.slice(colon + 1)));
    if (key?.startsWith(HEARTBEAT) === true) {
      if (writer === this.#id && key === `${HEARTBEAT}${String(this.#beat)}`) {
        this.#beatHeard = true;
        if (this.#subscribed) this.#setUp(true);
      }
      return;
    }
    if (writer !== this.#id) this.#listener?.invalidated(key ?? undefined);
  }

  #setUp(up: boolean): void {
    if (this.#closed || this.#up === up) return;
    this.#up = up;
    // Every change of state empties the near tier: the gaps of the time between are no longer of interest.
    this.#seen.clear();
    this.#listener?.state(up);
  }
}

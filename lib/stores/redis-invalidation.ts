/**
 * The invalidation channel of a TieredStore over Redis: Redis pub/sub on one channel per store prefix.
 *
 * A write or delete is announced with `PUBLISH <prefix>:invalidate [writerId, key]` on the store's own client, after
 * the far write settled; every other process hears it on a subscriber connection of its own (the client's
 * `duplicate()`, which pub/sub needs: a subscribed connection sends nothing else) and drops its near copy. A channel
 * ignores its own announcements by writer id. Pub/sub has no replay: a subscriber that was disconnected may have
 * missed messages, so the channel reports itself down from the connection's `close` until a new `SUBSCRIBE` is
 * acknowledged, and a `PING` on the subscriber every `heartbeatMs` catches a connection that went silent without
 * closing. In a Redis Cluster, classic `PUBLISH` reaches the subscribers on every node.
 */
import type { InvalidationChannel, InvalidationListener } from './invalidation-channel.js';

/** The subscriber connection: what the channel uses of an ioredis `Redis` or `Cluster` made by `duplicate()`. */
interface SubscriberLike {
  readonly status: string;
  subscribe(channel: string): Promise<unknown>;
  ping(): Promise<unknown>;
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

/** `[writerId, key]`, or `[writerId, null]` for the whole namespace. */
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
  #pinging = false;
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
      this.#heartbeat(subscriber);
    }, heartbeatMs);
    this.#timer.unref();
  }

  announce(key: string | undefined): Promise<void> {
    const message: Announcement = [this.#id, key ?? null];
    return this.#publisher.publish(this.#name, JSON.stringify(message)).then(() => undefined);
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
      this.#setUp(true);
    }, (error: unknown) => {
      if (!this.#closed) this.#listener?.error(error);
    });
  }

  /** A PING unanswered since the last beat means the connection went silent: down until a PING is answered again. */
  #heartbeat(subscriber: SubscriberLike): void {
    if (this.#pinging) {
      this.#setUp(false);
      return;
    }
    if (subscriber.status !== 'ready') return;
    this.#pinging = true;
    subscriber.ping().then(() => {
      this.#pinging = false;
      if (this.#subscribed) this.#setUp(true);
    }, () => {
      // A failed PING goes with a closed connection, reported by its own events.
      this.#pinging = false;
    });
  }

  #heard(message: string): void {
    const announcement = parse(message);
    // A message of unknown shape on this channel may stand for any change: everything is dropped.
    if (announcement === undefined) {
      this.#listener?.invalidated(undefined);
      return;
    }
    const [writer, key] = announcement;
    if (writer !== this.#id) this.#listener?.invalidated(key ?? undefined);
  }

  #setUp(up: boolean): void {
    if (this.#closed || this.#up === up) return;
    this.#up = up;
    this.#listener?.state(up);
  }
}

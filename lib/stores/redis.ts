/**
 * Redis store over ioredis (`axios-http-cache/redis`).
 *
 * Key layout: one Redis string per entry, `${prefix}:${key}`, holding the record encoded by
 * `codec.ts`, written with `SET ... PX (expiresAt - now())`: the time left by the application's clock,
 * counted from the Redis server's own clock, so a clock skew between the two neither drops entries at
 * once nor keeps them too long (an absolute `PXAT` would be read against the server's clock). Every command touches exactly one key, so the layout is cluster-safe without hash tags
 * (entries spread over all slots); `clear()` walks each master with SCAN MATCH and unlinks what it
 * finds in batches. KEYS and FLUSHDB are never used.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { CorruptEntryError, EntryTooLargeError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import { decodeRecord, decodeUncompressedRecord, encodeRecord, type DecodeResult, type EncodeOptions } from './codec.js';
import { nodeCompressor, nodeEncodeOptions, type StoreCompressionOptions } from './compression-node.js';
import { EventHub } from './event-hub.js';
import type { CacheStore, StoreEvent } from './store.js';
import { escapeGlob } from './redis-glob.js';

export interface RedisStoreOptions extends StoreCompressionOptions {
  /** A connected ioredis client or cluster. The store never closes a client it did not create. */
  readonly client?: Redis | Cluster;
  /** A `redis://` URL; the store then creates its own client and `close()` quits it. */
  readonly url?: string;
  /** ioredis options for the client created from `url`. */
  readonly redisOptions?: Omit<RedisOptions, 'replyMapping'>;
  /**
   * Namespace of every key this store writes (`${prefix}:${key}`); `clear()` removes only these.
   * @default 'axios-http-cache'
   */
  readonly prefix?: string;
  /**
   * Keys fetched per SCAN step and unlinked per UNLINK call by `clear()` and the listings.
   * @default 500
   */
  readonly scanBatchSize?: number;
  /**
   * The application's clock, epoch ms: pass the same clock you give `attachCache` (its `now` option).
   * `expiresAt` is read against it, both for the time left given to Redis (`PX`) and for the
   * read-time check; the Redis server's own clock never needs to agree with it.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** Redis' largest string (its default `proto-max-bulk-len`): 512 MiB. */
const MAX_VALUE_BYTES = 512 * 1024 * 1024;

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export class RedisStore implements CacheStore {
  readonly prefix: string;
  readonly #client: Redis | Cluster;
  readonly #ownsClient: boolean;
  readonly #encoding: EncodeOptions;
  readonly #scanBatchSize: number;
  readonly #now: () => number;
  readonly #events = new EventHub();

  constructor(options: RedisStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('RedisStore needs an options object with client or url');
    const { client, url } = options;
    if ((client === undefined) === (url === undefined)) {
      throw new TypeError('RedisStore option client or option url must be given (exactly one)');
    }
    this.prefix = options.prefix ?? 'axios-http-cache';
    if (typeof this.prefix !== 'string' || this.prefix === '') throw new TypeError('RedisStore option prefix must be a non-empty string');
    this.#encoding = nodeEncodeOptions('RedisStore', options);
    this.#scanBatchSize = options.scanBatchSize ?? 500;
    if (!Number.isSafeInteger(this.#scanBatchSize) || this.#scanBatchSize <= 0) throw new TypeError('RedisStore option scanBatchSize must be a positive integer');
    this.#now = options.now ?? Date.now;
    if (typeof this.#now !== 'function') throw new TypeError('RedisStore option now must be a function returning epoch ms');

    if (client !== undefined) {
      if (!(client instanceof Redis || client instanceof Cluster)) throw new TypeError('RedisStore option client must be an ioredis Redis or Cluster');
      this.#client = client;
      this.#ownsClient = false;
    } else {
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw new TypeError('RedisStore option url must be a redis:// or rediss:// URL');
      // A cache must not hold requests hostage while Redis is away: give up on a command after one retry.
      this.#client = new Redis(url, { maxRetriesPerRequest: 1, ...options.redisOptions });
      this.#ownsClient = true;
      this.#client.on('error', (error: unknown) => {
        this.#events.emitError(error);
      });
    }
  }

  #redisKey(key: string): string {
    return `${this.prefix}:${key}`;
  }

  get(key: string): Promise<CacheRecord | undefined> {
    const redisKey = this.#redisKey(key);
    // Written with .then rather than await, and decoded synchronously when uncompressed: this is the hit path.
    return this.#client.getBuffer(redisKey).then((data) => {
      if (data === null) return undefined;
      const quick = decodeUncompressedRecord(data);
      return quick !== undefined ? this.#accept(key, redisKey, quick) : decodeRecord(data, nodeCompressor).then((decoded) => this.#accept(key, redisKey, decoded));
    });
  }

  #accept(key: string, redisKey: string, decoded: DecodeResult): CacheRecord | undefined | Promise<never> {
    if (!decoded.ok) {
      return this.#client.unlink(redisKey).then(() => Promise.reject(new CorruptEntryError(key, decoded.reason)));
    }
    // Redis already drops the key once its PX has run out (checked on every access); this check follows the store's clock.
    return decoded.record.expiresAt > this.#now() ? decoded.record : undefined;
  }

  /**
   * Writes the record with `PX` = the time left until `expiresAt` by the store's clock (rounded up),
   * so Redis expires it relative to its own clock; a record already expired is not written and any
   * older one under the key is unlinked.
   */
  async set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    const redisKey = this.#redisKey(key);
    const ttlMs = Math.ceil(expiresAt - this.#now());
    if (!(ttlMs > 0)) {
      await this.#client.unlink(redisKey);
      return;
    }
    const encoded = await encodeRecord(record, this.#encoding);
    if (encoded.byteLength > MAX_VALUE_BYTES) throw new EntryTooLargeError(key, encoded.byteLength, MAX_VALUE_BYTES);
    await this.#client.set(redisKey, toBuffer(encoded), 'PX', ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.#client.unlink(this.#redisKey(key));
  }

  /** Unlinks every key under `${prefix}:`, SCAN batch by SCAN batch, on every master of a cluster. */
  async clear(): Promise<void> {
    for await (const batch of this.#scanBatches()) {
      if (this.#client instanceof Cluster) {
        // Keys of one batch may sit in different slots: one single-key UNLINK each (no CROSSSLOT).
        await Promise.all(batch.map((redisKey) => this.#client.unlink(redisKey)));
      } else {
        await this.#client.unlink(batch);
      }
    }
  }

  async *keys(): AsyncIterable<string> {
    for await (const batch of this.#liveBatches()) {
      for (const redisKey of batch) yield redisKey.slice(this.prefix.length + 1);
    }
  }

  /** Live records, read one batch at a time; entries that no longer decode are deleted and skipped. */
  async *entries(): AsyncIterable<CacheRecord> {
    for await (const batch of this.#liveBatches()) {
      const keys = batch.map((redisKey) => redisKey.slice(this.prefix.length + 1));
      const records = await Promise.all(keys.map((key) => this.get(key).catch((error: unknown) => {
        this.#events.emitError(error);
        return undefined;
      })));
      for (const record of records) if (record !== undefined) yield record;
    }
  }

  /** Live entries, counted with one SCAN pass (cost grows with the namespace). */
  async count(): Promise<number> {
    let total = 0;
    for await (const batch of this.#liveBatches()) total += batch.length;
    return total;
  }

  /** Bytes of the encoded values under the prefix (STRLEN), excluding Redis' own per-key overhead. */
  async size(): Promise<number> {
    let total = 0;
    for await (const batch of this.#liveBatches()) {
      const lengths = await Promise.all(batch.map((redisKey) => this.#client.strlen(redisKey)));
      for (const length of lengths) total += length;
    }
    return total;
  }

  onEvent(listener: (event: StoreEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  /** Quits the client if this store created it from `url`; a client passed in is left alone. */
  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    try {
      await this.#client.quit();
    } catch {
      this.#client.disconnect();
    }
  }

  async *#scanBatches(): AsyncGenerator<string[]> {
    const match = `${escapeGlob(this.prefix)}:*`;
    const nodes = this.#client instanceof Cluster ? this.#client.nodes('master') : [this.#client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', match, 'COUNT', this.#scanBatchSize);
        cursor = next;
        if (found.length > 0) yield [...new Set(found)];
      } while (cursor !== '0');
    }
  }

  /**
   * SCAN batches with keys Redis already counts as expired left out (PTTL). Keys are written with a
   * time left (`PX`), so the server's countdown and the store's clock agree on expiry without the
   * two clocks agreeing on the date.
   */
  async *#liveBatches(): AsyncGenerator<string[]> {
    for await (const batch of this.#scanBatches()) {
      const left = await Promise.all(batch.map((redisKey) => this.#client.pttl(redisKey)));
      // PTTL answers -1 for a key without expiry and -2 for a key gone since the SCAN.
      yield batch.filter((_, i) => {
        const ms = left[i] ?? -2;
        return ms === -1 || ms > 0;
      });
    }
  }
}

/**
 * Redis store over ioredis (`axios-http-cache/redis`).
 *
 * Key layout (docs/stores.md#key-layout): one Redis string per entry, `${prefix}:${key}`, holding the record encoded by
 * `codec.ts`, written with `SET ... PX (expiresAt - now())`: the time left by the application's clock,
 * counted from the Redis server's own clock, so a clock skew between the two neither drops entries at
 * once nor keeps them too long (an absolute `PXAT` would be read against the server's clock). A record with tags is
 * also a member of one sorted set per tag, `${prefix}:\0tagged:${tag}` (the NUL keeps it apart from every cache key),
 * scored with the time its entry expires by that set's server clock, which `find({ tag })` reads instead of walking
 * the namespace once the marker `${prefix}:\0tags-indexed` says every entry's tags are in their sets (entries written
 * by a version without tag sets are not: until a walk has found none of those, `find({ tag })` walks and indexes).
 * Every command touches exactly one key, so the layout is cluster-safe without hash tags (entries, tag sets and the
 * marker spread over all slots); a tag set and its members usually sit on different masters, which is why a member
 * is added before its entry is written and leaves its set only once its expiry time has passed (never because its
 * entry is missing: that entry may be about to be written). `clear()` walks each master with SCAN MATCH and unlinks
 * what it finds in batches; on a cluster it
 * scans only once the masters it reaches serve every slot, and again while the slot map changes under it. KEYS and
 * FLUSHDB are never used. A client's `keyPrefix` is honoured: it goes before `${prefix}` in every key and pattern.
 *
 * A client passed in is recognised by the commands the store sends (duck typing), never by `instanceof`: a
 * client from another copy of ioredis (a monorepo, ioredis 5 beside 6) works as well as one from this copy.
 */
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { CorruptEntryError, EntryTooLargeError, StoreClosedError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import { ByteBudgetLru } from './byte-budget-lru.js';
import { DECODED_MEMO_BYTES, DecodedMemo } from './decoded-memo.js';
import { decodeRecord, decodeUncompressedRecord, encodeRecord, headHasStamp, STAMPED_HEAD_BYTES, type DecodeResult, type EncodeOptions } from './codec.js';
import { estimateRecordBytes } from './memory.js';
import { nodeCompressor, nodeEncodeOptions, type StoreCompressionOptions } from './compression-node.js';
import { EventHub } from './event-hub.js';
import type { InvalidationChannel, InvalidationSource } from './invalidation-channel.js';
import { canPublish, RedisInvalidationChannel } from './redis-invalidation.js';
import { clusterScanPlan, unmoved, type ClusterLike, type ClusterNodeLike, type ClusterScanPlan } from './redis-cluster.js';
import type { CacheStore, StoreEvent, StoreFilter } from './store.js';
import { checkStoreOptions, storeOptionError } from './store-options.js';

/**
 * The commands the store sends, as ioredis (5.3 and later, 6) answers them: what an option `client` must have.
 * An ioredis `Redis` or `Cluster` of any installed copy fits, and so does a wrapper that forwards these.
 */
export interface RedisClientLike {
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, millisecondsToken: 'PX', milliseconds: number): Promise<unknown>;
  unlink(...keys: string[]): Promise<number>;
  strlen(key: string): Promise<number>;
  pttl(key: string): Promise<number>;
  scan(cursor: string, patternToken: 'MATCH', pattern: string, countToken: 'COUNT', count: number): Promise<[cursor: string, elements: string[]]>;
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
  /** GETRANGE as bytes: used, when the client has it, to check that a record held in memory is still the one stored. */
  getrangeBuffer?(key: string, start: number, end: number): Promise<Buffer>;
  /** True on an ioredis `Cluster`, whose masters the store then scans one by one. */
  readonly isCluster?: boolean;
  /** A cluster's nodes (ioredis `Cluster#nodes`); needed when `isCluster` is true. */
  nodes?(role: 'master'): RedisClientLike[];
  /** CLUSTER SLOTS / CLUSTER NODES; needed when `isCluster` is true. */
  cluster?(subcommand: 'SLOTS' | 'NODES'): Promise<unknown>;
  /** The client's options: its `keyPrefix`, which ioredis puts before every key, is honoured by the listings. */
  readonly options?: { readonly keyPrefix?: string | undefined };
  /** A pipeline, for option `waitForReplicas` (the write and its WAIT go out together on one connection). */
  pipeline?(): RedisPipelineLike;
}

/** The pipeline commands option `waitForReplicas` sends. */
export interface RedisPipelineLike {
  unlink(...keys: string[]): RedisPipelineLike;
  wait(replicas: number, timeoutMs: number): RedisPipelineLike;
  exec(): Promise<Array<[error: Error | null, result: unknown]> | null>;
}

/** The commands {@link RedisClientLike} requires, checked on an option `client`. */
const CLIENT_COMMANDS = ['getBuffer', 'set', 'unlink', 'strlen', 'pttl', 'scan', 'eval'] as const;

/**
 * The server's clock in ms, in a script that writes after reading it (script effects replication, the default from
 * Redis 7; asked for on Redis 5 and 6).
 */
const SERVER_NOW = `if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`;

/**
 * KEYS[1] a tag set, ARGV[1] a store key, ARGV[2] ms until the member may leave: drops the members whose time has
 * passed (by this server's clock), adds the member or moves its time later (never earlier: a write that shortens an
 * entry's life may fail and leave the longer-lived entry in place), and extends the set's expiry to at least the
 * member's (a set outlives its longest-lived member, then expires by itself). Answers 1 when the member was not in the set.
 */
const TAG_ADD_SCRIPT = `${SERVER_NOW}local leaves = now + tonumber(ARGV[2])
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if held and tonumber(held) >= leaves then return 0 end
redis.call('ZADD', KEYS[1], leaves, ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if held then return 0 end
return 1`;

/** KEYS[1] a tag set: drops the members whose time has passed, answers the others. */
const TAG_MEMBERS_SCRIPT = `${SERVER_NOW}return redis.call('ZRANGE', KEYS[1], 0, -1)`;

/** KEYS[1] the marker: sets it, without expiry. */
const SET_MARKER_SCRIPT = "return redis.call('SET', KEYS[1], ARGV[1])";

/**
 * How long a member stays in its tag set after its entry's time left ran out: covers the moment between adding the
 * member and writing the entry (a slow or queued write), so a member never leaves while its entry may still live.
 */
const TAG_MEMBER_MARGIN_MS = 60_000;

/** Starts the store's own keys inside the namespace (tag sets, the marker): a cache key never starts with NUL. */
const INTERNAL_MARK = '\u0000';
/** Marks tag set keys: `${prefix}:\0tagged:${tag}`. */
const TAG_MARK = `${INTERNAL_MARK}tagged:`;
/** The marker `${prefix}:\0tags-indexed`: present once every entry of the namespace has its tags in the tag sets. */
const INDEXED_MARK = `${INTERNAL_MARK}tags-indexed`;

const KNOWN_OPTIONS = ['client', 'url', 'redisOptions', 'prefix', 'scanBatchSize', 'now', 'compressAboveBytes', 'compression', 'memoBytes', 'waitForReplicas', 'waitTimeoutMs'] as const;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** The option `client` as a {@link RedisClientLike}, or a TypeError naming what it lacks. */
function checkClient(client: unknown): RedisClientLike {
  if ((typeof client !== 'object' && typeof client !== 'function') || client === null) {
    throw storeOptionError('RedisStore', `option client must be an ioredis Redis or Cluster (new Redis(...)), got ${describeValue(client)}`);
  }
  const candidate = client as Record<string, unknown>;
  const missing: string[] = CLIENT_COMMANDS.filter((command) => typeof candidate[command] !== 'function');
  if (candidate['isCluster'] === true) missing.push(...['nodes', 'cluster'].filter((name) => typeof candidate[name] !== 'function'));
  if (missing.length > 0) {
    throw storeOptionError('RedisStore', `option client must be an ioredis Redis or Cluster (ioredis 5.3 or later): it has no ${missing.map((name) => `${name}()`).join(', ')}. Pass new Redis(...) or new Cluster(...), or option url instead`);
  }
  return client as RedisClientLike;
}
import { escapeGlob } from './redis-glob.js';

export interface RedisStoreOptions extends StoreCompressionOptions {
  /**
   * A connected ioredis client or cluster (ioredis 5.3 or later, from any installed copy). The store never
   * closes a client it did not create. Give either this or `url`.
   */
  readonly client?: Redis | Cluster | RedisClientLike;
  /** A `redis://` URL; the store then creates its own client and `close()` quits it. Give either this or `client`. */
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
  /**
   * In-process memory (estimated bytes) for records the cache keeps data of beside them (`frozen: true`): such a
   * record is held here, and a later read of its key fetches only the first bytes of the entry (GETRANGE) to check
   * that it is still the same write, instead of the whole entry. Least recently read first out; 0 turns it off.
   * @default 16777216 (16 MiB)
   */
  readonly memoBytes?: number;
  /**
   * Replicas that must acknowledge a `delete()` or `clear()` before it resolves (Redis `WAIT`, sent in one pipeline
   * with the UNLINK, so on the same connection). Fewer acknowledgements within `waitTimeoutMs` reject the deletion:
   * an invalidation stays pending (a deferred deletion, retried) and `cache.delete()` rejects, instead of either being
   * reported done. Set it to the number of
   * replicas behind a Sentinel-managed master: a deletion a failover could undo (written to a master about to be
   * demoted, never copied to the replica promoted in its place) is then never reported done. Costs one replication
   * round trip per deletion. 0 sends no WAIT.
   * @default 0
   */
  readonly waitForReplicas?: number;
  /**
   * How long a deletion waits for `waitForReplicas` acknowledgements before it rejects.
   * @default 1000
   */
  readonly waitTimeoutMs?: number;
}

/** A record held in memory for `retain`: the write it came from, and its estimated bytes with what is held beside it. */
interface Held {
  readonly record: CacheRecord;
  readonly stamp: string;
  readonly cost: number;
}

/** Passes `clear()` makes over a cluster whose slot map keeps changing before it gives up. */
const MAX_CLEAR_PASSES = 20;
/** Pause between two passes of `clear()` while a slot is migrating. */
const CLEAR_PASS_PAUSE_MS = 250;

/** Redis' largest string (its default `proto-max-bulk-len`): 512 MiB. */
const MAX_VALUE_BYTES = 512 * 1024 * 1024;

/**
 * KEYS[1] the lease, ARGV[1] the token, ARGV[2] its time in ms: takes a free lease or extends the token's own, and
 * answers the holder after the call.
 */
const TAKE_LEASE = "local holder = redis.call('GET', KEYS[1]) if holder and holder ~= ARGV[1] then return holder end redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return ARGV[1]";
/** KEYS[1] the lease, ARGV[1] the token: deletes the lease only while that token holds it. */
const RELEASE_LEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export class RedisStore implements CacheStore, InvalidationSource {
  readonly prefix: string;
  readonly #client: RedisClientLike;
  /** The client this store created from `url`, which `close()` quits. */
  readonly #ownedClient: Redis | undefined;
  readonly #isCluster: boolean;
  readonly #encoding: EncodeOptions;
  readonly #scanBatchSize: number;
  readonly #now: () => number;
  readonly #waitForReplicas: number;
  readonly #waitTimeoutMs: number;
  /** The client's own `keyPrefix` (ioredis adds it to keys, never to SCAN patterns or to what SCAN returns). */
  readonly #clientPrefix: string;
  readonly #events = new EventHub();
  readonly #memoBytes: number;
  /** Records retained, by Redis key, least recently read first. */
  readonly #held: ByteBudgetLru<Held>;
  /**
   * The record this store decoded last (uncompressed, stamped, and small enough for the memo) and its write stamp, for
   * `retain`: the cache retains a record on the promise chain of the read that answered it. Two fields written per
   * read, instead of a WeakMap entry per read that the garbage collector has to trace; when concurrent reads interleave,
   * only the last one can be retained, and a later hit of the others' keys retains them.
   */
  #lastRecord: CacheRecord | undefined;
  #lastStamp = '';
  /** Records decoded lately, answered again while Redis answers the same bytes (see decoded-memo.ts). */
  readonly #decoded: DecodedMemo;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    if (options === undefined) throw storeOptionError('RedisStore', 'needs options: { client } (a connected ioredis client) or { url } (a redis:// URL)');
    checkStoreOptions('RedisStore', options, KNOWN_OPTIONS);
    const { client, url } = options;
    if (client !== undefined && url !== undefined) {
      throw storeOptionError('RedisStore', 'got both option client and option url: pass either client (a connected ioredis client, which the store never closes) or url (the store creates and closes its own client), not both');
    }
    if (client === undefined && url === undefined) {
      throw storeOptionError('RedisStore', 'needs option client (a connected ioredis client) or option url (a redis:// URL); neither was given');
    }
    if (client !== undefined && options.redisOptions !== undefined) {
      throw storeOptionError('RedisStore', 'option redisOptions applies only to the client the store creates from option url; with option client configure your own client instead');
    }
    this.prefix = options.prefix ?? 'axios-http-cache';
    if (typeof this.prefix !== 'string' || this.prefix === '') throw storeOptionError('RedisStore', 'option prefix must be a non-empty string, so that clear() cannot touch other keys');
    this.#encoding = nodeEncodeOptions('RedisStore', options);
    this.#scanBatchSize = options.scanBatchSize ?? 500;
    if (!Number.isSafeInteger(this.#scanBatchSize) || this.#scanBatchSize <= 0) throw storeOptionError('RedisStore', 'option scanBatchSize must be a positive integer');
    this.#memoBytes = options.memoBytes ?? 16 * 1024 * 1024;
    if (!Number.isSafeInteger(this.#memoBytes) || this.#memoBytes < 0) throw storeOptionError('RedisStore', 'option memoBytes must be a non-negative integer (bytes; 0 turns the memo off)');
    this.#held = new ByteBudgetLru<Held>(this.#memoBytes);
    this.#decoded = new DecodedMemo(Math.min(this.#memoBytes, DECODED_MEMO_BYTES));
    this.#now = options.now ?? Date.now;
    if (typeof this.#now !== 'function') throw storeOptionError('RedisStore', 'option now must be a function returning epoch ms');
    this.#waitForReplicas = options.waitForReplicas ?? 0;
    if (!Number.isSafeInteger(this.#waitForReplicas) || this.#waitForReplicas < 0) throw storeOptionError('RedisStore', 'option waitForReplicas must be a whole number of replicas, 0 or more');
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 1000;
    if (!Number.isSafeInteger(this.#waitTimeoutMs) || this.#waitTimeoutMs <= 0) throw storeOptionError('RedisStore', 'option waitTimeoutMs must be a positive whole number of milliseconds');

    if (client !== undefined) {
      this.#client = checkClient(client);
      this.#ownedClient = undefined;
    } else {
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw storeOptionError('RedisStore', 'option url must be a redis:// or rediss:// URL');
      // A cache must not hold requests hostage while Redis is away: give up on a command after one retry.
      const owned = new Redis(url, { maxRetriesPerRequest: 1, ...options.redisOptions });
      owned.on('error', (error: unknown) => {
        this.#events.emitError(error);
      });
      this.#client = owned;
      this.#ownedClient = owned;
    }
    this.#isCluster = this.#client.isCluster === true;
    const keyPrefix = this.#client.options?.keyPrefix ?? '';
    if (typeof keyPrefix !== 'string') throw storeOptionError('RedisStore', 'the client\'s keyPrefix option must be a string');
    this.#clientPrefix = keyPrefix;
    if (this.#waitForReplicas > 0 && typeof this.#client.pipeline !== 'function') {
      throw storeOptionError('RedisStore', 'option waitForReplicas needs a client with pipeline() (an ioredis Redis): the WAIT must follow the UNLINK on its connection');
    }
  }

  /** Throws the {@link StoreClosedError} of `operation` once `close()` has been called. */
  #checkOpen(operation: string): void {
    if (this.#closed) throw new StoreClosedError('RedisStore', operation);
  }

  #redisKey(key: string): string {
    return `${this.prefix}:${key}`;
  }

  #tagKey(tag: string): string {
    return `${this.prefix}:${TAG_MARK}${tag}`;
  }

  /**
   * Puts `key` in the set of each of `tags` for at least `ttlMs` (plus the margin); resolves how many sets did not have
   * it. A member already there for longer keeps its time.
   */
  async #addToTagSets(key: string, tags: readonly string[], ttlMs: number): Promise<number> {
    const added = await Promise.all(tags.map((tag) => this.#client.eval(TAG_ADD_SCRIPT, 1, this.#tagKey(tag), key, ttlMs + TAG_MEMBER_MARGIN_MS)));
    return added.filter((answer) => Number(answer) === 1).length;
  }

  get(key: string): Promise<CacheRecord | undefined> {
    if (this.#closed) return Promise.reject(new StoreClosedError('RedisStore', 'get'));
    const redisKey = this.#redisKey(key);
    // Nothing held (no `frozen: true` cache uses this store): no lookup, which would hash the key on every read.
    const held = this.#held.size === 0 ? undefined : this.#held.peek(redisKey);
    if (held !== undefined && this.#client.getrangeBuffer !== undefined) {
      // A retained record: its first bytes tell whether it is still the write stored under the key.
      return this.#client.getrangeBuffer(redisKey, 0, STAMPED_HEAD_BYTES - 1).then((head) => {
        if (this.#held.peek(redisKey) === held && headHasStamp(head, held.stamp)) {
          this.#held.touch(redisKey, held);
          return held.record.expiresAt > this.#now() ? held.record : undefined;
        }
        this.#release(redisKey);
        return this.#fetch(key, redisKey);
      });
    }
    return this.#fetch(key, redisKey);
  }

  /** Reads and decodes the whole entry. */
  #fetch(key: string, redisKey: string): Promise<CacheRecord | undefined> {
    // Written with .then rather than await, and decoded synchronously when uncompressed: this is the hit path.
    return this.#client.getBuffer(redisKey).then((data) => {
      if (data === null) return undefined;
      const known = this.#decoded.recall(redisKey, data);
      if (known !== undefined) return this.#answer(known.record, known.stamp, data.byteLength);
      const quick = decodeUncompressedRecord(data);
      return quick !== undefined ? this.#accept(key, redisKey, quick, data) : decodeRecord(data, nodeCompressor).then((decoded) => this.#accept(key, redisKey, decoded, data));
    });
  }

  /**
   * Holds `record` in memory while its write stays the one stored (checked by its stamp on each read), with `bytes`
   * more counted against `memoBytes`. False for any record but the last one this store decoded (the cache retains a
   * record on the promise chain of the read that answered it) or the one it holds under `key`, a compressed one (its
   * stamp cannot be read back), or one larger than the memo.
   */
  retain(key: string, record: CacheRecord, bytes: number): boolean {
    const redisKey = this.#redisKey(key);
    const held = this.#held.peek(redisKey);
    const stamp = record === this.#lastRecord ? this.#lastStamp : held?.record === record ? held.stamp : undefined;
    const total = estimateRecordBytes(record) + Math.ceil(bytes);
    if (this.#closed || stamp === undefined || !(bytes >= 0) || total > this.#memoBytes || this.#client.getrangeBuffer === undefined) return false;
    this.#decoded.forget(redisKey);
    this.#held.set(redisKey, { record, stamp, cost: total });
    return true;
  }

  #release(redisKey: string): void {
    this.#decoded.forget(redisKey);
    this.#held.delete(redisKey);
  }

  /** The entry decoded from `data` as `get` answers it (and remembered, see decoded-memo.ts). */
  #accept(key: string, redisKey: string, decoded: DecodeResult, data: Uint8Array): CacheRecord | undefined | Promise<never> {
    if (!decoded.ok) {
      return this.#client.unlink(redisKey).then(() => Promise.reject(new CorruptEntryError(key, decoded.reason)));
    }
    this.#decoded.keep(redisKey, data, decoded.record, decoded.stamp);
    return this.#answer(decoded.record, decoded.stamp, data.byteLength);
  }

  /** A decoded record as `get` answers it; `encodedBytes`, its size as stored, bounds what is kept for `retain`. */
  #answer(record: CacheRecord, stamp: string | undefined, encodedBytes: number): CacheRecord | undefined {
    if (stamp !== undefined && encodedBytes < this.#memoBytes) {
      this.#lastRecord = record;
      this.#lastStamp = stamp;
    }
    // Redis already drops the key once its PX has run out (checked on every access); this check follows the store's clock.
    return record.expiresAt > this.#now() ? record : undefined;
  }

  /**
   * Writes the record with `PX` = the time left until `expiresAt` by the store's clock (rounded up),
   * so Redis expires it relative to its own clock; a record already expired is not written and any
   * older one under the key is unlinked. A tagged record joins its tag sets first: a failure between the two leaves
   * a member without an entry (it leaves its set once its time has passed), never an entry its tag cannot find.
   */
  async set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    this.#checkOpen('set');
    const redisKey = this.#redisKey(key);
    this.#release(redisKey);
    const ttlMs = Math.ceil(expiresAt - this.#now());
    if (!(ttlMs > 0)) {
      await this.#client.unlink(redisKey);
      return;
    }
    const encoded = await encodeRecord(record, this.#encoding);
    if (encoded.byteLength > MAX_VALUE_BYTES) throw new EntryTooLargeError(key, encoded.byteLength, MAX_VALUE_BYTES);
    if (record.tags !== undefined && record.tags.length > 0) await this.#addToTagSets(key, record.tags, ttlMs);
    await this.#client.set(redisKey, toBuffer(encoded), 'PX', ttlMs);
  }

  /**
   * Unlinks the entry. Its tag sets keep the member until the entry's time would have run out (reading the record
   * first to learn its tags would cost every deletion a round trip); a `find({ tag })` reads it as gone meanwhile.
   */
  async delete(key: string): Promise<void> {
    this.#checkOpen('delete');
    this.#release(this.#redisKey(key));
    await this.#unlink([this.#redisKey(key)]);
  }

  /**
   * One UNLINK for all of `keys` (with `waitForReplicas`, one WAIT after it); on a cluster, where they sit in different
   * slots, one single-key UNLINK each, sent together.
   */
  async deleteMany(keys: readonly string[]): Promise<void> {
    this.#checkOpen('delete');
    if (keys.length === 0) return;
    const redisKeys = keys.map((key) => this.#redisKey(key));
    for (const redisKey of redisKeys) this.#release(redisKey);
    await this.#unlink(redisKeys);
  }

  /**
   * UNLINK, then, with `waitForReplicas`, WAIT in the same pipeline; rejects when too few replicas acknowledged. On a
   * cluster, where the keys may sit in different slots, one single-key UNLINK each, sent together (no CROSSSLOT).
   */
  async #unlink(redisKeys: readonly string[]): Promise<void> {
    if (this.#isCluster && redisKeys.length > 1) {
      await Promise.all(redisKeys.map((redisKey) => this.#unlink([redisKey])));
      return;
    }
    if (this.#waitForReplicas === 0 || this.#client.pipeline === undefined) {
      await this.#client.unlink(...redisKeys);
      return;
    }
    const answers = await this.#client.pipeline().unlink(...redisKeys).wait(this.#waitForReplicas, this.#waitTimeoutMs).exec();
    const failed = answers?.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
    const acknowledged = answers?.[1]?.[1];
    if (typeof acknowledged !== 'number' || acknowledged < this.#waitForReplicas) {
      throw new Error(`axios-http-cache: RedisStore: a deletion was acknowledged by ${String(acknowledged)} of ${this.#waitForReplicas} replicas within ${this.#waitTimeoutMs} ms (option waitForReplicas): a failover could undo it, so it is not reported done`);
    }
  }

  /**
   * Takes the lease in one script (GET, then `SET PX` when free or already this token's: a holder's call extends it),
   * so a waiter learns the holder in the same round trip. The lease key, `${prefix}~lease:${name}`, is outside the `${prefix}:*` pattern of the listings and
   * `clear()`, and one key per script keeps it cluster-safe.
   */
  async lease(name: string, token: string, ttlMs: number): Promise<string> {
    this.#checkOpen('lease');
    const holder = await this.#eval(TAKE_LEASE, name, token, String(Math.max(1, Math.ceil(ttlMs))));
    return typeof holder === 'string' ? holder : Buffer.isBuffer(holder) ? holder.toString() : '';
  }

  /** Compare and delete in one script: a lease that expired and was taken by another token is left to it. */
  async release(name: string, token: string): Promise<void> {
    this.#checkOpen('release');
    await this.#eval(RELEASE_LEASE, name, token);
  }

  #eval(script: string, name: string, ...args: string[]): Promise<unknown> {
    return this.#client.eval(script, 1, `${this.prefix}~lease:${name}`, ...args);
  }

  /**
   * Unlinks every key under `${prefix}:` (entries, tag sets and the tags-indexed marker), SCAN batch by SCAN batch, on
   * every master of a cluster. On a cluster the scan starts only once the masters this client reaches serve all slots (else it rejects),
   * and runs again while a pass still found keys or the slot map changed during it, so a reshard cannot hide keys.
   */
  async clear(): Promise<void> {
    this.#checkOpen('clear');
    this.#held.clear();
    this.#decoded.clear();
    for (let pass = 1; ; pass++) {
      let found = 0;
      const plan = await this.#scanPlan();
      for await (const batch of this.#scanBatches(plan.nodes)) {
        found += batch.length;
        await this.#unlink(batch);
      }
      if (!this.#isCluster) return;
      const after = await this.#scanPlan();
      if (found === 0 && unmoved(plan, after)) return;
      if (pass >= MAX_CLEAR_PASSES) {
        throw new Error(`axios-http-cache: RedisStore: clear() found keys or moving slots on each of ${pass} passes over the cluster (resharding?); some entries may be left. Try again`);
      }
      if (!after.settled) await new Promise((resolve) => setTimeout(resolve, CLEAR_PASS_PAUSE_MS));
    }
  }

  async *keys(): AsyncIterable<string> {
    this.#checkOpen('keys');
    for await (const batch of this.#liveBatches()) {
      for (const redisKey of batch) yield redisKey.slice(this.prefix.length + 1);
    }
  }

  /** Live records, read one batch at a time; entries that no longer decode are deleted and skipped. */
  async *entries(): AsyncIterable<CacheRecord> {
    this.#checkOpen('entries');
    for await (const batch of this.#liveBatches()) {
      yield* await this.#records(batch.map((redisKey) => redisKey.slice(this.prefix.length + 1)));
    }
  }

  /**
   * Answers a `tag` from the tag's sorted set (its members, not the namespace, are read) once the marker says every
   * entry's tags are indexed; until then by walking the namespace ({@link #walkForTag}). A member whose entry is gone or
   * no longer carries the tag is skipped, and leaves the set when its time has passed (removing it on sight could
   * remove the member of an entry being written). A read that fails (not an answer) rejects the query, so a deletion
   * by tag rejects instead of missing the entry. Any other filter is answered with every entry (a superset, as the
   * contract allows: the cache checks each record against the whole query).
   */
  async *find(filter: StoreFilter): AsyncIterable<CacheRecord> {
    this.#checkOpen('find');
    const { tag } = filter;
    if (tag === undefined) {
      yield* this.entries();
      return;
    }
    const [marker, members] = await Promise.all([
      this.#client.getBuffer(`${this.prefix}:${INDEXED_MARK}`),
      this.#client.eval(TAG_MEMBERS_SCRIPT, 1, this.#tagKey(tag)),
    ]);
    if (marker === null) {
      yield* this.#walkForTag(tag);
      return;
    }
    const keys = Array.isArray(members) ? members.map(String) : [];
    for (let start = 0; start < keys.length; start += this.#scanBatchSize) {
      const records = await Promise.all(keys.slice(start, start + this.#scanBatchSize).map((key) => this.#readOrThrow(key)));
      for (const record of records) if (record?.tags?.includes(tag) === true) yield record;
    }
  }

  /**
   * `find({ tag })` while the namespace may hold entries whose tags are in no set (written by a version of this store
   * without tag sets, or by one still running beside this one): walks every entry, yields those with `tag`, and adds
   * every tagged entry it reads to its tag sets, or keeps its member there until the entry's own expiry (a writer
   * without tag sets may have rewritten an entry to live longer than the member a write of this version gave it). A
   * walk that completes having found every tagged entry already in its sets sets the marker, and later lookups read
   * the sets only. A walk that had to add members sets no marker (the next lookup walks again): a writer without tag
   * sets may still be running, and only a walk that finds nothing left to add is evidence that none wrote since the
   * last one.
   */
  async *#walkForTag(tag: string): AsyncGenerator<CacheRecord> {
    let added = 0;
    for await (const batch of this.#liveBatches()) {
      const keys = batch.map((redisKey) => redisKey.slice(this.prefix.length + 1));
      const records = await Promise.all(keys.map((key) => this.#readOrThrow(key)));
      const now = this.#now();
      const counts = await Promise.all(records.map((record, i) => {
        const ttlMs = Math.ceil((record?.expiresAt ?? 0) - now);
        return record?.tags !== undefined && record.tags.length > 0 && ttlMs > 0 ? this.#addToTagSets(keys[i] ?? '', record.tags, ttlMs) : Promise.resolve(0);
      }));
      for (const count of counts) added += count;
      for (const record of records) if (record?.tags?.includes(tag) === true) yield record;
    }
    if (added === 0) await this.#client.eval(SET_MARKER_SCRIPT, 1, `${this.prefix}:${INDEXED_MARK}`, String(this.#now()));
  }

  /** `get`, with a corrupt record (which `get` deleted) read as absent and reported; any other failure rejects. */
  #readOrThrow(key: string): Promise<CacheRecord | undefined> {
    return this.get(key).catch((error: unknown) => {
      if (!(error instanceof CorruptEntryError)) throw error;
      this.#events.emitError(error);
      return undefined;
    });
  }

  async #records(keys: readonly string[]): Promise<CacheRecord[]> {
    const records = await Promise.all(keys.map((key) => this.#readOrThrow(key)));
    return records.filter((record): record is CacheRecord => record !== undefined);
  }

  /** Live entries, counted with one SCAN pass (cost grows with the namespace). */
  async count(): Promise<number> {
    this.#checkOpen('count');
    let total = 0;
    for await (const batch of this.#liveBatches()) total += batch.length;
    return total;
  }

  /** Bytes of the encoded values under the prefix (STRLEN), excluding Redis' own per-key overhead and the store's own keys (tag sets, marker). */
  async size(): Promise<number> {
    this.#checkOpen('size');
    let total = 0;
    for await (const batch of this.#liveBatches()) {
      const lengths = await Promise.all(batch.map((redisKey) => this.#client.strlen(redisKey)));
      for (const length of lengths) total += length;
    }
    return total;
  }

  /**
   * The pub/sub channel `${prefix}:invalidate` a TieredStore over this store announces its writes on and hears
   * other processes' on. It subscribes on a connection of its own (the client's `duplicate()`), which its
   * `close()` quits; the store's client only publishes.
   */
  openInvalidationChannel(): InvalidationChannel {
    this.#checkOpen('openInvalidationChannel');
    if (!canPublish(this.#client)) {
      throw storeOptionError('RedisStore', 'client has no publish() and duplicate(), which a TieredStore needs for its invalidation channel: pass an ioredis Redis or Cluster');
    }
    return new RedisInvalidationChannel(this.#client, `${this.prefix}:invalidate`);
  }

  onEvent(listener: (event: StoreEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  /**
   * Closes the store: every later call rejects with a {@link StoreClosedError} (`ECACHE_CLOSED`). Quits the
   * client if this store created it from `url`; a client passed in is left alone. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lastRecord = undefined;
    this.#held.clear();
    this.#decoded.clear();
    const owned = this.#ownedClient;
    if (owned === undefined) return;
    try {
      await owned.quit();
    } catch {
      owned.disconnect();
    }
  }

  /** The nodes to scan: the client itself, or the masters of a cluster that serve every slot (else a rejection). */
  async #scanPlan(): Promise<ClusterScanPlan<RedisClientLike>> {
    if (!this.#isCluster) return { nodes: [this.#client], signature: '', settled: true };
    return clusterScanPlan(this.#client as ClusterLike<RedisClientLike & ClusterNodeLike>, 'axios-http-cache: RedisStore');
  }

  /** Names under `${prefix}:` (entries, tag sets and the marker), as the store's commands take them (without the client's keyPrefix). */
  async *#scanBatches(nodes: readonly RedisClientLike[]): AsyncGenerator<string[]> {
    const match = `${escapeGlob(this.#clientPrefix + this.prefix)}:*`;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', match, 'COUNT', this.#scanBatchSize);
        cursor = next;
        if (found.length > 0) yield [...new Set(found)].map((name) => name.slice(this.#clientPrefix.length));
      } while (cursor !== '0');
    }
  }

  /**
   * Entry keys (the store's own keys, tag sets and marker, left out) with keys Redis already counts as expired left out (PTTL). Keys are written with a
   * time left (`PX`), so the server's countdown and the store's clock agree on expiry without the
   * two clocks agreeing on the date. On a cluster, a listing during which the slot map changed rejects: it may have
   * missed keys that moved.
   */
  async *#liveBatches(): AsyncGenerator<string[]> {
    const plan = await this.#scanPlan();
    const internal = `${this.prefix}:${INTERNAL_MARK}`;
    for await (const found of this.#scanBatches(plan.nodes)) {
      const batch = found.filter((redisKey) => !redisKey.startsWith(internal));
      const left = await Promise.all(batch.map((redisKey) => this.#client.pttl(redisKey)));
      // PTTL answers -1 for a key without expiry and -2 for a key gone since the SCAN.
      yield batch.filter((_, i) => {
        const ms = left[i] ?? -2;
        return ms === -1 || ms > 0;
      });
    }
    if (this.#isCluster && !unmoved(plan, await this.#scanPlan())) {
      throw new Error('axios-http-cache: RedisStore: the cluster moved hash slots during a listing, which may have missed keys that moved; try again');
    }
  }
}

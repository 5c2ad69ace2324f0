/**
 * The persisted record: what every store keeps for one cached response.
 *
 * The format is versioned. A store that reads a record whose `v` differs from
 * {@link RECORD_FORMAT_VERSION} must treat it as a miss (and may delete it).
 */

/** Version of {@link CacheRecord}'s shape. Bump it on any incompatible change. */
export const RECORD_FORMAT_VERSION = 1 as const;

/** Response headers as stored: lower-case names, one string value each. */
export type StoredHeaders = Record<string, string>;

/**
 * A cached body exactly as the axios adapter produced it, before `transformResponse`.
 * - `text`: the adapter returned a string (axios' default `json` and `text` response types).
 * - `binary`: the adapter returned bytes (`arraybuffer`: a Buffer in Node, an ArrayBuffer in browsers), or a stream
 *   (`responseType: 'stream'`) whose bytes were collected as the caller read it (`as: 'stream'` or `'webstream'`).
 */
export type CachedBody =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'binary';
      readonly bytes: Uint8Array;
      /**
       * What the adapter produced, so a hit hands back the same kind: a Node Buffer, an ArrayBuffer or a Uint8Array;
       * a Node Readable (`stream`, the http adapter) or a web ReadableStream (`webstream`, the fetch adapter). A
       * stream body answers only requests for a stream, and a stream request only a stream body.
       */
      readonly as?: 'buffer' | 'arraybuffer' | 'uint8array' | 'stream' | 'webstream';
    };

export interface CacheRecord {
  /** Format version, always {@link RECORD_FORMAT_VERSION} for records this version writes. */
  readonly v: typeof RECORD_FORMAT_VERSION;
  /** The key this record answers for. A `Vary` variant is also stored under a derived variant key, but keeps its primary key here. */
  readonly key: string;
  /** Upper-case request method. */
  readonly method: string;
  /** Normalised absolute request URL (query kept verbatim and in order, credential parameters removed). */
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  /** Response headers, hop-by-hop headers already removed (RFC 9111 §3.1). */
  readonly headers: StoredHeaders;
  readonly body: CachedBody;
  /** Lower-case names listed by the response's `Vary`, if any (RFC 9111 §4.1). */
  readonly vary?: readonly string[];
  /** The request's values for the `vary` headers, in the same order; `null` when absent. */
  readonly varyValues?: readonly (string | null)[];
  /** Epoch ms when the request that produced this response was sent (RFC 9111 §4.2.3 request_time). */
  readonly requestTime: number;
  /** Epoch ms when the response was received (RFC 9111 §4.2.3 response_time). */
  readonly responseTime: number;
  /** Epoch ms when this record was first stored. */
  readonly createdAt: number;
  /** Epoch ms after which the store may drop the record (freshness plus any stale/revalidation window). */
  readonly expiresAt: number;
  /** Variant generation of a `Vary` response: variants live under keys derived from it, so deleting the primary record retires them all. */
  readonly varyEpoch?: number;
  /** The `ttl` in force when the record was stored (freshness for responses without explicit freshness). */
  readonly ttlMs?: number;
  /** Labels given with the request's `cache.tags`, for invalidation by tag. */
  readonly tags?: readonly string[];
}

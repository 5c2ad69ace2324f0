/**
 * Property tests (fast-check) of the two ways records become bytes or text: the binary codec of the Redis and
 * Mongo stores, and the JSON items of the Web Storage store (with record-shape.ts checking what is read back).
 * Any valid record round-trips exactly; any bytes or text at all decode to a record or a clean failure, never a throw.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { CorruptEntryError } from '../../lib/errors.js';
import type { CacheRecord, CachedBody } from '../../lib/record.js';
import { decodeRecord, decodeUncompressedRecord, encodeRecord } from '../../lib/stores/codec.js';
import { nodeCompressor } from '../../lib/stores/compression-node.js';
import { base64ToBytes, bytesToBase64, recordProblem } from '../../lib/stores/record-shape.js';
import { WebStorageStore, type WebStorageLike } from '../../lib/stores/web-storage.js';
import { comparable } from './fixtures.js';

/** Any UTF-16 code unit, lone surrogates included: JavaScript strings can hold them, and bodies do. */
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)) });
const text = fc.oneof(anyText, fc.string({ unit: 'binary' }), fc.string());
const time = fc.integer({ min: 0, max: 4_102_444_800_000 });

const body: fc.Arbitrary<CachedBody> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), text }, { noNullPrototype: true }),
  fc.record(
    { type: fc.constant('binary' as const), bytes: fc.uint8Array({ maxLength: 2048 }), as: fc.constantFrom('buffer' as const, 'arraybuffer' as const, 'uint8array' as const, 'stream' as const, 'webstream' as const) },
    { requiredKeys: ['type', 'bytes'], noNullPrototype: true },
  ),
);

const record: fc.Arbitrary<CacheRecord> = fc.record(
  {
    v: fc.constant(1 as const),
    key: text,
    method: fc.constantFrom('GET', 'HEAD', 'POST'),
    url: text,
    status: fc.integer({ min: 100, max: 599 }),
    statusText: text,
    headers: fc.dictionary(text, text, { noNullPrototype: true }),
    body,
    vary: fc.array(text, { maxLength: 4 }),
    varyValues: fc.array(fc.option(text, { nil: null }), { maxLength: 4 }),
    requestTime: time,
    responseTime: time,
    createdAt: time,
    expiresAt: time,
    varyEpoch: time,
    ttlMs: fc.integer({ min: 0, max: 1e12 }),
    tags: fc.array(text, { maxLength: 4 }),
  },
  { requiredKeys: ['v', 'key', 'method', 'url', 'status', 'statusText', 'headers', 'body', 'requestTime', 'responseTime', 'createdAt', 'expiresAt'], noNullPrototype: true },
);

/** A decode outcome is clean when it is a failure with a reason, or a record that passes the shape check. */
function expectClean(result: { ok: true; record: CacheRecord } | { ok: false; reason: string }): void {
  if (result.ok) expect(recordProblem({ ...result.record }), 'decoded record shape').to.equal(undefined);
  else expect(result.reason).to.be.a('string').and.not.equal('');
}

describe('record codec properties', () => {
  it('round-trips any valid record exactly, uncompressed', async () => {
    await fc.assert(fc.asyncProperty(record, async (original) => {
      const decoded = await decodeRecord(await encodeRecord(original));
      expect(decoded.ok).to.equal(true);
      expect(decoded.ok && comparable(decoded.record)).to.deep.equal(comparable(original));
    }), { numRuns: 300 });
  });

  it('round-trips any valid record exactly, compressed with gzip or brotli', async () => {
    await fc.assert(fc.asyncProperty(record, fc.constantFrom('gzip' as const, 'brotli' as const), async (original, algorithm) => {
      const encoded = await encodeRecord(original, { compressAboveBytes: 0, algorithm, compressor: nodeCompressor });
      const decoded = await decodeRecord(encoded, nodeCompressor);
      expect(decoded.ok && comparable(decoded.record)).to.deep.equal(comparable(original));
    }), { numRuns: 60 });
  });

  it('decodes arbitrary bytes to a record or a clean failure, never a throw', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
      expectClean(await decodeRecord(bytes, nodeCompressor));
    }), { numRuns: 500 });
  });

  it('decodes arbitrary bytes behind a valid header to a clean failure, never a throw', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(0, 1, 2, 3, 7), fc.uint8Array({ maxLength: 512 }), async (compression, rest) => {
      const bytes = new Uint8Array([0xac, 0x48, 1, compression, ...rest]);
      expectClean(await decodeRecord(bytes, nodeCompressor));
      const quick = decodeUncompressedRecord(bytes);
      if (quick !== undefined) expectClean(quick);
    }), { numRuns: 500 });
  });

  it('decodes a valid encoding with bytes changed, cut or added to a record or a clean failure, never a throw', async () => {
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    );
    await fc.assert(fc.asyncProperty(record, fc.array(damage, { minLength: 1, maxLength: 4 }), fc.boolean(), async (original, changes, compress) => {
      let bytes = await encodeRecord(original, compress ? { compressAboveBytes: 0, compressor: nodeCompressor } : {});
      for (const change of changes) {
        if (change.kind === 'flip' && bytes.length > 0) {
          bytes = bytes.slice();
          bytes[change.at % bytes.length] = change.value;
        } else if (change.kind === 'cut') {
          bytes = bytes.subarray(0, change.at % (bytes.length + 1));
        } else if (change.kind === 'add') {
          bytes = new Uint8Array([...bytes, ...change.extra]);
        }
      }
      expectClean(await decodeRecord(bytes, nodeCompressor));
    }), { numRuns: 300 });
  });
});

/** A Web Storage in a Map, as the store sees `localStorage`. */
class MapStorage implements WebStorageLike {
  readonly items = new Map<string, string>();
  get length(): number { return this.items.size; }
  key(index: number): string | null { return [...this.items.keys()][index] ?? null; }
  getItem(key: string): string | null { return this.items.get(key) ?? null; }
  setItem(key: string, value: string): void { this.items.set(key, value); }
  removeItem(key: string): void { this.items.delete(key); }
}

describe('Web Storage record properties', () => {
  const now = (): number => 1_000;
  const live = record.map((r) => ({ ...r, expiresAt: 2_000 + r.expiresAt }));

  it('round-trips any valid record exactly through WebStorageStore', async () => {
    await fc.assert(fc.asyncProperty(live, async (original) => {
      const storage = new MapStorage();
      const store = new WebStorageStore({ storage, now });
      await store.set('k', original, original.expiresAt);
      expect(comparable(await store.get('k'))).to.deep.equal(comparable(original));
    }), { numRuns: 200 });
  });

  it('reads any text found under a key as a record, a miss or a CorruptEntryError, never another throw', async () => {
    const storage = new MapStorage();
    const store = new WebStorageStore({ storage, now });
    const item = fc.oneof(
      anyText,
      fc.json(),
      live.map((r) => JSON.stringify({ e: r.expiresAt, c: r.createdAt, r: { ...r, body: r.body.type === 'text' ? r.body : { type: 'binary', base64: 'not base64!' } } })),
      fc.anything().map((value) => JSON.stringify({ e: 5_000, c: 0, r: value }) ?? 'undefined'),
    );
    await fc.assert(fc.asyncProperty(item, async (raw) => {
      await store.set('k', { v: 1, key: 'k', method: 'GET', url: 'u', status: 200, statusText: '', headers: {}, body: { type: 'text', text: '' }, requestTime: 0, responseTime: 0, createdAt: 0, expiresAt: 5_000 }, 5_000);
      const [itemKey] = [...storage.items.keys()];
      storage.setItem(itemKey!, raw);
      const outcome = await store.get('k').then((value) => value, (error: unknown) => error);
      if (outcome instanceof Error) expect(outcome).to.be.instanceOf(CorruptEntryError);
      else if (outcome !== undefined) expect(recordProblem(outcome)).to.equal(undefined);
    }), { numRuns: 300 });
  });

  it('checks arbitrary values with recordProblem without throwing', () => {
    fc.assert(fc.property(fc.anything(), (value) => {
      const problem = recordProblem(value);
      expect(problem === undefined || typeof problem === 'string').to.equal(true);
    }), { numRuns: 500 });
  });

  it('round-trips any bytes through base64', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
      expect(Array.from(base64ToBytes(bytesToBase64(bytes)))).to.deep.equal(Array.from(bytes));
    }), { numRuns: 100 });
  });
});

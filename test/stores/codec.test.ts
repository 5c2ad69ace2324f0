import { promisify } from 'node:util';
import { brotliCompress, constants, gunzip, gzip } from 'node:zlib';
import { expect } from 'chai';
import { CODEC_VERSION, decodeRecord, encodeRecord, MAX_DECOMPRESSED_BYTES, type Compressor } from '../../lib/stores/codec.js';
import { nodeCompressor } from '../../lib/stores/compression-node.js';
import { allByteValues, comparable, makeRecord, UNICODE_TEXT } from './fixtures.js';

const NOW = 1_700_000_000_000;

async function roundTrip(...args: Parameters<typeof encodeRecord>): Promise<unknown> {
  const decoded = await decodeRecord(await encodeRecord(...args), nodeCompressor);
  if (!decoded.ok) throw new Error(`decode failed: ${decoded.reason}`);
  return comparable(decoded.record);
}

describe('record codec', () => {
  it('round-trips a text record with every optional field', async () => {
    const record = makeRecord('k1', NOW, { tags: ['users', 'paris'], vary: ['accept'], varyValues: [null], body: { type: 'text', text: UNICODE_TEXT } });
    expect(await roundTrip(record)).to.deep.equal(comparable(record));
  });

  it('keeps the variant epoch, the ttl in force and the kind of a binary body', async () => {
    for (const as of ['buffer', 'arraybuffer', 'uint8array', 'stream', 'webstream'] as const) {
      const record = makeRecord('meta', NOW, { vary: ['accept'], varyValues: ['text/html'], varyEpoch: NOW - 1000, ttlMs: 30_000, body: { type: 'binary', bytes: allByteValues(10), as } });
      expect(await roundTrip(record), as).to.deep.equal(comparable(record));
    }
  });

  it('round-trips a binary body byte for byte, including every byte value', async () => {
    const record = makeRecord('bin', NOW, { body: { type: 'binary', bytes: allByteValues(70_000) } });
    expect(await roundTrip(record)).to.deep.equal(comparable(record));
  });

  it('keeps a text body with a lone surrogate exactly', async () => {
    const record = makeRecord('lone', NOW, { body: { type: 'text', text: 'a\ud800b\udc00c' } });
    expect(await roundTrip(record)).to.deep.equal(comparable(record));
  });

  it('keeps header names with dots and dollars as plain data', async () => {
    const record = makeRecord('h', NOW, { headers: { 'x.dotted': 'a', $where: 'b', __proto__x: 'c' } });
    expect(await roundTrip(record)).to.deep.equal(comparable(record));
  });

  for (const algorithm of ['gzip', 'brotli'] as const) {
    it(`compresses with ${algorithm} above the threshold and decodes the result`, async () => {
      const record = makeRecord('big', NOW, { body: { type: 'text', text: 'abc'.repeat(10_000) } });
      const plain = await encodeRecord(record);
      const packed = await encodeRecord(record, { compressAboveBytes: 1000, algorithm, compressor: nodeCompressor });
      expect(packed.byteLength).to.be.lessThan(plain.byteLength / 10);
      expect(packed[3]).to.equal(algorithm === 'gzip' ? 1 : 2);
      expect(await roundTrip(record, { compressAboveBytes: 1000, algorithm, compressor: nodeCompressor })).to.deep.equal(comparable(record));
    });
  }

  it('does not compress a record at or below the threshold', async () => {
    const record = makeRecord('small', NOW);
    const plain = await encodeRecord(record);
    const encoded = await encodeRecord(record, { compressAboveBytes: plain.byteLength, compressor: nodeCompressor });
    expect(encoded[3]).to.equal(0);
  });

  it('stores incompressible data uncompressed when compression would not shrink it', async () => {
    const noise = new Uint8Array(4096);
    let seed = 12345;
    for (let i = 0; i < noise.length; i++) noise[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const encoded = await encodeRecord(makeRecord('noise', NOW, { body: { type: 'binary', bytes: noise } }), { compressAboveBytes: 10, compressor: nodeCompressor });
    expect(encoded[3]).to.equal(0);
  });

  it('reports garbage as a typed failure instead of throwing', async () => {
    const result = await decodeRecord(new TextEncoder().encode('{"not":"a record"}'));
    expect(result).to.deep.equal({ ok: false, reason: 'not an encoded cache record' });
  });

  it('reports another codec version as a failure naming the version', async () => {
    const encoded = await encodeRecord(makeRecord('k', NOW));
    encoded[2] = CODEC_VERSION + 1;
    const result = await decodeRecord(encoded);
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.reason).to.contain(`version ${CODEC_VERSION + 1}`);
  });

  it('reports another record format version as a failure', async () => {
    const record = { ...makeRecord('k', NOW), v: 2 } as unknown as ReturnType<typeof makeRecord>;
    const result = await decodeRecord(await encodeRecord(record));
    expect(!result.ok && result.reason).to.contain('record format version 2');
  });

  it('reports every truncation of an encoded record as a failure', async () => {
    const encoded = await encodeRecord(makeRecord('trunc', NOW, { body: { type: 'binary', bytes: allByteValues(300) } }));
    for (let length = 0; length < encoded.byteLength; length++) {
      const result = await decodeRecord(encoded.subarray(0, length));
      expect(result.ok, `length ${length}`).to.equal(false);
    }
  });

  it('reports extra trailing bytes as a failure', async () => {
    const encoded = await encodeRecord(makeRecord('long', NOW));
    const padded = new Uint8Array(encoded.byteLength + 1);
    padded.set(encoded);
    const result = await decodeRecord(padded);
    expect(!result.ok && result.reason).to.contain('length mismatch');
  });

  it('reports a corrupted compressed payload as a failure', async () => {
    const record = makeRecord('z', NOW, { body: { type: 'text', text: 'x'.repeat(5000) } });
    const encoded = await encodeRecord(record, { compressAboveBytes: 100, compressor: nodeCompressor });
    const broken = encoded.slice(0, encoded.byteLength - 8);
    const result = await decodeRecord(broken, nodeCompressor);
    expect(!result.ok && result.reason).to.match(/^gzip decompression failed/);
  });

  it('reports a compressed record as a failure when no decompressor is available', async () => {
    const record = makeRecord('z', NOW, { body: { type: 'text', text: 'x'.repeat(5000) } });
    const result = await decodeRecord(await encodeRecord(record, { compressAboveBytes: 100, compressor: nodeCompressor }));
    expect(!result.ok && result.reason).to.contain('no decompressor');
  });

  it('reports a decompressor that rejects as a failure', async () => {
    const failing: Compressor = { compress: (algorithm, data) => nodeCompressor.compress(algorithm, data), decompress: () => Promise.reject(new Error('boom')) };
    const record = makeRecord('z', NOW, { body: { type: 'text', text: 'x'.repeat(5000) } });
    const result = await decodeRecord(await encodeRecord(record, { compressAboveBytes: 100, compressor: nodeCompressor }), failing);
    expect(result).to.deep.equal({ ok: false, reason: 'gzip decompression failed: boom' });
  });

  describe('a compressed entry that expands past MAX_DECOMPRESSED_BYTES (a decompression bomb)', () => {
    /** An entry in the codec's outer layout whose compressed payload is `bytes` zero bytes: a few KiB stored. */
    async function bomb(algorithm: 'gzip' | 'brotli', bytes: number): Promise<Uint8Array> {
      const zeros = new Uint8Array(bytes);
      const packed = algorithm === 'gzip'
        ? await promisify(gzip)(zeros)
        : await promisify(brotliCompress)(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
      return new Uint8Array([0xac, 0x48, CODEC_VERSION, algorithm === 'gzip' ? 1 : 2, ...packed]);
    }

    for (const algorithm of ['gzip', 'brotli'] as const) {
      it(`reads a ${algorithm} one as a failure saying the output passes the bound`, async () => {
        const entry = await bomb(algorithm, MAX_DECOMPRESSED_BYTES + 1024 * 1024);
        expect(entry.byteLength).to.be.lessThan(256 * 1024);
        const result = await decodeRecord(entry, nodeCompressor);
        expect(result).to.deep.equal({ ok: false, reason: `${algorithm} decompression failed: the output passes ${MAX_DECOMPRESSED_BYTES} bytes` });
      });
    }

    it('reads it as a failure even through a decompressor that ignores the bound', async () => {
      const unbounded: Compressor = { compress: (algorithm, data) => nodeCompressor.compress(algorithm, data), decompress: (_algorithm, data) => promisify(gunzip)(data) };
      const result = await decodeRecord(await bomb('gzip', MAX_DECOMPRESSED_BYTES + 1), unbounded);
      expect(result).to.deep.equal({ ok: false, reason: `gzip decompression failed: the output passes ${MAX_DECOMPRESSED_BYTES} bytes` });
    });

    it('is never written by the codec: a record larger than the bound is stored uncompressed, and reads back', async () => {
      const record = makeRecord('large', NOW, { body: { type: 'text', text: 'x'.repeat(MAX_DECOMPRESSED_BYTES) } });
      const encoded = await encodeRecord(record, { compressAboveBytes: 100, compressor: nodeCompressor });
      expect(encoded[3], 'compression byte').to.equal(0);
      const decoded = await decodeRecord(encoded, nodeCompressor);
      expect(decoded.ok && decoded.record.body).to.deep.equal(record.body);
    });
  });

  it('decodes a binary body into a copy that does not alias the input buffer', async () => {
    const encoded = await encodeRecord(makeRecord('alias', NOW, { body: { type: 'binary', bytes: new Uint8Array([1, 2, 3]) } }));
    const decoded = await decodeRecord(encoded);
    encoded.fill(0);
    expect(decoded.ok && decoded.record.body.type === 'binary' && Array.from(decoded.record.body.bytes)).to.deep.equal([1, 2, 3]);
  });
});

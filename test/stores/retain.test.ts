import { expect } from 'chai';
import { decodeRecord, decodeUncompressedRecord, encodeRecord, headHasStamp, STAMPED_HEAD_BYTES } from '../../lib/stores/codec.js';
import { nodeCompressor } from '../../lib/stores/compression-node.js';
import { estimateRecordBytes, MemoryStore } from '../../lib/stores/memory.js';
import { makeRecord } from './fixtures.js';

describe('MemoryStore retain', () => {
  const now = Date.now();

  it('counts the bytes held beside a record in the entry\'s size, replacing what was counted before', async () => {
    const store = new MemoryStore({ now: () => now });
    const record = makeRecord('a', now);
    await store.set('a', record, now + 60_000);
    const base = await store.size();
    expect(store.retain('a', record, 5000)).to.equal(true);
    expect(await store.size()).to.equal(base + 5000);
    expect(store.retain('a', record, 300)).to.equal(true);
    expect(await store.size()).to.equal(base + 300);
    expect(store.getSync('a')).to.equal(record);
  });

  it('refuses a record the entry no longer holds, a missing entry, and a total above maxEntryBytes', async () => {
    const record = makeRecord('a', now);
    const store = new MemoryStore({ now: () => now, maxBytes: 100_000, maxEntryBytes: estimateRecordBytes(record) + 1000 });
    await store.set('a', record, now + 60_000);
    expect(store.retain('a', makeRecord('a', now), 10)).to.equal(false);
    expect(store.retain('b', record, 10)).to.equal(false);
    expect(store.retain('a', record, 1001)).to.equal(false);
    expect(store.retain('a', record, 1000)).to.equal(true);
  });

  it('evicts other entries to make room under maxBytes, never the retained one', async () => {
    const first = makeRecord('first', now);
    const second = makeRecord('second', now);
    const store = new MemoryStore({ now: () => now, maxBytes: estimateRecordBytes(first) + estimateRecordBytes(second) + 500, maxEntryBytes: estimateRecordBytes(second) + 600 });
    await store.set('first', first, now + 60_000);
    await store.set('second', second, now + 60_000);
    expect(store.retain('second', second, 600)).to.equal(true);
    expect(store.getSync('first')).to.equal(undefined);
    expect(store.getSync('second')).to.equal(second);
  });
});

describe('codec write stamp', () => {
  const now = Date.now();

  it('gives each write a stamp of its own, readable from the first bytes of the entry', async () => {
    const record = makeRecord('a', now);
    const one = await encodeRecord(record);
    const two = await encodeRecord(record);
    const first = decodeUncompressedRecord(one);
    const second = decodeUncompressedRecord(two);
    if (!first?.ok || !second?.ok || first.stamp === undefined || second.stamp === undefined) throw new Error('no stamp decoded');
    expect(first.stamp).to.not.equal(second.stamp);
    expect(headHasStamp(one.subarray(0, STAMPED_HEAD_BYTES), first.stamp)).to.equal(true);
    expect(headHasStamp(two.subarray(0, STAMPED_HEAD_BYTES), first.stamp)).to.equal(false);
    expect(headHasStamp(one.subarray(0, STAMPED_HEAD_BYTES - 1), first.stamp)).to.equal(false);
    expect(first.record).to.deep.equal(record);
  });

  it('offers no stamp for a compressed record, whose first bytes cannot show it', async () => {
    const record = makeRecord('big', now, { body: { type: 'text', text: 'x'.repeat(10_000) } });
    const encoded = await encodeRecord(record, { compressAboveBytes: 100, compressor: nodeCompressor });
    expect(decodeUncompressedRecord(encoded)).to.equal(undefined);
    const decoded = await decodeRecord(encoded, nodeCompressor);
    expect(decoded.ok).to.equal(true);
    expect(decoded.ok ? decoded.stamp : 'failed').to.equal(undefined);
    expect(headHasStamp(encoded.subarray(0, STAMPED_HEAD_BYTES), 'a'.repeat(16))).to.equal(false);
  });
});

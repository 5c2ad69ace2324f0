/**
 * The memo of decoded records (decoded-memo.ts): a record comes back only for the very bytes it was decoded from,
 * under the same key, and the memo stays within its budget.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { DecodedMemo } from '../../lib/stores/decoded-memo.js';
import { estimateRecordBytes } from '../../lib/stores/memory.js';
import { makeRecord } from './fixtures.js';

const record = makeRecord('k', 1_000);

describe('DecodedMemo', function () {
  it('gives a record back for exactly the bytes it was decoded from, and for no other bytes or key', function () {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.uint8Array({ maxLength: 512 }), (kept, asked) => {
        const memo = new DecodedMemo(1024 * 1024);
        memo.keep('k', Buffer.from(kept), record, 'stamp');
        expect(memo.recall('other', Buffer.from(kept))).to.equal(undefined);
        const same = Buffer.from(kept).equals(Buffer.from(asked));
        expect(memo.recall('k', Buffer.from(asked))?.record).to.deep.equal(same ? record : undefined);
      }),
    );
  });

  it('answers each recall with a record object of its own, never the one it was given, with the same fields', function () {
    const memo = new DecodedMemo(1024 * 1024);
    memo.keep('k', Buffer.from([1]), record, undefined);
    const first = memo.recall('k', Buffer.from([1]))?.record;
    const second = memo.recall('k', Buffer.from([1]))?.record;
    expect(first).to.deep.equal(record);
    expect(first).to.not.equal(record);
    expect(second).to.not.equal(first);
  });

  it('forgets an entry once the store answers other bytes under its key', function () {
    const memo = new DecodedMemo(1024 * 1024);
    memo.keep('k', Buffer.from([1, 2, 3]), record, undefined);
    expect(memo.recall('k', Buffer.from([1, 2, 4]))).to.equal(undefined);
    expect(memo.recall('k', Buffer.from([1, 2, 3]))).to.equal(undefined);
  });

  it('keeps its own copy of the bytes: a client reusing its buffer cannot make other bytes match', function () {
    const memo = new DecodedMemo(1024 * 1024);
    const shared = Buffer.from([1, 2, 3]);
    memo.keep('k', shared, record, undefined);
    shared[0] = 9; // the client writes the next reply into the same memory
    expect(memo.recall('k', Buffer.from([9, 2, 3]))).to.equal(undefined);
  });

  it('compares plain Uint8Arrays as well as Buffers', function () {
    const memo = new DecodedMemo(1024 * 1024);
    memo.keep('k', new Uint8Array([5, 6]), record, 's');
    expect(memo.recall('k', new Uint8Array([5, 6]))).to.deep.include({ record, stamp: 's' });
    expect(memo.recall('k', new Uint8Array([5, 7]))).to.equal(undefined);
  });

  it('stays within its budget, least recently used out first, and keeps nothing larger than a sixteenth of it', function () {
    const cost = 100 + estimateRecordBytes(record);
    const memo = new DecodedMemo(16 * cost);
    const bytes = (seed: number): Buffer => Buffer.alloc(100, seed);
    for (let i = 0; i < 16; i++) memo.keep(`k${i}`, bytes(i), record, undefined);
    expect(memo.recall('k0', bytes(0))).to.not.equal(undefined); // now the most recently used
    memo.keep('k16', bytes(16), record, undefined);
    expect(memo.recall('k1', bytes(1))).to.equal(undefined);
    expect(memo.recall('k0', bytes(0))).to.not.equal(undefined);
    expect(memo.recall('k16', bytes(16))).to.not.equal(undefined);
    memo.keep('big', Buffer.alloc(101), record, undefined);
    expect(memo.recall('big', Buffer.alloc(101))).to.equal(undefined);
  });

  it('counts a record at what it decoded to, not at its stored bytes: a compressed entry larger than its share is not kept', function () {
    const inflated = makeRecord('k', 1_000, { body: { type: 'text', text: 'x'.repeat(1024 * 1024) } });
    const memo = new DecodedMemo(1024 * 1024);
    memo.keep('k', Buffer.alloc(1024), inflated, undefined);
    expect(memo.recall('k', Buffer.alloc(1024))).to.equal(undefined);
  });

  it('keeps nothing with a budget of 0', function () {
    const memo = new DecodedMemo(0);
    memo.keep('k', Buffer.from([1]), record, undefined);
    expect(memo.recall('k', Buffer.from([1]))).to.equal(undefined);
  });
});

import { expect } from 'chai';
import fc from 'fast-check';
import { cacheControlMemo, parseCacheControl } from '../../lib/semantics/cache-control.js';
import { httpDateMemo, parseHttpDate } from '../../lib/semantics/http-date.js';
import { BoundedMemo, MEMO_BUDGET_BYTES, MEMO_ENTRY_OVERHEAD_BYTES, PROBATION_ENTRIES } from '../../lib/semantics/memo.js';

describe('BoundedMemo (header-parse memos bounded in bytes)', () => {
  it('documents a budget of 256 KB per memo', () => {
    expect(MEMO_BUDGET_BYTES).to.equal(256 * 1024);
    expect(cacheControlMemo.budgetBytes).to.equal(MEMO_BUDGET_BYTES);
    expect(httpDateMemo.budgetBytes).to.equal(MEMO_BUDGET_BYTES);
  });

  it('computes once and then answers from memory', () => {
    const memo = new BoundedMemo<number>(() => 8);
    let calls = 0;
    const compute = (key: string): number => {
      calls += 1;
      return key.length;
    };
    expect([memo.remember('abc', compute), memo.remember('abc', compute)]).to.deep.equal([3, 3]);
    expect(calls).to.equal(1);
  });

  it('keeps a key seen once only until as many newer one-time keys as probation holds have passed', () => {
    const memo = new BoundedMemo<number>(() => 8);
    let computed: string[] = [];
    const compute = (key: string): number => {
      computed.push(key);
      return key.length;
    };
    memo.remember('once', compute);
    for (let i = 0; i < PROBATION_ENTRIES; i++) memo.remember(`passing-${i}`, compute);
    computed = [];
    memo.remember('once', compute);
    expect(computed).to.deep.equal(['once']);
    expect(memo.size).to.equal(PROBATION_ENTRIES);
  });

  it('keeps a key seen twice however many one-time keys pass after it, within the budget', () => {
    const memo = new BoundedMemo<number>(() => 8);
    let computed = 0;
    const compute = (key: string): number => {
      computed += 1;
      return key.length;
    };
    memo.remember('twice', compute);
    memo.remember('twice', compute);
    for (let i = 0; i < 10 * PROBATION_ENTRIES; i++) memo.remember(`passing-${i}`, () => 0);
    memo.remember('twice', compute);
    expect(computed).to.equal(1);
    expect(memo.size).to.equal(1 + PROBATION_ENTRIES);
  });

  it('counts the key, the value estimate and the entry overhead', () => {
    const memo = new BoundedMemo<string>((value) => 2 * value.length);
    memo.remember('key', () => 'value');
    expect(memo.bytes).to.equal(2 * 3 + 2 * 5 + MEMO_ENTRY_OVERHEAD_BYTES);
  });

  it('drops the oldest entries once the budget is exceeded', () => {
    const memo = new BoundedMemo<number>(() => 0, 3 * (2 + MEMO_ENTRY_OVERHEAD_BYTES));
    for (const key of ['a', 'b', 'c', 'd']) memo.remember(key, () => 1);
    expect(memo.size).to.equal(3);
    let recomputed = false;
    memo.remember('a', () => {
      recomputed = true;
      return 1;
    });
    expect(recomputed).to.equal(true);
  });

  it('does not remember a single value larger than the whole budget', () => {
    const memo = new BoundedMemo<number>(() => 0, 100);
    expect(memo.remember('x'.repeat(100), () => 7)).to.equal(7);
    expect([memo.size, memo.bytes]).to.deep.equal([0, 0]);
  });

  it('keeps its accounted bytes within the budget for any sequence of keys and value sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 300 }), fc.nat({ max: 2000 })), { maxLength: 200 }), (entries) => {
        const memo = new BoundedMemo<number>((size) => size, 4096);
        for (const [key, size] of entries) memo.remember(key, () => size);
        expect(memo.bytes).to.be.at.most(4096);
      }),
    );
  });

  it('holds bytes exactly when it holds entries, and stays within its budget, whatever keys come back, go on probation and are admitted', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 150 }), fc.nat({ max: 600 })), { maxLength: 600 }), (entries) => {
        const memo = new BoundedMemo<number>((size) => size, 4096);
        for (const [key, size] of entries) {
          memo.remember(`key-${key}`, () => size);
          expect(memo.bytes).to.be.at.most(4096);
          expect(memo.bytes === 0).to.equal(memo.size === 0);
        }
      }),
    );
  });

  it('keeps the Cache-Control memo under its budget after 990 distinct large unusual values', () => {
    cacheControlMemo.clear();
    for (let i = 0; i < 990; i++) {
      const names = Array.from({ length: 200 }, (_, j) => `x-field-${i}-${j}`).join(', ');
      parseCacheControl(`max-age=${i}, no-cache="${names}", private="${names}", x-unknown-${i}=${'y'.repeat(2000)}`);
    }
    // Each value is about 12 KB of key and 13 KB of field names: far above the budget without eviction.
    expect(cacheControlMemo.bytes).to.be.greaterThan(0);
    expect(cacheControlMemo.bytes).to.be.at.most(MEMO_BUDGET_BYTES);
  });

  it('keeps the HTTP-date memo under its budget after many distinct long invalid dates', () => {
    httpDateMemo.clear();
    for (let i = 0; i < 2000; i++) parseHttpDate(`${i} ${'not a date '.repeat(100)}`);
    expect(httpDateMemo.bytes).to.be.greaterThan(0);
    expect(httpDateMemo.bytes).to.be.at.most(MEMO_BUDGET_BYTES);
  });
});

/**
 * The byte-bounded LRU map (byte-budget-lru.ts) that RedisStore's decoded records and retained records are held in:
 * compared, for any sequence of operations, with a plain list kept in use order.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { ByteBudgetLru } from '../../lib/stores/byte-budget-lru.js';

interface Value {
  readonly id: number;
  readonly cost: number;
}

type Operation =
  | { readonly kind: 'set'; readonly key: string; readonly cost: number }
  | { readonly kind: 'use'; readonly key: string }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'clear' };

const keys = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
// Costs from 1: every value RedisStore keeps costs bytes, and a value that costs nothing would outlast the filler that
// checks the order at the end (it counts nothing against the budget), failing that check for no fault of the map.
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), key: keys, cost: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('use' as const), key: keys }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keys }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('ByteBudgetLru', function () {
  it('keeps exactly what a list in use order keeps when the least recently used leave first past the budget', function () {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 300 }), fc.array(operation, { maxLength: 60 }), (budget, operations) => {
        const lru = new ByteBudgetLru<Value>(budget);
        // The model: oldest first.
        let model: { key: string; value: Value }[] = [];
        let id = 0;
        for (const step of operations) {
          if (step.kind === 'set') {
            const value = { id: id++, cost: step.cost };
            lru.set(step.key, value);
            model = model.filter((entry) => entry.key !== step.key);
            model.push({ key: step.key, value });
            while (model.reduce((sum, entry) => sum + entry.value.cost, 0) > budget) model.shift();
          } else if (step.kind === 'use') {
            const found = lru.peek(step.key);
            expect(found).to.equal(model.find((entry) => entry.key === step.key)?.value);
            if (found !== undefined) {
              lru.touch(step.key, found);
              model = [...model.filter((entry) => entry.key !== step.key), { key: step.key, value: found }];
            }
          } else if (step.kind === 'delete') {
            lru.delete(step.key);
            model = model.filter((entry) => entry.key !== step.key);
          } else {
            lru.clear();
            model = [];
          }
          expect(lru.size).to.equal(model.length);
        }
        // What is kept, and its order: each key's value, then which one leaves first when a value fills the budget.
        for (const entry of model) expect(lru.peek(entry.key)).to.equal(entry.value);
        if (model.length > 0) {
          lru.set('filler', { id: -1, cost: budget });
          expect(lru.size).to.equal(1);
        }
      }),
    );
  });

  it('lets the least recently used go first: a value just used outlasts one set after it', function () {
    const lru = new ByteBudgetLru<Value>(30);
    const a = { id: 1, cost: 10 };
    lru.set('a', a);
    lru.set('b', { id: 2, cost: 10 });
    lru.set('c', { id: 3, cost: 10 });
    lru.touch('a', a);
    lru.set('d', { id: 4, cost: 10 });
    expect(lru.peek('a')).to.equal(a);
    expect(lru.peek('b')).to.equal(undefined);
    expect(lru.size).to.equal(3);
  });

  it('counts a replaced value once: setting a key again frees what its old value cost', function () {
    const lru = new ByteBudgetLru<Value>(30);
    lru.set('a', { id: 1, cost: 20 });
    lru.set('a', { id: 2, cost: 20 });
    lru.set('b', { id: 3, cost: 10 });
    expect(lru.peek('a')?.id).to.equal(2);
    expect(lru.peek('b')?.id).to.equal(3);
  });
});

import { expect } from 'chai';
import { Deadlines } from '../../lib/axios/deadlines.js';

const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
const never = new Promise<string>(() => undefined);

describe('Deadlines (one timer for many store operations)', () => {
  it('lets an operation that finishes in time through', async () => {
    const deadlines = new Deadlines(200);
    expect(await deadlines.race(later(5, 'done'), () => new Error('late'))).to.equal('done');
  });

  it('rejects every operation still pending at its deadline, in start order, and not the ones that finished', async () => {
    const deadlines = new Deadlines(40);
    const outcomes: string[] = [];
    const track = (name: string, p: Promise<string>) => p.then((v) => outcomes.push(`${name}:${v}`), (e: Error) => outcomes.push(`${name}:${e.message}`));
    await Promise.all([
      track('a', deadlines.race(never, () => new Error('late a'))),
      track('b', deadlines.race(later(5, 'ok'), () => new Error('late b'))),
      track('c', deadlines.race(never, () => new Error('late c'))),
    ]);
    expect(outcomes).to.deep.equal(['b:ok', 'a:late a', 'c:late c']);
  });

  it('passes an operation\'s own failure through unchanged', async () => {
    const deadlines = new Deadlines(100);
    const error = await deadlines.race(Promise.reject(new Error('boom')), () => new Error('late')).catch((e: Error) => e.message);
    expect(error).to.equal('boom');
  });

  it('keeps working after the queue has emptied', async () => {
    const deadlines = new Deadlines(30);
    expect(await deadlines.race(later(1, 1), () => new Error('late'))).to.equal(1);
    const late = await deadlines.race(never, () => new Error('late again')).catch((e: Error) => e.message);
    expect(late).to.equal('late again');
  });
});

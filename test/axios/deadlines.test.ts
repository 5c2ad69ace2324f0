import { expect } from 'chai';
import { asError } from '../../lib/errors.js';
import { Deadlines } from '../../lib/axios/deadlines.js';

const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
const never = new Promise<string>(() => undefined);

/** What StoreAccess does with a tracked operation: settle with its own outcome, or with the expiry. */
function race<T>(deadlines: Deadlines, pending: Promise<T>, onExpire: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const waiting = deadlines.track(() => reject(onExpire()));
    pending.then(
      (value) => {
        if (deadlines.done(waiting)) resolve(value);
      },
      (reason: unknown) => {
        if (deadlines.done(waiting)) reject(asError(reason));
      },
    );
  });
}

describe('Deadlines (one timer for many store operations)', () => {
  it('lets an operation that finishes in time through', async () => {
    const deadlines = new Deadlines(200);
    expect(await race(deadlines, later(5, 'done'), () => new Error('late'))).to.equal('done');
  });

  it('expires every operation still pending at its deadline, in start order, and not the ones that finished', async () => {
    const deadlines = new Deadlines(40);
    const outcomes: string[] = [];
    const track = (name: string, p: Promise<string>) => p.then((v) => outcomes.push(`${name}:${v}`), (e: Error) => outcomes.push(`${name}:${e.message}`));
    await Promise.all([
      track('a', race(deadlines, never, () => new Error('late a'))),
      track('b', race(deadlines, later(5, 'ok'), () => new Error('late b'))),
      track('c', race(deadlines, never, () => new Error('late c'))),
    ]);
    expect(outcomes).to.deep.equal(['b:ok', 'a:late a', 'c:late c']);
  });

  it('reports done() as false for an operation its deadline already expired', async () => {
    const deadlines = new Deadlines(10);
    let expired = false;
    const waiting = deadlines.track(() => {
      expired = true;
    });
    await later(40, undefined);
    expect(expired).to.equal(true);
    expect(deadlines.done(waiting)).to.equal(false);
  });

  it('keeps working after the queue has emptied', async () => {
    const deadlines = new Deadlines(30);
    expect(await race(deadlines, later(1, 1), () => new Error('late'))).to.equal(1);
    const late = await race(deadlines, never, () => new Error('late again')).catch((e: Error) => e.message);
    expect(late).to.equal('late again');
  });
});

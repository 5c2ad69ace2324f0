import { expect } from 'chai';
import type { InternalAxiosRequestConfig } from 'axios';
import { SingleFlight } from '../../lib/axios/single-flight.js';

const config = { headers: {} } as unknown as InternalAxiosRequestConfig;

function deferred(): { promise: Promise<string>; resolve: (value: string) => void } {
  let resolve: (value: string) => void = () => undefined;
  const promise = new Promise<string>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe('SingleFlight (who may take a shared value without a copy)', () => {
  it('tells a lone caller that nobody else receives its value', async () => {
    const flights = new SingleFlight<string, string>(1000, (identity) => identity);
    const result = await flights.run('k', 'alice', config, () => Promise.resolve('v'));
    expect(result).to.deep.equal({ cancelled: false, value: 'v', alone: true });
  });

  it('tells every caller of a flight joined by two that the value is shared', async () => {
    const flights = new SingleFlight<string, string>(1000, (identity) => identity);
    const work = deferred();
    const first = flights.run('k', 'alice', config, () => work.promise);
    const second = flights.run('k', 'alice', config, () => Promise.resolve('other'));
    work.resolve('v');
    const results = await Promise.all([first, second]);
    expect(results.map((result) => !result.cancelled && result.alone)).to.deep.equal([false, false]);
  });

  it('never calls a value alone while a request still reading the store may join the settled flight', async () => {
    const flights = new SingleFlight<string, string>(1000, (identity) => identity);
    const ticket = flights.begin();
    const first = await flights.run('k', 'alice', config, () => Promise.resolve('v'));
    const late = await flights.run('k', 'alice', config, () => Promise.resolve('other'), ticket);
    flights.end();
    expect(first.cancelled || first.alone).to.equal(false);
    expect(late).to.deep.equal({ cancelled: false, value: 'v', alone: false });
  });

  it('shares a flight only between callers of the same identity under a key, and makes no identity line for a lone caller', async () => {
    const lines: string[] = [];
    const flights = new SingleFlight<string, string>(1000, (identity) => {
      lines.push(identity);
      return identity;
    });
    const lone = await flights.run('k', 'alice', config, () => Promise.resolve('lone'));
    expect([lone, lines]).to.deep.equal([{ cancelled: false, value: 'lone', alone: true }, []]);
    const works = { alice: deferred(), bob: deferred() };
    const started: string[] = [];
    const call = (who: 'alice' | 'bob'): Promise<unknown> =>
      flights.run('k', who, config, () => {
        started.push(who);
        return works[who].promise;
      });
    const results = Promise.all([call('alice'), call('bob'), call('alice'), call('bob')]);
    works.alice.resolve('for alice');
    works.bob.resolve('for bob');
    expect((await results).map((result) => (result as { value: string }).value)).to.deep.equal(['for alice', 'for bob', 'for alice', 'for bob']);
    expect(started).to.deep.equal(['alice', 'bob']);
  });

  it('never lets a caller of another key join a flight whose slot its key spells (a key holding a line break)', async () => {
    const flights = new SingleFlight<string, string>(1000, (identity) => identity);
    const works = [deferred(), deferred(), deferred()];
    const started: string[] = [];
    const call = (key: string, who: string, index: number): Promise<unknown> =>
      flights.run(key, who, config, () => {
        started.push(`${key}|${who}`);
        return (works[index] as { promise: Promise<string> }).promise;
      });
    // Bob's flight under 'k' lands in the slot 'k\nbob'; a request whose own key is 'k\nbob' must not join it.
    const results = Promise.all([call('k', 'alice', 0), call('k', 'bob', 1), call('k\nbob', 'bob', 2)]);
    works.forEach((work, index) => work.resolve(`answer ${index}`));
    expect((await results).map((result) => (result as { value: string }).value)).to.deep.equal(['answer 0', 'answer 1', 'answer 2']);
    expect(started).to.deep.equal(['k|alice', 'k|bob', 'k\nbob|bob']);
  });

  it('lets a caller join the running flight of its identity in its second slot after the flight in the first slot settled', async () => {
    const lines: string[] = [];
    const flights = new SingleFlight<string, string>(1000, (identity) => {
      lines.push(identity);
      return identity;
    });
    const works = { alice: deferred(), bob: deferred() };
    let calls = 0;
    const call = (who: 'alice' | 'bob', work: Promise<string>): Promise<unknown> =>
      flights.run('k', who, config, () => {
        calls += 1;
        return work;
      });
    const alice = call('alice', works.alice.promise);
    const bob = call('bob', works.bob.promise); // alice holds the slot 'k': bob's flight goes to 'k\nbob'
    works.alice.resolve('for alice');
    await alice; // the slot 'k' is free again
    const bobAgain = call('bob', Promise.resolve('a second call for bob'));
    works.bob.resolve('for bob');
    expect([(await bob) as { value: string }, (await bobAgain) as { value: string }].map((result) => result.value)).to.deep.equal(['for bob', 'for bob']);
    expect(calls).to.equal(2);
    // Once nothing is in flight, a lone caller makes no identity line again.
    lines.length = 0;
    await flights.run('k', 'carol', config, () => Promise.resolve('lone'));
    expect(lines).to.deep.equal([]);
  });

  it("builds a caller's identity line once, even when the flight in its first slot belongs to another identity", async () => {
    const lines: string[] = [];
    const flights = new SingleFlight<string, string>(1000, (identity) => {
      lines.push(identity);
      return identity;
    });
    const work = deferred();
    const alice = flights.run('k', 'alice', config, () => work.promise);
    const bob = flights.run('k', 'bob', config, () => Promise.resolve('for bob'));
    work.resolve('for alice');
    expect([((await alice) as { value: string }).value, ((await bob) as { value: string }).value]).to.deep.equal(['for alice', 'for bob']);
    // Alice's line, to compare with; Bob's line once, for the comparison and for his second slot.
    expect(lines).to.deep.equal(['alice', 'bob']);
  });
});

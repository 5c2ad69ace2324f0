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
    const flights = new SingleFlight<string>(1000);
    const result = await flights.run('k', config, () => Promise.resolve('v'));
    expect(result).to.deep.equal({ cancelled: false, value: 'v', alone: true });
  });

  it('tells every caller of a flight joined by two that the value is shared', async () => {
    const flights = new SingleFlight<string>(1000);
    const work = deferred();
    const first = flights.run('k', config, () => work.promise);
    const second = flights.run('k', config, () => Promise.resolve('other'));
    work.resolve('v');
    const results = await Promise.all([first, second]);
    expect(results.map((result) => !result.cancelled && result.alone)).to.deep.equal([false, false]);
  });

  it('never calls a value alone while a request still reading the store may join the settled flight', async () => {
    const flights = new SingleFlight<string>(1000);
    const ticket = flights.begin();
    const first = await flights.run('k', config, () => Promise.resolve('v'));
    const late = await flights.run('k', config, () => Promise.resolve('other'), ticket);
    flights.end();
    expect(first.cancelled || first.alone).to.equal(false);
    expect(late).to.deep.equal({ cancelled: false, value: 'v', alone: false });
  });
});

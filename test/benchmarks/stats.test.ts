import { expect } from 'chai';
import { median, medianOfRoundRatios, quantileOfSorted, summarise } from '../../benchmarks/stats.js';

describe('benchmark statistics', () => {
  it('takes the middle value as the median of an odd count', () => {
    expect(median([5, 1, 3])).to.equal(3);
  });

  it('averages the two middle values as the median of an even count', () => {
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });

  it('answers NaN for the median and quantile of no samples', () => {
    expect(median([])).to.be.NaN;
    expect(quantileOfSorted([], 0.99)).to.be.NaN;
  });

  it('takes p99 by nearest rank, so one slow sample in a hundred is not the p99', () => {
    const samples = Array.from({ length: 100 }, (_, i) => (i === 99 ? 1000 : 1 + i / 100));
    expect(quantileOfSorted(samples, 0.99)).to.equal(1.98);
    expect(quantileOfSorted([...samples, 2000], 0.99)).to.equal(1000);
  });

  it('reports sequential ops per second from the total time of the samples', () => {
    const summary = summarise([2, 2, 4, 0.5, 1.5]);
    expect(summary.samples).to.equal(5);
    expect(summary.medianMs).to.equal(2);
    expect(summary.opsPerSecond).to.equal(500);
  });

  it('compares a contender with the floor round by round, so drift between rounds cancels out', () => {
    const floor = [[1, 1, 1], [10, 10, 10], [2, 2, 2]];
    const contender = [[1.1, 1.1, 1.1], [11, 11, 11], [2.2, 2.2, 2.2]];
    expect(medianOfRoundRatios(contender, floor)).to.be.closeTo(1.1, 1e-9);
  });

  it('leaves out rounds where either side has no samples', () => {
    expect(medianOfRoundRatios([[2], [], [3]], [[1], [1], []])).to.equal(2);
  });
});

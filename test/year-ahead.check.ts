/**
 * Run by scripts/year-ahead.mjs only (not a `.test.ts`, so the first pass leaves it out): proves
 * that the year-ahead pass really runs with the clock a year ahead, in the process running the tests.
 */
import { expect } from 'chai';

describe('the year-ahead pass', () => {
  it('runs with the clock a year ahead of the clock npm test started with', () => {
    const realNow = Number(process.env['AHC_YEAR_AHEAD_REAL_NOW']);
    const days = Number(process.env['AHC_YEAR_AHEAD_DAYS']);
    expect(realNow, 'AHC_YEAR_AHEAD_REAL_NOW, set by scripts/year-ahead.mjs').to.be.greaterThan(0);
    const aheadMs = Date.now() - realNow;
    const dayMs = 24 * 3_600_000;
    // Tolerance: the time this run has taken so far, well under a day.
    expect(aheadMs).to.be.within(days * dayMs, (days + 1) * dayMs);
    console.log(`    the tests' clock reads ${new Date().toISOString()}, ${days} days after the ${new Date(realNow).toISOString()} npm test started with`);
  });
});

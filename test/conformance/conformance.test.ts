// The http-cache-tests suite (cache-tests.fyi), run in full (about 30 s: its tests run concurrently, with 3 s pauses)
// against our cache and undici's cache interceptor, each in its own process. Regressions against the passes recorded
// in conformance/expected-passes.json fail the test; so does passing fewer tests than undici in the same run.
import { expect } from 'chai';
import suites from 'http-cache-tests/tests/index.mjs';
import { CONTENDERS } from '../../conformance/contenders.js';
import type { ContenderName } from '../../conformance/contenders.js';
import { readExpected } from '../../conformance/expected.js';
import { startOrigin } from '../../conformance/origin.js';
import type { Origin } from '../../conformance/origin.js';
import { totals } from '../../conformance/report.js';
import type { ContenderRun } from '../../conformance/report.js';
import { packageVersion, runAll } from '../../conformance/run-suite.js';
import { failureMessage } from '../../conformance/suite.js';

describe('HTTP cache conformance (http-cache-tests suite, proxy profile)', function () {
  this.timeout(300_000);
  let origin: Origin | undefined;
  const runs = new Map<ContenderName, ContenderRun>();

  before(async () => {
    origin = await startOrigin();
    for (const run of await runAll(CONTENDERS, origin.baseUrl)) runs.set(run.name, run);
  });

  after(async () => {
    await origin?.stop();
  });

  const runOf = (name: ContenderName): ContenderRun => {
    const run = runs.get(name);
    if (run === undefined) throw new Error(`no results for ${name}`);
    return run;
  };

  it('runs the suite version the expected passes were recorded with', () => {
    expect(readExpected().suiteVersion).to.equal(packageVersion('http-cache-tests'));
  });

  for (const name of ['ours-private', 'ours-shared'] as const) {
    it(`still passes every test ${name} passed when the results were committed`, () => {
      const results = runOf(name).results;
      const regressions = readExpected()
        .passes[name].filter((id) => results[id] !== true)
        .map((id) => `${id}: ${failureMessage(results[id])}`);
      expect(regressions).to.deep.equal([]);
    });
  }

  for (const [ours, theirs] of [['ours-private', 'undici-private'], ['ours-shared', 'undici-shared']] as const) {
    it(`${ours} passes at least as many tests, and as many required tests, as ${theirs} in the same run`, () => {
      const our = totals(suites, runOf(ours), false);
      const their = totals(suites, runOf(theirs), false);
      expect(our.passed, 'tests passed').to.be.at.least(their.passed);
      expect(our.requiredPassed, 'required tests passed').to.be.at.least(their.requiredPassed);
    });
  }
});

/**
 * npm run conformance: the http-cache-tests suite against our cache (private and shared) and undici's cache
 * interceptor (private and shared), in one run. Prints a markdown report and writes conformance/results/latest.md.
 *
 *   tsx conformance/run.ts [--browser] [--update-expected] [--no-write]
 */
import { writeFileSync } from 'node:fs';
import suites from 'http-cache-tests/tests/index.mjs';
import { CONTENDERS } from './contenders.js';
import { EXPECTED_PASSES_FILE, expectedFromRuns } from './expected.js';
import { startOrigin } from './origin.js';
import { renderReport } from './report.js';
import { packageVersion, runAll } from './run-suite.js';

async function main(argv: readonly string[]): Promise<void> {
  const useBrowserCache = argv.includes('--browser');
  const origin = await startOrigin();
  try {
    const runs = await runAll(CONTENDERS, origin.baseUrl, { useBrowserCache });
    const report = renderReport(suites, runs, {
      suiteVersion: packageVersion('http-cache-tests'),
      undiciVersion: packageVersion('undici'),
      axiosVersion: packageVersion('axios'),
      nodeVersion: process.versions.node,
      date: new Date().toISOString().slice(0, 10),
      useBrowserCache,
    });
    process.stdout.write(`${report}\n`);
    if (!argv.includes('--no-write')) {
      const file = new URL(useBrowserCache ? './results/latest-browser.md' : './results/latest.md', import.meta.url);
      writeFileSync(file, `${report}\n`);
    }
    if (argv.includes('--update-expected') && !useBrowserCache) {
      writeFileSync(EXPECTED_PASSES_FILE, `${JSON.stringify(expectedFromRuns(runs, packageVersion('http-cache-tests')), null, 2)}\n`);
    }
  } finally {
    await origin.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

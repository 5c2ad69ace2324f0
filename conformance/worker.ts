/**
 * Runs the whole suite (or the tests named) for ONE contender and writes the results as JSON. The suite's runner keeps
 * its state in module variables, so every contender runs in a process of its own.
 *
 *   tsx conformance/worker.ts <contender> <baseUrl> <out.json> [--browser] [--only=id,id,...]
 */
import { writeFileSync } from 'node:fs';
import { getResults, runTests } from 'http-cache-tests/client/runner.mjs';
import suites from 'http-cache-tests/tests/index.mjs';
import { createContender, isContender } from './contenders.js';
import type { FetchInit } from './fetch-shim.js';
import type { SuiteSection } from './suite.js';

export interface WorkerOutput {
  readonly contender: string;
  readonly useBrowserCache: boolean;
  readonly durationMs: number;
  readonly results: Record<string, true | [string, string]>;
}

async function main(argv: readonly string[]): Promise<void> {
  const [name, baseUrl, outFile] = argv;
  if (name === undefined || !isContender(name) || baseUrl === undefined || outFile === undefined) {
    throw new TypeError('usage: worker.ts <contender> <baseUrl> <out.json> [--browser] [--only=a,b]');
  }
  const useBrowserCache = argv.includes('--browser');
  const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
  const selected: SuiteSection[] = only === undefined ? suites : suites.map((section) => ({ ...section, tests: section.tests.filter((test) => only.includes(test.id)) }));
  const contender = createContender(name, useBrowserCache ? 'cache-options' : 'request-headers');
  // Proxy profile: the suite asks its client for cache: 'no-store' so that a browser's own cache keeps out of the way.
  // Here the cache under test IS the client's, below a fetch without an HTTP cache: send the default mode instead.
  const fetch = (url: string, init: FetchInit = {}): Promise<Response> => contender.fetch(url, useBrowserCache ? init : { ...init, cache: 'default' });
  const startedAt = Date.now();
  await runTests(selected, fetch, useBrowserCache, baseUrl);
  const output: WorkerOutput = { contender: name, useBrowserCache, durationMs: Date.now() - startedAt, results: structuredClone(getResults()) as WorkerOutput['results'] };
  writeFileSync(outFile, JSON.stringify(output, null, 2));
  await contender.close();
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

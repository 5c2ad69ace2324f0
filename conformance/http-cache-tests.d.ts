// Types for the parts of the http-cache-tests package (cache-tests.fyi) the conformance runner uses.
// The package ships plain ES modules without types; these describe only what conformance/ relies on.

declare module 'http-cache-tests/client/runner.mjs' {
  /** Runs every test of `suites` (chunks of `chunkSize` at a time, concurrently) through `fetch`. */
  export function runTests(
    suites: readonly import('./suite.js').SuiteSection[],
    fetch: import('./fetch-shim.js').FetchLike,
    useBrowserCache: boolean,
    baseUrl: string,
    chunkSize?: number,
  ): Promise<void>;
  /** Results by test id: `true` for a pass, else `[error name, message]`. Module state: one run per process. */
  export function getResults(): Record<string, import('./suite.js').RawResult>;
}

declare module 'http-cache-tests/tests/index.mjs' {
  const suites: import('./suite.js').SuiteSection[];
  export default suites;
}

#!/usr/bin/env node
/**
 * The year-ahead pass of `npm test`: the suites that use time run again under libfaketime with the
 * clock a year ahead (`FAKETIME=+365d`, added to an outer relative faketime), so no test can depend on the calendar date. Servers the
 * tests start keep the real clock (test/support/servers.ts strips libfaketime's variables), and so do
 * the shared Redis and MongoDB: the stores must cope with that skew.
 *
 * Left out, to keep the pass short (about 50 s): the conformance suite (30 s on its own), the package
 * suite (builds and packs), the demo and the benchmark scripts' tests. Chromium, started by the
 * browser suite, inherits the faked clock too (its pages read the same year as the tests).
 *
 * Without libfaketime (`apt-get install faketime`) it fails under CI=true and skips, saying so, elsewhere.
 * Env: FAKETIME_LIB, the path of libfaketime.so.1 when it is not in a standard place.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SPECS = ['semantics', 'axios', 'manage', 'stores', 'browser', 'real-servers'].map((suite) => `test/${suite}/**/*.test.ts`).concat('test/year-ahead.check.ts');
const AHEAD_DAYS = 365;

function findLibfaketime() {
  const given = process.env['FAKETIME_LIB'];
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined;
  try {
    // Debian and Ubuntu: the package that `apt-get install faketime` pulls in.
    const listed = execFileSync('dpkg', ['-L', 'libfaketime'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').find((path) => path.endsWith('/libfaketime.so.1'));
    if (listed !== undefined && existsSync(listed)) return listed;
  } catch {
    // no dpkg, or the package is not installed: try the usual places
  }
  return ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1', '/usr/local/lib/faketime/libfaketime.so.1']
    .find((path) => existsSync(path));
}

const lib = findLibfaketime();
if (lib === undefined) {
  const message = 'year-ahead pass: libfaketime not found (apt-get install faketime, or set FAKETIME_LIB)';
  if (process.env['CI'] === 'true') {
    console.error(`${message}: CI must run it`);
    process.exit(1);
  }
  console.warn(`${message}: SKIPPED, the tests did not run with the clock a year ahead`);
  process.exit(0);
}

/**
 * The child's FAKETIME: a year past this process's own clock. Under an outer faketime with a relative offset
 * (`faketime -f '+400d' npm test`), the offsets add up; under an absolute one the whole run already has a fixed,
 * other date, and this pass has nothing to add.
 */
function yearAheadOf(outer) {
  if (outer === undefined || outer.trim() === '') return `+${AHEAD_DAYS}d`;
  const match = /^([+-]\d+(?:\.\d+)?)([smhdy]?)$/.exec(outer.trim());
  if (match === null) return undefined;
  const unitSeconds = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400, y: 31_536_000 }[match[2] ?? ''];
  const seconds = Number(match[1]) * unitSeconds + AHEAD_DAYS * 86_400;
  return `${seconds >= 0 ? '+' : ''}${seconds}`;
}

const fakeTime = yearAheadOf(process.env['FAKETIME']);
if (fakeTime === undefined) {
  console.warn(`year-ahead pass: this run already has a fixed clock (FAKETIME=${process.env['FAKETIME']}); nothing to add`);
  process.exit(0);
}

const realNow = Date.now();
const env = {
  ...process.env,
  LD_PRELOAD: [lib, process.env['LD_PRELOAD']].filter(Boolean).join(' '),
  FAKETIME: fakeTime,
  AHC_YEAR_AHEAD_REAL_NOW: String(realNow),
  AHC_YEAR_AHEAD_DAYS: String(AHEAD_DAYS),
};

// The same mocha options as the first pass (.mocharc.json), with these specs only.
const config = JSON.parse(readFileSync(join(root, '.mocharc.json'), 'utf8'));
const args = ['--no-config'];
for (const [name, value] of Object.entries(config)) {
  if (name === 'spec') continue;
  for (const each of Array.isArray(value) ? value : [value]) args.push(each === true ? `--${name}` : `--${name}=${String(each)}`);
}

console.log(`\nyear-ahead pass: ${SPECS.join(' ')} with FAKETIME=${env.FAKETIME} (${lib})`);
const run = spawnSync(process.execPath, [join(root, 'node_modules/mocha/bin/mocha.js'), ...args, ...SPECS], { cwd: root, env, stdio: 'inherit' });
if (run.error !== undefined) throw run.error;
process.exit(run.status ?? 1);

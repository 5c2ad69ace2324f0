/** Runs contenders against one origin, each in its own process (the suite's runner keeps module state). */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContenderName } from './contenders.js';
import type { ContenderRun } from './report.js';
import type { WorkerOutput } from './worker.js';

export interface RunOptions {
  /** The suite's browser profile (its own `cache` modes reach the cache) instead of the proxy profile. */
  readonly useBrowserCache?: boolean;
  /** Only these test ids (a subset keeps the suite's dependencies only if they are listed too). */
  readonly only?: readonly string[];
  /** Give up on a worker after this long. Default 5 minutes. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;

export function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
  return manifest.version;
}

export function runContender(name: ContenderName, baseUrl: string, options: RunOptions = {}): Promise<ContenderRun> {
  const scratch = mkdtempSync(join(tmpdir(), `cache-tests-${name}-`));
  const outFile = join(scratch, 'results.json');
  const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const args = ['--import', 'tsx', worker, name, baseUrl, outFile];
  if (options.useBrowserCache === true) args.push('--browser');
  if (options.only !== undefined) args.push(`--only=${options.only.join(',')}`);
  return new Promise<ContenderRun>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`conformance worker ${name} failed (${String(code ?? signal)}): ${stderr}`);
        const output = JSON.parse(readFileSync(outFile, 'utf8')) as WorkerOutput;
        resolve({ name, results: output.results, durationMs: output.durationMs });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}

/** Every contender at once: the suite mostly waits (its pauses are 3 s), so they share the CPU well. */
export function runAll(names: readonly ContenderName[], baseUrl: string, options: RunOptions = {}): Promise<ContenderRun[]> {
  return Promise.all(names.map((name) => runContender(name, baseUrl, options)));
}

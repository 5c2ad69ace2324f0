/**
 * Starts the suite's own origin server (http-cache-tests/server/server.mjs) in a child process, on 127.0.0.1 and a
 * free port chosen by the OS, and stops it again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Origin {
  /** `http://127.0.0.1:PORT`, without a trailing slash (the suite appends `/test/...`). */
  readonly baseUrl: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 15_000;

export function serverScriptPath(): string {
  const require = createRequire(import.meta.url);
  return join(require.resolve('http-cache-tests/package.json'), '..', 'server', 'server.mjs');
}

export async function startOrigin(): Promise<Origin> {
  const scratch = mkdtempSync(join(tmpdir(), 'cache-tests-origin-'));
  const preload = fileURLToPath(new URL('./loopback-listen.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--import', preload, serverScriptPath()], {
    // The server reads npm-style config from the environment; port 0 lets the OS pick a free port.
    env: { ...process.env, npm_config_protocol: 'http', npm_config_port: '0', npm_config_pidfile: join(scratch, 'server.pid') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cache-tests origin did not start: ${output}`)), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Listening on http:\/\/[^\s]*:(\d+)\//.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cache-tests origin exited (${String(code)}): ${output}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(scratch, { recursive: true, force: true });
          resolve();
        });
        if (child.exitCode !== null || !child.kill('SIGTERM')) {
          rmSync(scratch, { recursive: true, force: true });
          resolve();
        }
      }),
  };
}

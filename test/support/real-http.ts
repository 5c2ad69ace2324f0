/**
 * Real HTTP origins for test/real-servers: an Express 5 app behind `compression()`, a real nginx serving
 * static files, and raw node:http / node:net servers for faults. Every server listens on 127.0.0.1 on a
 * spare port, belongs to the test that started it and is stopped by it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import compression from 'compression';
import express, { type Express } from 'express';
import nock from 'nock';
import { IN_CI, portAnswers, sparePort } from './servers.js';

/** The axios adapters every real-server suite runs with. */
export const ADAPTERS = ['http', 'fetch'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/**
 * Other suites in the same mocha process load nock, which patches node:http and fetch and may forbid the
 * network. Real-server suites talk to real sockets: call this at the top of a `describe` to switch nock off for
 * its tests and back on afterwards.
 */
export function withoutNock(): void {
  let wasActive = false;
  before(function () {
    wasActive = nock.isActive();
    if (wasActive) nock.restore();
  });
  after(function () {
    if (wasActive) nock.activate();
  });
}

/** A clock the test moves by hand; it starts at the real time, so no test depends on the calendar. */
export class MovableClock {
  constructor(public at = Date.now()) {}
  readonly now = (): number => this.at;
  advance(ms: number): void {
    this.at += ms;
  }
}

/** One request an origin received. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The status the origin answered with, once it has answered (Express and node:http servers). */
  status?: number;
}

/** Requests seen by an origin, with counts per path. */
export class RequestLog {
  readonly seen: SeenRequest[] = [];
  record(method: string, path: string, headers: SeenRequest['headers']): SeenRequest {
    const seen: SeenRequest = { method, path, headers };
    this.seen.push(seen);
    return seen;
  }
  count(path: string): number {
    return this.seen.filter((request) => request.path === path).length;
  }
  for(path: string): SeenRequest[] {
    return this.seen.filter((request) => request.path === path);
  }
}

function listen(server: Server | NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface RunningExpress {
  readonly app: Express;
  readonly url: string;
  readonly log: RequestLog;
  close(): Promise<void>;
}

/**
 * An Express 5 app with `compression({ threshold: 0 })` (so even tiny bodies are gzipped) and Express' default
 * weak ETags, on 127.0.0.1:<spare port>. Add routes to `app` in the test; `log` counts every request by path.
 */
export async function startExpress(): Promise<RunningExpress> {
  const app = express();
  const log = new RequestLog();
  app.use((req, res, next) => {
    const seen = log.record(req.method, req.path, { ...req.headers });
    res.on('finish', () => { seen.status = res.statusCode; });
    next();
  });
  app.use(compression({ threshold: 0 }));
  const server = createHttpServer(app);
  const port = await listen(server);
  return { app, url: `http://127.0.0.1:${port}`, log, close: () => closeHttp(server) };
}

export interface RunningHttp {
  readonly url: string;
  readonly port: number;
  readonly log: RequestLog;
  close(): Promise<void>;
}

/**
 * The path of a request-target as the log counts it. A target such as `//[` (which the property tests send on
 * purpose) is no URL a parser takes: the log must not throw on it, so it falls back to the text before `?`.
 */
function pathOf(target: string): string {
  try {
    return new URL(target, 'http://127.0.0.1').pathname;
  } catch {
    const query = target.indexOf('?');
    return query === -1 ? target : target.slice(0, query);
  }
}

/** A bare node:http server answering with `handler`; `log` counts every request by path (query excluded). */
export async function startNodeHttp(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RunningHttp> {
  const log = new RequestLog();
  const server = createHttpServer((req, res) => {
    const path = pathOf(req.url ?? '/');
    const seen = log.record(req.method ?? 'GET', path, { ...req.headers });
    res.on('finish', () => { seen.status = res.statusCode; });
    handler(req, res);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, log, close: () => closeHttp(server) };
}

/**
 * A raw TCP server for answers node:http cannot produce (lying Content-Length, a reset mid-body): `handler`
 * gets the socket and the request head once it has arrived, and counts as one request per head.
 */
export async function startRawHttp(handler: (socket: Socket, head: string) => void): Promise<RunningHttp> {
  const log = new RequestLog();
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const head = buffered.slice(0, end);
      const [method = 'GET', target = '/'] = (head.split('\r\n')[0] ?? '').split(' ');
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      log.record(method, pathOf(target), headers);
      handler(socket, head);
    };
    socket.on('data', onData);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// --- nginx ------------------------------------------------------------------------------------------------

export const NGINX_BIN = process.env['NGINX_BIN'] ?? '/usr/sbin/nginx';

/** Fails under CI=true, skips locally, when nginx is not installed. Call from a mocha hook with its `this`. */
export function requireNginx(context: Mocha.Context): void {
  if (existsSync(NGINX_BIN)) return;
  const message = `nginx is not installed at ${NGINX_BIN} (apt-get install nginx-light; .ci/run does it)`;
  if (IN_CI) throw new Error(`CI=true but ${message}: real-server tests must run, not skip, in CI`);
  process.stderr.write(`    skipping: ${message}\n`);
  context.skip();
}

export interface NginxOptions {
  /** Files to serve, by path under the document root. */
  readonly files: Readonly<Record<string, string>>;
  /** Directives inside `location / { ... }`, such as `add_header Cache-Control "public, max-age=1";`. */
  readonly location?: string;
}

export interface RunningNginx {
  readonly url: string;
  /** Requests nginx has logged for `path` (every earlier request is logged by the time it resolves). */
  count(path: string): Promise<number>;
  /** The logged lines for `path`: `METHOD uri status "if-none-match" "cache-control"`. */
  lines(path: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * A private nginx (`nginx -p <tmp> -c <conf> -g 'daemon off;'`) with gzip and ETags on, serving `files` from a
 * temp dir on a spare loopback port. Requests are counted from its access log.
 */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'ahc-nginx-'));
  const root = join(dir, 'www');
  await mkdir(root, { recursive: true });
  for (const [path, content] of Object.entries(options.files)) {
    const file = join(root, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    await chmod(file, 0o644);
  }
  // Worker processes may run as another user (nobody) when the master is root: let them read the files.
  await chmod(dir, 0o755);
  await chmod(root, 0o755);
  const port = await sparePort();
  const accessLog = join(dir, 'access.log');
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  types { text/plain txt; application/json json; text/html html; application/javascript js; text/css css; }
  default_type application/octet-stream;
  log_format counted '$request_method $uri $status "$http_if_none_match" "$http_cache_control"';
  access_log ${accessLog} counted;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  gzip on;
  gzip_vary on;
  gzip_types *;
  gzip_min_length 1;
  etag on;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
      ${options.location ?? ''}
    }
    location /__mark/ { return 204; }
  }
}
`);
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await portAnswers('127.0.0.1', port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not start on 127.0.0.1:${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = `http://127.0.0.1:${port}`;
  let marks = 0;
  const lines = async (path: string): Promise<string[]> => {
    // A marker request, logged after every request answered before it; wait for its line, then read.
    marks += 1;
    const marker = `/__mark/${marks}`;
    await new Promise<void>((resolve, reject) => {
      httpRequest(`${url}${marker}`, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject).end();
    });
    for (let tries = 0; tries < 200; tries += 1) {
      const text = existsSync(accessLog) ? await readFile(accessLog, 'utf8') : '';
      const all = text.split('\n');
      if (all.some((line) => line.startsWith(`GET ${marker} `))) return all.filter((line) => line.split(' ')[1] === path);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`nginx never logged ${marker}`);
  };
  return { url, lines, count: async (path) => (await lines(path)).length, stop };
}

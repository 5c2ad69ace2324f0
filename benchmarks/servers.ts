/**
 * The servers a run needs: a local HTTP origin (always, in this process), and Redis and a
 * MongoDB-compatible server when they can be found or started. Servers the machine already runs are
 * used as they are (never flushed); servers this run starts are stopped at its end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BodyCase } from './bodies.js';
import { sharedRedisCluster, startPrivateRedisCluster, type RedisClusterHandle } from '../test/support/redis-cluster.js';
import { portAnswers, startPrivateFerretDb, startPrivateRedis, type PrivateServer } from '../test/support/servers.js';

export interface Origin {
  readonly baseUrl: string;
  /** Requests the origin received for a path whose query names its run (`?run=`); other requests are not counted. */
  count(pathWithQuery: string): number;
  close(): Promise<void>;
}

/**
 * Routes: `/data/<case>` (fresh for an hour), `/etag/<case>` (`no-cache` with an ETag: every reuse is a
 * 304 revalidation), `/slow/<case>` (as `/data`, answered after 20 ms, for the concurrency check).
 */
export async function startOrigin(cases: readonly BodyCase[]): Promise<Origin> {
  const byId = new Map(cases.map((body) => [body.id, body]));
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const pathWithQuery = req.url ?? '/';
    const [, route = '', caseId = ''] = (pathWithQuery.split('?')[0] ?? '').split('/');
    // Only the rows that read a count (they name their run: `?run=`) are counted: the miss and bare rows ask for a new
    // URL every time, and a count per URL would grow a Map by one entry per request, the whole run long, in the
    // process every row is measured in.
    if (pathWithQuery.includes('?run=')) counts.set(pathWithQuery, (counts.get(pathWithQuery) ?? 0) + 1);
    const body = byId.get(caseId);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const etag = '"v1"';
    if (route === 'etag') {
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': 'no-cache' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': body.contentType, etag, 'cache-control': 'no-cache' }).end(body.body);
      return;
    }
    const send = (): void => {
      res.writeHead(200, { 'content-type': body.contentType, etag, 'cache-control': 'public, max-age=3600' }).end(body.body);
    };
    if (route === 'slow') setTimeout(send, 20);
    else if (route === 'data') send();
    else res.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    count: (pathWithQuery) => counts.get(pathWithQuery) ?? 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A server URL to use, or why there is none. */
export type ServerChoice = { readonly url: string; readonly owned?: PrivateServer } | { readonly skipped: string };

async function answers(url: string, defaultPort: number): Promise<boolean> {
  const parsed = new URL(url);
  return portAnswers(parsed.hostname.replace(/^\[|\]$/g, ''), Number(parsed.port || defaultPort));
}

/** REDIS_URL, else 127.0.0.1:6379 if it answers, else a private redis-server if one can be started. */
export async function findRedis(): Promise<ServerChoice> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  if (await answers(url, 6379)) return { url };
  const owned = await startPrivateRedis().catch(() => undefined);
  if (owned !== undefined) return { url: owned.url, owned };
  return { skipped: `no Redis answers at ${url} and no redis-server could be started (apt-get install -y redis-server, or set REDIS_URL)` };
}

/**
 * MONGODB_URL if set and answering; else a private FerretDB (the binary `.ci/run` builds) on a spare
 * port, so the run never shares a database with tests.
 */
export async function findMongo(): Promise<ServerChoice> {
  const url = process.env['MONGODB_URL'];
  if (url !== undefined && (await answers(url, 27017))) return { url };
  const owned = await startPrivateFerretDb().catch(() => undefined);
  if (owned !== undefined) return { url: owned.url, owned };
  return { skipped: 'no MongoDB-compatible server (set MONGODB_URL, or build FerretDB as .ci/run does into ~/.cache/axios-http-cache/ferretdb)' };
}

/**
 * A Redis Cluster for the multi-process rows: the one REDIS_CLUSTER_NODES names (.ci/run starts it), else a private
 * 3-master cluster on spare ports (dispose it after the run), else why there is none. `handle.nodes` are the startup
 * nodes another process passes to `new Cluster(...)`.
 */
export async function findRedisCluster(): Promise<{ readonly handle: RedisClusterHandle } | { readonly skipped: string }> {
  const shared = sharedRedisCluster();
  if (shared !== undefined) return { handle: shared };
  const started = await startPrivateRedisCluster().catch(() => undefined);
  if (started !== undefined) return { handle: started };
  return { skipped: 'no Redis Cluster (set REDIS_CLUSTER_NODES=host:port,..., or install redis-server and redis-cli so a private one can start)' };
}

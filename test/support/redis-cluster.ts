/**
 * A real Redis Cluster for the tests (and the benchmark): three masters, no replicas, on loopback.
 *
 * `sharedRedisCluster()` uses the cluster `.ci/run` starts (REDIS_CLUSTER_NODES=127.0.0.1:p1,127.0.0.1:p2,...);
 * without it, `startPrivateRedisCluster()` starts one on spare ports (each node's data and nodes.conf in a temp dir
 * of its own) and `dispose()` stops it. Under CI=true a missing REDIS_CLUSTER_NODES fails (see `missingServer`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { IN_CI, missingServer, onPath, PrivateServer, realClockEnv, sparePort } from './servers.js';

const run = promisify(execFile);

/** ioredis Cluster options, as its constructor takes them. */
export type ClientOptions = NonNullable<ConstructorParameters<typeof Cluster>[1]>;

export interface ClusterNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** A running cluster: its masters' addresses, and the processes when this run started them. */
export interface RedisClusterHandle {
  readonly nodes: readonly ClusterNodeAddress[];
  /** The node processes, when this run owns them (a private cluster); undefined for the shared one. */
  readonly servers: readonly PrivateServer[] | undefined;
  /** A new ioredis Cluster client of the cluster (the caller quits it). */
  client(options?: ClientOptions): Cluster;
  /** Stops the nodes this run started (nothing for the shared cluster). */
  dispose(): Promise<void>;
}

/** Parses `127.0.0.1:7000,127.0.0.1:7001` into addresses; undefined when the variable is unset or empty. */
export function parseClusterNodes(value: string | undefined): ClusterNodeAddress[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((part) => {
    const [host = '', port = ''] = part.trim().split(':');
    if (host === '' || !/^\d+$/.test(port)) throw new Error(`REDIS_CLUSTER_NODES: "${part}" is not host:port`);
    return { host, port: Number(port) };
  });
}

function handle(nodes: readonly ClusterNodeAddress[], servers: readonly PrivateServer[] | undefined, dirs: readonly string[]): RedisClusterHandle {
  return {
    nodes,
    servers,
    client: (options = {}) => new Cluster(nodes.map(({ host, port }) => ({ host, port })), { maxRedirections: 32, ...options }),
    async dispose() {
      for (const server of servers ?? []) await server.stop();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The cluster named by REDIS_CLUSTER_NODES, if set (it is not stopped by `dispose()`). */
export function sharedRedisCluster(): RedisClusterHandle | undefined {
  const nodes = parseClusterNodes(process.env['REDIS_CLUSTER_NODES']);
  return nodes === undefined ? undefined : handle(nodes, undefined, []);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once every node answers `cluster_state:ok` (the slots are all assigned and agreed). */
export async function waitClusterOk(nodes: readonly ClusterNodeAddress[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const clients = nodes.map(({ host, port }) => new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0 }));
  try {
    for (;;) {
      const states = await Promise.all(clients.map((client) => client.cluster('INFO').then(String).catch(() => '')));
      if (states.every((info) => /cluster_state:ok/.test(info))) return;
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not reach cluster_state:ok within ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    for (const client of clients) client.disconnect();
  }
}

/**
 * Starts `masters` redis-server nodes with cluster mode on spare loopback ports (their cluster bus on spare ports too,
 * `cluster-port`, so a high port never overflows port+10000), joins them with `redis-cli --cluster create`, and waits
 * for `cluster_state:ok`. Undefined when redis-server or redis-cli is missing.
 */
export async function startPrivateRedisCluster(masters = 3): Promise<RedisClusterHandle | undefined> {
  if (!onPath('redis-server') || !onPath('redis-cli')) return undefined;
  const servers: PrivateServer[] = [];
  const dirs: string[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const [port, busPort] = [await sparePort(), await sparePort()];
      const dir = await mkdtemp(join(tmpdir(), 'ahc-cluster-'));
      dirs.push(dir);
      const server = new PrivateServer(`private cluster node ${i + 1}`, port, `redis://127.0.0.1:${port}`, 'redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-port', String(busPort),
        '--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir, '--save', '', '--appendonly', 'no',
        '--cluster-node-timeout', '2000',
      ]);
      servers.push(server);
      await server.start();
    }
  } catch (error) {
    await handle([], servers, dirs).dispose();
    throw error;
  }
  const nodes = servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  try {
    await run('redis-cli', ['--cluster', 'create', ...nodes.map(({ host, port }) => `${host}:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { env: realClockEnv() });
    await waitClusterOk(nodes);
  } catch (error) {
    await handle(nodes, servers, dirs).dispose();
    throw error;
  }
  return handle(nodes, servers, dirs);
}

/** Moves `slots` hash slots from the node owning `fromSlot`'s slot to another master with `redis-cli --cluster reshard`. */
export async function reshard(nodes: readonly ClusterNodeAddress[], fromId: string, toId: string, slots: number): Promise<void> {
  const [first] = nodes;
  if (first === undefined) throw new Error('reshard: no nodes');
  await run('redis-cli', ['--cluster', 'reshard', `${first.host}:${first.port}`, '--cluster-from', fromId, '--cluster-to', toId,
    '--cluster-slots', String(slots), '--cluster-yes', '--cluster-pipeline', '10'], { env: realClockEnv() });
}

/** The node ids of the masters, in the order of `nodes`. */
export async function masterIds(nodes: readonly ClusterNodeAddress[]): Promise<string[]> {
  return Promise.all(nodes.map(async ({ host, port }) => {
    const client = new Redis({ host, port });
    try {
      return String(await client.cluster('MYID'));
    } finally {
      client.disconnect();
    }
  }));
}

/**
 * The cluster a test suite uses: the shared one (REDIS_CLUSTER_NODES), else a private one started here (dispose it
 * after). Under CI=true a missing REDIS_CLUSTER_NODES fails the suite, since .ci/run starts the cluster; elsewhere a
 * machine without redis-server skips it, saying what to do.
 */
export async function clusterForTests(context: Mocha.Context): Promise<RedisClusterHandle> {
  const shared = sharedRedisCluster();
  if (shared !== undefined) return shared;
  if (IN_CI) throw new Error('CI=true but REDIS_CLUSTER_NODES is not set: .ci/run starts a 3-master Redis Cluster and exports it; store tests must run, not skip, in CI.');
  context.timeout(60_000);
  const started = await startPrivateRedisCluster();
  if (started === undefined) missingServer(context, 'redis-server and redis-cli (for a private Redis Cluster)');
  return started;
}

/** A private cluster for a test that stops nodes or moves slots; skips (or, under CI=true, fails) without redis-server. */
export async function privateClusterForTests(context: Mocha.Context): Promise<RedisClusterHandle> {
  context.timeout(60_000);
  const started = await startPrivateRedisCluster();
  if (started === undefined) missingServer(context, 'redis-server and redis-cli (for a private Redis Cluster)');
  return started;
}

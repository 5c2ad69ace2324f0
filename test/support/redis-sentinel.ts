/**
 * A real Sentinel set-up for the failover tests: one master, one replica and three sentinels, all redis-server
 * processes on spare loopback ports, each with a data dir (and, for sentinels, the config file they rewrite) in a temp
 * dir of its own. `dispose()` stops them all.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { missingServer, onPath, PrivateServer, sparePort } from './servers.js';

export const SENTINEL_MASTER_NAME = 'ahc-master';

export interface SentinelSetup {
  readonly master: PrivateServer;
  readonly replica: PrivateServer;
  readonly sentinels: readonly PrivateServer[];
  /** `sentinels` option of an ioredis client. */
  readonly sentinelAddresses: ReadonlyArray<{ host: string; port: number }>;
  /** The port of the master the sentinels name now. */
  currentMasterPort(): Promise<number>;
  dispose(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function redisServer(what: string, extra: readonly string[], dirs: string[]): Promise<PrivateServer> {
  const port = await sparePort();
  const dir = await mkdtemp(join(tmpdir(), 'ahc-sentinel-'));
  dirs.push(dir);
  const server = new PrivateServer(what, port, `redis://127.0.0.1:${port}`, 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra]);
  await server.start();
  return server;
}

async function sentinel(index: number, masterPort: number, dirs: string[]): Promise<PrivateServer> {
  const port = await sparePort();
  const dir = await mkdtemp(join(tmpdir(), 'ahc-sentinel-'));
  dirs.push(dir);
  const config = join(dir, 'sentinel.conf');
  await writeFile(config, [
    `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
    `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
    `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
    `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`, '',
  ].join('\n'));
  const server = new PrivateServer(`sentinel ${index}`, port, `redis://127.0.0.1:${port}`, 'redis-server', [config, '--sentinel']);
  await server.start();
  return server;
}

/** Resolves once `check` answers true, polling every 100 ms; rejects after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Asks one node `command`, on a short-lived connection. */
export async function ask(port: number, ...command: [string, ...string[]]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    return await client.call(...command);
  } finally {
    client.disconnect();
  }
}

/**
 * Starts master, replica (synced) and three sentinels that agree on the master and see the replica. Skips the test
 * (or, under CI=true, fails it) without redis-server.
 */
export async function startSentinelSetup(context: Mocha.Context): Promise<SentinelSetup> {
  context.timeout(60_000);
  if (!onPath('redis-server')) missingServer(context, 'redis-server (for a private Sentinel set-up)');
  const dirs: string[] = [];
  const servers: PrivateServer[] = [];
  const dispose = async (): Promise<void> => {
    for (const server of servers.reverse()) await server.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  };
  try {
    const master = await redisServer('sentinel set-up master', [], dirs);
    servers.push(master);
    const replica = await redisServer('sentinel set-up replica', ['--replicaof', '127.0.0.1', String(master.port)], dirs);
    servers.push(replica);
    await until(async () => /master_link_status:up/.test(String(await ask(replica.port, 'INFO', 'replication'))), 'the replica syncing');
    const sentinels: PrivateServer[] = [];
    for (let i = 1; i <= 3; i++) {
      const started = await sentinel(i, master.port, dirs);
      sentinels.push(started);
      servers.push(started);
    }
    const currentMasterPort = async (): Promise<number> => {
      const answer = await ask(sentinels[0]?.port ?? 0, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME);
      return Number((answer as string[])[1]);
    };
    await until(async () => {
      const states = await Promise.all(sentinels.map((one) => ask(one.port, 'SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME)));
      const sentinelsSeen = await ask(sentinels[0]?.port ?? 0, 'SENTINEL', 'SENTINELS', SENTINEL_MASTER_NAME);
      return states.every((replicas) => Array.isArray(replicas) && replicas.length === 1) && Array.isArray(sentinelsSeen) && sentinelsSeen.length === 2;
    }, 'the sentinels finding the replica and each other');
    return {
      master, replica, sentinels,
      sentinelAddresses: sentinels.map((one) => ({ host: '127.0.0.1', port: one.port })),
      currentMasterPort,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

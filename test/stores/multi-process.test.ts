import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { RedisStore } from '../../lib/stores/redis.js';
import { missingServer, sharedMongoUrl, sharedRedisUrl, startPrivateFerretDb, uniqueName } from '../support/servers.js';
import type { PrivateServer } from '../support/servers.js';

const root = resolve(import.meta.dirname, '../..');

/** One GET through attachCache in a new Node process; resolves how the cache answered it. */
async function getInAnotherProcess(kind: 'redis' | 'mongodb', serverUrl: string, namespace: string, url: string): Promise<{ status: string; n: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/cached-get.ts', kind, serverUrl, namespace, url], { cwd: root });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { status: string; n: number };
}

describe('several processes sharing one store share hits', function () {
  this.timeout(60_000);
  let origin: Server;
  let originUrl: string;
  let originRequests = 0;

  before(async () => {
    origin = createServer((_req, res) => {
      originRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify({ n: originRequests }));
    });
    await new Promise<void>((done) => origin.listen(0, '127.0.0.1', done));
    originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((done) => origin.close(() => done())));

  it('answers a second process from what a first process stored in Redis', async function () {
    const redisUrl = await sharedRedisUrl();
    if (redisUrl === undefined) missingServer(this, 'Redis (REDIS_URL or 127.0.0.1:6379)');
    const before = originRequests;
    const namespace = uniqueName('ahc-multiprocess');
    const first = await getInAnotherProcess('redis', redisUrl, namespace, `${originUrl}/redis`);
    const second = await getInAnotherProcess('redis', redisUrl, namespace, `${originUrl}/redis`);
    const cleanup = new RedisStore({ url: redisUrl, prefix: namespace });
    await cleanup.clear();
    await cleanup.close();
    expect(first.status).to.equal('miss');
    expect(second).to.deep.equal({ status: 'hit', n: first.n });
    expect(originRequests - before).to.equal(1);
  });

  it('answers a second process from what a first process stored in MongoDB', async function () {
    let mongoUrl = await sharedMongoUrl();
    let privateServer: PrivateServer | undefined;
    if (mongoUrl === undefined) {
      privateServer = await startPrivateFerretDb();
      if (privateServer === undefined) missingServer(this, 'a MongoDB-compatible server (MONGODB_URL or FerretDB)');
      mongoUrl = privateServer.url;
    }
    const namespace = uniqueName('ahc_multiprocess').replace(/[^a-zA-Z0-9_]/g, '_');
    try {
      const before = originRequests;
      const first = await getInAnotherProcess('mongodb', mongoUrl, namespace, `${originUrl}/mongo`);
      const second = await getInAnotherProcess('mongodb', mongoUrl, namespace, `${originUrl}/mongo`);
      expect(first.status).to.equal('miss');
      expect(second).to.deep.equal({ status: 'hit', n: first.n });
      expect(originRequests - before).to.equal(1);
    } finally {
      const client = new MongoClient(mongoUrl);
      await client.db(namespace).dropDatabase().finally(() => client.close());
      await privateServer?.stop();
    }
  });
});

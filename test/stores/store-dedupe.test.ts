// dedupe: 'store' with real processes: worker processes (test/support/dedupe-worker.ts) share a RedisStore, then a
// MongoStore (FerretDB), then one SqliteStore file, and call one origin, an HTTP server in this process on 127.0.0.1.
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { RedisStore } from '../../lib/stores/redis.js';
import { WorkerGroup } from '../support/dedupe-workers.js';
import type { WorkerReport, WorkerTask } from '../support/dedupe-workers.js';
import { missingServer, sharedMongoUrl, sharedRedisUrl, startPrivateFerretDb, uniqueName } from '../support/servers.js';
import type { PrivateServer } from '../support/servers.js';

/** An origin on 127.0.0.1 that counts requests and lets each test answer them its own way. */
class Origin {
  requests = 0;
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_req, res) => res.end();
  private readonly server: Server = createServer((req, res) => {
    this.requests += 1;
    this.handler(req, res, this.requests);
  });

  async start(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

const answerLater = (delayMs: number, headers: Record<string, string>) => (_req: IncomingMessage, res: ServerResponse, n: number): void => {
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ n }));
  }, delayMs);
};

/** How the workers' requests were answered, summed over the workers. */
function outcomesOf(reports: ReadonlyArray<WorkerReport | undefined>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const report of reports) for (const [outcome, n] of Object.entries(report?.outcomes ?? {})) sum[outcome] = (sum[outcome] ?? 0) + n;
  return sum;
}

interface Backend {
  readonly kind: WorkerTask['kind'];
  /** What the processes share, for the suite's title. */
  readonly title: string;
  /** The server's URL, or undefined (the suite then fails under CI, skips otherwise). */
  url(): Promise<string | undefined>;
  readonly what: string;
  namespace(): string;
  cleanUp(url: string, namespace: string): Promise<void>;
  readonly unreachableUrl: string;
}

let privateFerret: PrivateServer | undefined;

const backends: readonly Backend[] = [
  {
    kind: 'redis',
    title: 'a RedisStore',
    what: 'Redis (REDIS_URL or 127.0.0.1:6379)',
    url: sharedRedisUrl,
    namespace: () => uniqueName('ahc-lease'),
    cleanUp: async (url, namespace) => {
      const store = new RedisStore({ url, prefix: namespace });
      await store.clear();
      await store.close();
    },
    unreachableUrl: 'redis://127.0.0.1:1',
  },
  {
    kind: 'mongodb',
    title: 'a MongoStore',
    what: 'a MongoDB-compatible server (MONGODB_URL or FerretDB)',
    url: async () => {
      const shared = await sharedMongoUrl();
      if (shared !== undefined) return shared;
      privateFerret ??= await startPrivateFerretDb();
      return privateFerret?.url;
    },
    namespace: () => uniqueName('ahc_lease').replace(/[^a-zA-Z0-9_]/g, '_'),
    cleanUp: async (url, namespace) => {
      const client = new MongoClient(url);
      await client.db(namespace).dropDatabase().finally(() => client.close());
    },
    unreachableUrl: 'mongodb://127.0.0.1:1/',
  },
  {
    kind: 'sqlite',
    title: 'one SqliteStore file',
    what: 'a directory for SQLite files',
    // The "server" is a directory; each test's namespace is a file in it, removed after the test.
    url: () => {
      const dir = join(tmpdir(), 'ahc-dedupe-sqlite');
      mkdirSync(dir, { recursive: true });
      return Promise.resolve(dir);
    },
    namespace: () => uniqueName('cache'),
    cleanUp: (dir, namespace) => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `${namespace}.db${suffix}`), { force: true });
      return Promise.resolve();
    },
    unreachableUrl: join(tmpdir(), 'ahc-no-such-directory', 'nested'),
  },
];

for (const backend of backends) {
  describe(`dedupe: 'store' across processes sharing ${backend.title}`, function () {
    this.timeout(90_000);
    const origin = new Origin();
    let originUrl = '';
    let serverUrl = '';
    let namespace = '';
    let group: WorkerGroup | undefined;

    before(async function () {
      const url = await backend.url();
      if (url === undefined) missingServer(this, backend.what);
      serverUrl = url;
      originUrl = await origin.start();
    });

    beforeEach(() => {
      namespace = backend.namespace();
      origin.requests = 0;
    });

    afterEach(async () => {
      group?.killAll();
      group = undefined;
      if (serverUrl !== '') await backend.cleanUp(serverUrl, namespace);
    });

    after(async () => {
      await origin.stop();
      await privateFerret?.stop();
      privateFerret = undefined;
    });

    const tasks = (workers: number, concurrent: number, leaseMs: number, path: string): WorkerTask[] =>
      Array.from({ length: workers }, () => ({ kind: backend.kind, serverUrl, namespace, url: `${originUrl}${path}`, concurrent, leaseMs }));

    it('sends exactly one origin request for 4 processes x 50 concurrent identical cold requests', async () => {
      origin.handler = answerLater(200, { 'cache-control': 'max-age=300' });
      group = await WorkerGroup.start(tasks(4, 50, 5000, '/cold'));
      group.go();
      expect(outcomesOf(await group.reports())).to.deep.equal({ miss: 50, hit: 150 });
      expect(origin.requests).to.equal(1);
    });

    it('sends exactly one origin request when the origin takes three times the lease: the leader renews it while it waits', async () => {
      origin.handler = answerLater(1500, { 'cache-control': 'max-age=300' });
      group = await WorkerGroup.start(tasks(4, 10, 500, '/slow'));
      group.go();
      expect(outcomesOf(await group.reports())).to.deep.equal({ miss: 10, hit: 30 });
      expect(origin.requests).to.equal(1);
    });

    it('answers every caller when the leader is killed mid-request, having renewed its lease: another process goes once the lease has run out', async () => {
      const leaseMs = 1500;
      let leader: number | undefined;
      origin.handler = (req, res, n) => {
        if (n === 1) {
          // The first process to ask dies before it is answered, after renewing its lease twice: the lease stays behind
          // until it runs out.
          leader = Number(req.headers['x-worker']);
          setTimeout(() => group?.kill(leader ?? 0), leaseMs * 0.8);
          return;
        }
        answerLater(20, { 'cache-control': 'max-age=300' })(req, res, n);
      };
      group = await WorkerGroup.start(tasks(4, 50, leaseMs, '/killed'));
      group.go();
      const reports = await group.reports();
      const survivors = reports.filter((report): report is WorkerReport => report !== undefined);
      expect(leader).to.be.a('number');
      expect(survivors.map((report) => report.pid)).to.not.include(leader);
      expect(survivors).to.have.length(3);
      const outcomes = outcomesOf(survivors);
      expect(Object.keys(outcomes).filter((outcome) => outcome.startsWith('failed'))).to.deep.equal([]);
      expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).to.equal(150);
      // One request died with the leader; after the lease, at most one more per waiting process.
      expect(origin.requests).to.be.within(2, 4);
      for (const report of survivors) expect(report.elapsedMs).to.be.within(leaseMs - 200, leaseMs + 10_000);
    });

    it('sends the waiting processes to the origin at once when the answer is not storable (the leader hands its lease on)', async () => {
      origin.handler = answerLater(300, { 'cache-control': 'no-store' });
      const leaseMs = 20_000;
      group = await WorkerGroup.start(tasks(4, 10, leaseMs, '/no-store'));
      group.go();
      const reports = await group.reports();
      expect(outcomesOf(reports)).to.deep.equal({ miss: 40 });
      // Each process asks the origin once (its own callers share that call), none after waiting out the lease.
      expect(origin.requests).to.equal(4);
      for (const report of reports) expect(report?.elapsedMs).to.be.below(leaseMs / 2);
    });

    it('answers every request, with an error event, when the store cannot be reached', async () => {
      origin.handler = answerLater(50, { 'cache-control': 'max-age=300' });
      group = await WorkerGroup.start([{ ...tasks(1, 20, 5000, '/unreachable')[0]!, serverUrl: backend.unreachableUrl, storeTimeoutMs: 300 }]);
      group.go();
      const [report] = await group.reports();
      expect(report?.outcomes).to.deep.equal({ miss: 20 });
      // The first failure is reported (a read or the lease); then the store is left alone for a moment, and the lease
      // is skipped with it.
      expect(report?.errorEvents).to.not.have.length(0);
      expect(origin.requests).to.equal(1); // still one request: de-duplicated within the process
    });
  });
}

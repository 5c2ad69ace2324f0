import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisStore } from '../../lib/stores/redis.js';
import { ask, SENTINEL_MASTER_NAME, startSentinelSetup, until, type SentinelSetup } from '../support/redis-sentinel.js';
import { uniqueName } from '../support/servers.js';
import { makeRecord } from './fixtures.js';

describe('RedisStore behind Sentinel (1 master, 1 replica, 3 sentinels) during a failover', function () {
  this.timeout(120_000);
  let setup: SentinelSetup;

  before(async function () {
    setup = await startSentinelSetup(this);
  });

  after(async function () {
    await setup?.dispose();
  });

  it('never reports a delete() done that the failover then undoes, with waitForReplicas: 1 and failoverDetector', async function () {
    const client = new Redis({
      sentinels: [...setup.sentinelAddresses], name: SENTINEL_MASTER_NAME,
      failoverDetector: true, maxRetriesPerRequest: 2,
    });
    client.on('error', () => undefined); // the failover drops connections; the store's callers see the rejections
    const prefix = uniqueName('ahc-sentinel');
    const store = new RedisStore({ client, prefix, waitForReplicas: 1, waitTimeoutMs: 300 });
    try {
      const now = Date.now();
      const keys = Array.from({ length: 400 }, (_, i) => `k${i}`);
      for (const key of keys) await store.set(key, makeRecord(key, now), now + 600_000);
      const oldMaster = await setup.currentMasterPort();
      await until(async () => /slave0:.*offset=(\d+)/.test(String(await ask(oldMaster, 'INFO', 'replication'))), 'the replica acknowledging the writes');

      const resolved: string[] = [];
      const rejected: string[] = [];
      let failover: Promise<unknown> | undefined;
      for (const [i, key] of keys.entries()) {
        if (i === 20) failover = ask(setup.sentinels[0]?.port ?? 0, 'SENTINEL', 'FAILOVER', SENTINEL_MASTER_NAME);
        // Deletions run one after another, as a stream of invalidations would, across the whole failover.
        await store.delete(key).then(() => resolved.push(key), () => rejected.push(key));
        if (i > 20 && i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await failover;
      await until(async () => (await setup.currentMasterPort()) !== oldMaster, 'the sentinels naming the new master');
      const newMaster = await setup.currentMasterPort();
      // The demoted master follows the new one: let it resync, so the check below reads the settled state.
      await until(async () => /role:slave[\s\S]*master_link_status:up/.test(String(await ask(oldMaster, 'INFO', 'replication'))), 'the old master following the new one');

      const check = new Redis({ host: '127.0.0.1', port: newMaster });
      try {
        const undone: string[] = [];
        for (const key of resolved) if ((await check.exists(`${prefix}:${key}`)) === 1) undone.push(key);
        expect(undone, `deletions reported done, then undone by the failover (${resolved.length} resolved, ${rejected.length} rejected)`).to.deep.equal([]);
        expect(resolved.length, 'most deletions still succeed around a failover').to.be.above(keys.length / 2);
      } finally {
        await check.unlink(...keys.map((key) => `${prefix}:${key}`));
        check.disconnect();
      }
    } finally {
      client.disconnect();
    }
  });

  it('rejects a delete() with too few replica acknowledgements instead of reporting it done', async function () {
    const port = await setup.currentMasterPort();
    const client = new Redis({ host: '127.0.0.1', port });
    const store = new RedisStore({ client, prefix: uniqueName('ahc-wait'), waitForReplicas: 2, waitTimeoutMs: 100 });
    try {
      const error = await store.delete('a').then(() => undefined, (reason: unknown) => reason as Error);
      expect(error?.message).to.match(/acknowledged by 1 of 2 replicas within 100 ms \(option waitForReplicas\)/);
    } finally {
      client.disconnect();
    }
  });
});

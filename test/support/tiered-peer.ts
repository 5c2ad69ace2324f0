// Another process for the TieredStore tests: `node --import tsx test/support/tiered-peer.ts <redis url> <prefix> <key>`
// holds <key> in its near tier and reports, one line each, what it holds ("held <text>"), when a change heard on the
// channel drops it ("dropped"), and a read that finds nothing ("miss", then it exits).
import { Redis } from 'ioredis';
import { RedisStore } from '../../lib/stores/redis.js';
import { TieredStore } from '../../lib/stores/tiered.js';

const [url, prefix, key] = process.argv.slice(2);
if (!url || !prefix || !key) throw new Error('usage: tiered-peer.ts <redis url> <prefix> <key>');
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const client = new Redis(url);
const store = new TieredStore({ far: new RedisStore({ client, prefix }), nearMaxAgeMs: 60_000 });
while (!store.listening) await sleep(5);
for (;;) {
  const record = await store.get(key);
  if (record === undefined) break;
  console.log(`held ${record.body.type === 'text' ? record.body.text : 'bytes'}`);
  await new Promise((turn) => setImmediate(turn)); // a far read fills the near tier on the event loop's next turn
  while (store.peekSync(key) !== undefined) await sleep(1);
  console.log('dropped');
}
console.log('miss');
await store.close();
await client.quit();

// A separate process writing into one SQLite cache file, for the multi-process and kill tests and the benchmark:
// `node --import tsx test/support/sqlite-writer.ts <path> <key prefix> <count, or 0 for until killed> [body bytes]`.
// Writes `<prefix>-<i>` for i = 0, 1, ... through SqliteStore, one write at a time; prints `wrote <n>` after every
// 50 writes, and at the end one JSON line: { written, errors } (errors: the messages of failed writes).
import { SqliteStore } from '../../lib/stores/sqlite.js';
import { makeRecord } from '../stores/fixtures.js';

const [path, prefix, countText, bodyText] = process.argv.slice(2);
if (path === undefined || prefix === undefined || countText === undefined) throw new Error('usage: sqlite-writer.ts <path> <key prefix> <count | 0> [body bytes]');
const count = Number(countText);
const body = 'x'.repeat(Number(bodyText ?? 200));
const store = new SqliteStore({ path, maxEntries: 1_000_000, maxBytes: 2 ** 40, maxEntryBytes: 2 ** 30 });
await store.ready();
const errors: string[] = [];
let written = 0;
for (let i = 0; count === 0 || i < count; i++) {
  const key = `${prefix}-${i}`;
  const now = Date.now();
  try {
    await store.set(key, makeRecord(key, now, { body: { type: 'text', text: `${key} ${body}` }, tags: [prefix], expiresAt: now + 3_600_000 }), now + 3_600_000);
    written += 1;
  } catch (error) {
    errors.push(error instanceof Error ? `${(error as { code?: unknown }).code as string}: ${error.message}` : String(error));
  }
  if (written % 50 === 0) console.log(`wrote ${written}`);
}
await store.close();
console.log(JSON.stringify({ written, errors }));

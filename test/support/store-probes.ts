/** Probes the store tests share: everything a store holds, and what every operation answers after close(). */
import { expect } from 'chai';
import { StoreClosedError } from '../../lib/errors.js';
import type { CacheStore } from '../../lib/index.js';
import { makeRecord } from '../stores/fixtures.js';

/** Everything a store holds, as one string, for "does this secret appear anywhere" checks. */
export async function everythingIn(store: CacheStore): Promise<string> {
  const parts: string[] = [];
  for await (const key of store.keys!()) {
    parts.push(key);
    const record = await store.get(key);
    parts.push(JSON.stringify(record, (_name, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value)));
  }
  return parts.join('\n');
}

type ClosableStore = Required<Pick<CacheStore, 'clear' | 'count' | 'size' | 'keys' | 'entries'>> & CacheStore & { close(): Promise<void> };

/** Closes `store` twice (harmless), then asserts that every operation (and `extra` ones) rejects with ECACHE_CLOSED naming it. */
export async function expectClosedEverywhere(store: ClosableStore, name: string, now: number, extra: ReadonlyArray<() => unknown> = []): Promise<void> {
  await store.set('a', makeRecord('a', now), now + 60_000);
  await store.close();
  await store.close(); // a second close() is harmless
  const failures = await Promise.all(
    [
      () => store.get('a'),
      () => store.set('b', makeRecord('b', now), now + 60_000),
      () => store.delete('a'),
      () => store.clear(),
      () => store.count(),
      () => store.size(),
      ...extra,
      () => store.keys()[Symbol.asyncIterator]().next(),
      () => store.entries()[Symbol.asyncIterator]().next(),
    ].map((operation) => Promise.resolve().then(operation).then(() => undefined, (reason: unknown) => reason)),
  );
  for (const [i, failure] of failures.entries()) {
    expect(failure, `operation ${i}`).to.be.instanceOf(StoreClosedError);
    expect(failure).to.include({ code: 'ECACHE_CLOSED', store: name });
  }
  expect((failures[0] as Error).message).to.match(new RegExp(`^axios-http-cache: ${name}\\.get\\(\\) was called after ${name}\\.close\\(\\).*Create a new ${name}`));
}

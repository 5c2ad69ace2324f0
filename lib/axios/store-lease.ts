/**
 * Cross-process single flight (`dedupe: 'store'`): of the processes sharing a store that miss one key together, the
 * first takes a lease in the store and goes to the origin; the others wait for the entry it stores and answer from it.
 *
 * - The lease is named by the full key plus a keyed hash of the request's credentials (`leaseName`), so one user's
 *   lease never makes another wait; a waiter reads the entry through the normal lookup (`Vary`, the body kind, RFC
 *   9111 freshness for its own request), so it gets nothing the cache would not have given it anyway.
 * - The leader renews its lease every third of `dedupeLeaseMs` while its origin call runs (a holder's `lease()`
 *   extends its own lease), for at most `dedupeWaitMs`, so a slow origin keeps the others waiting rather than sending
 *   them all to it when the lease runs out. It stops when the call ends (answered, failed or cancelled) or the lease
 *   is lost; a leader that crashed or hangs renews nothing, and its lease ends `dedupeLeaseMs` after the last renewal.
 * - A waiter reads the store every 5 ms at first, backing off to every 100 ms, and tries the lease each time: when a
 *   leader loses its lease, one waiter takes it over. A waiter waits at most `dedupeWaitMs`, then asks the origin
 *   itself; a caller's own `timeout` ends its wait sooner (single-flight.ts: each caller keeps its own timeout).
 *   When the leader's entry will not answer it (another `Vary` variant), it goes on at once: see {@link leasedTrip}.
 * - A leader whose answer is not stored (no-store, private in shared mode, an error, a failed call) hands its lease on
 *   as a *pass* for `dedupeLeaseMs`: waiters that see it go to the origin at once, each on its own, as do new misses
 *   of that key meanwhile. A leader whose callers have all gone (cancelled) just gives its lease back: one waiter
 *   takes it over and the others keep waiting.
 * - A store that fails (reported as an `error` event by store-access.ts) leaves the request to the in-process flight.
 *   A lease the store took for this request only after `storeTimeoutMs`, when the request had gone on alone, is given
 *   back as soon as that late answer arrives, so that it does not keep the other processes waiting.
 */
import { CanceledError } from 'axios';
import type { CacheRecord } from '../record.js';
import { decideReuse } from '../semantics/index.js';
import type { CacheContext } from './context.js';
import { leaseName } from './key.js';
import type { OriginResult } from './origin.js';
import { bodyKindFits, findMatchingRecord } from './records.js';
import { policyOfRecord } from './request-model.js';
import type { Exchange } from './request-model.js';

/** The first pause of a waiter between two reads of the store (ms); each pause doubles, up to {@link LAST_POLL_MS}. */
const FIRST_POLL_MS = 5;
const LAST_POLL_MS = 100;

/** Starts the token of a lease handed on by a leader whose answer was not stored. */
const PASS = 'pass:';

function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Resolves after `ms`, or false at once when `signal` aborts (every caller of the flight has gone); no signal when no
 * caller of the flight can cancel.
 */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal === undefined) {
      setTimeout(() => resolve(true), ms);
      return;
    }
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * What a waiter finds: the entry that answers its request; nothing new yet (no entry, or one stored before `since`,
 * which the miss already found unusable); or an entry stored since that does not answer this request, either
 * `'another kind'` (another variant of a `Vary` response, the primary entry being always written last and so the
 * newest; or another body kind), which a leader for this kind may yet store, or `'unusable'`: of this kind, but not
 * fresh enough for this request's own directives, as no entry stored now would be.
 */
async function storedAnswer(ctx: CacheContext, plan: Exchange, since: number): Promise<CacheRecord | undefined | 'another kind' | 'unusable'> {
  let primary: CacheRecord | undefined;
  const record = await findMatchingRecord((key) => ctx.access.get(key).then((read) => {
    if (key === plan.key) primary = read;
    return read;
  }), plan.key, plan.wire, plan.config, ctx.options);
  if (record !== undefined && bodyKindFits(record, plan.method, plan.config)) {
    if (decideReuse(plan.facts, record, ctx.options.now(), policyOfRecord(plan.policy, record.ttlMs)).action === 'fresh') return record;
    return record.createdAt >= since ? 'unusable' : undefined;
  }
  const newest = record ?? primary;
  return newest !== undefined && newest.createdAt >= since ? 'another kind' : undefined;
}

/**
 * A miss, shared across processes: lead (take the lease, call `trip`, give the lease back), or wait for the leader's
 * entry. `trip` is the one call to the origin; `signal` aborts when every caller in this process has gone.
 *
 * A waiter that finds an entry stored since it began that is of another kind (another `Vary` variant, another body
 * kind) goes on at once: it tries the lease again without the back-off (the leader gives it back right after its
 * write) and leads, or waits for the process that took it over. Only when the same leader still holds the lease
 * `storeTimeoutMs` later (its release was lost, or that entry came from another user's leader) does it ask the
 * origin itself. An entry of its kind that is not fresh enough for its own directives sends it to the origin at once.
 */
export async function leasedTrip(ctx: CacheContext, plan: Exchange, signal: AbortSignal | undefined, trip: () => Promise<OriginResult>): Promise<OriginResult> {
  const name = leaseName(plan.key, plan.wire, ctx.options.secret);
  const token = newToken();
  const leaseMs = ctx.options.dedupeLeaseMs;
  const giveUpAt = performance.now() + ctx.options.dedupeWaitMs;
  let since = ctx.options.now();
  let wait = FIRST_POLL_MS;
  /** The token this waiter waits on, and when an entry of another kind was found while that token led. */
  let leader: string | undefined;
  let otherKindAt: number | undefined;
  for (;;) {
    const holder = await ctx.access.lease(name, token, leaseMs, 'release');
    if (holder === undefined) return trip(); // the store failed (reported): this process alone
    if (holder === token) {
      // A leader may have stored its entry and given its lease back since this request read the store: look again.
      const found = await storedAnswer(ctx, plan, since);
      if (typeof found === 'object') {
        void ctx.access.release(name, token);
        return { kind: 'shared', record: found };
      }
      return lead(ctx, name, token, signal, trip);
    }
    if (holder.startsWith(PASS) || performance.now() >= giveUpAt) return trip();
    if (holder !== leader) {
      // Another process leads now: its entry, not the one found before (stored this millisecond at the latest), is
      // what this waiter waits for.
      if (otherKindAt !== undefined) since = ctx.options.now() + 1;
      leader = holder;
      otherKindAt = undefined;
    } else if (otherKindAt !== undefined && performance.now() - otherKindAt >= ctx.options.storeTimeoutMs) {
      return trip();
    }
    if (!(await pause(Math.min(wait, giveUpAt - performance.now()), signal))) return { kind: 'error', error: new CanceledError() };
    wait = Math.min(wait * 2, LAST_POLL_MS);
    const found = await storedAnswer(ctx, plan, since);
    if (found === 'unusable') return trip();
    if (found === 'another kind') {
      // Try the lease again at once, then look often: the leader gives it back right after its write.
      if (otherKindAt === undefined) {
        otherKindAt = performance.now();
        wait = FIRST_POLL_MS;
      }
    } else if (found !== undefined) {
      return { kind: 'shared', record: found };
    }
  }
}

/**
 * Goes to the origin holding the lease, renewing it meanwhile; gives it back after the entry is written, or hands it
 * on as a pass when the answer was not stored (unless every caller has gone: then a waiter may as well lead).
 */
async function lead(ctx: CacheContext, name: string, token: string, signal: AbortSignal | undefined, trip: () => Promise<OriginResult>): Promise<OriginResult> {
  const renewal = renewWhileLeading(ctx, name, token, signal);
  const result = await trip();
  const stored = result.kind === 'response' && result.record !== undefined;
  const cancelled = signal?.aborted === true;
  // Not awaited: the caller has its answer; waiters find the entry (written before this) or the pass. A renewal
  // still under way is let finish first, so that it cannot take the lease again after it was given back.
  void renewal.stop().then(async () => {
    await ctx.access.release(name, token);
    if (!stored && !cancelled) await ctx.access.lease(name, `${PASS}${token}`, ctx.options.dedupeLeaseMs, 'keep');
  });
  return result;
}

/**
 * Renews the leader's lease every third of `dedupeLeaseMs` until `stop()`, every caller has gone (`signal`), the
 * lease was lost to another token, or `dedupeWaitMs` has passed (no waiter waits longer). A renewal the store failed
 * (reported) is tried again at the next turn. `stop()` resolves once no renewal is under way.
 */
function renewWhileLeading(ctx: CacheContext, name: string, token: string, signal: AbortSignal | undefined): { stop(): Promise<void> } {
  const leaseMs = ctx.options.dedupeLeaseMs;
  const until = performance.now() + ctx.options.dedupeWaitMs;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let renewing: Promise<void> = Promise.resolve();
  const next = (): void => {
    if (stopped || signal?.aborted === true || performance.now() >= until) return;
    timer = setTimeout(() => {
      renewing = ctx.access.lease(name, token, leaseMs, 'keep').then((holder) => {
        if (holder === undefined || holder === token) next();
      });
    }, leaseMs / 3);
  };
  next();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      return renewing;
    },
  };
}

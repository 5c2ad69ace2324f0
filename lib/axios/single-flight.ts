import { AxiosError } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';

/** The error axios gives a request that ran past its `timeout`, for a caller whose own timeout ended its wait. */
function timeoutError(config: InternalAxiosRequestConfig): AxiosError {
  const clarify = config.transitional?.clarifyTimeoutError === true;
  const message = config.timeoutErrorMessage ?? `timeout of ${config.timeout}ms exceeded`;
  return new AxiosError(message, clarify ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED, config);
}

/**
 * How long after it started a shared call can still be joined (ms). A call stuck on a stalled connection must not
 * capture every later identical request: past this, a new request starts a call of its own.
 */
export const JOIN_WINDOW_MS = 10_000;

interface Flight<T, I> {
  /** The key its callers asked under (its slot in the map may be the key and an identity line). */
  readonly key: string;
  readonly startedAt: number;
  /** What its callers share besides the key (see {@link SingleFlight}), and that as a line, once a newcomer compared it. */
  readonly identity: I;
  line: string | undefined;
  readonly result: Promise<T>;
  /** Absent when the caller that started the flight cannot cancel its wait: then nothing can ever abort the call. */
  readonly controller: AbortController | undefined;
  waiters: number;
  /**
   * Set when the work settles and is not kept for late joiners: the callers then waiting, all it will ever reach
   * (a lone caller may take the value itself instead of a copy). Undefined while it runs, or while joinable.
   */
  receivers: number | undefined;
}

interface CancelTokenLike {
  readonly promise: Promise<unknown>;
}

interface SignalLike {
  readonly aborted: boolean;
  addEventListener?(type: 'abort', listener: () => void): void;
  removeEventListener?(type: 'abort', listener: () => void): void;
}

/** What a caller of {@link SingleFlight.run} gets: the shared result, or word that it cancelled its own wait. */
export type FlightResult<T> =
  /**
   * `alone`: no other caller receives this value (the flight had one caller left when it settled, and nobody can
   * join it any more), so it need not be copied for this caller.
   */
  | { readonly cancelled: false; readonly value: T; readonly alone: boolean }
  | { readonly cancelled: true; readonly reason: unknown };

/** Whether a caller can end its wait before the flight settles: by its signal, its cancel token or its timeout. */
function cancellable(config: InternalAxiosRequestConfig): boolean {
  const timeout = config.timeout;
  return config.signal != null || config.cancelToken != null || (typeof timeout === 'number' && timeout > 0);
}

/**
 * Lets concurrent identical requests share one origin call.
 *
 * The shared work is not tied to any one caller's cancellation: it runs under its own AbortController.
 * Each caller can still cancel its own wait (its `signal` or `cancelToken` ends just that wait), and the
 * shared work is aborted only when every caller has gone. A caller that cannot cancel (no signal, no token,
 * no timeout: axios' defaults) never goes, so a flight it starts gets no controller (`start` is given no
 * signal, and the call runs as that caller would have sent it): an AbortSignal per miss is measurable. Whatever the work ends with reaches every caller
 * still waiting, and the flight is forgotten as soon as it settles, so nothing stays in flight after a failure.
 * `start` must not reject: it returns its failures as values.
 *
 * Flights are found by a key; a caller joins one only when its identity (everything else two callers must share,
 * written as a line by `identityLine`) is the same too. The lines are made only when a caller finds a flight under
 * its key, so a lone request makes none. A caller that finds one of another identity goes under a second key, the key
 * and its own line, where only callers of its identity find it.
 */
export class SingleFlight<T, I> {
  private readonly flights = new Map<string, Flight<T, I>>();
  /** Flights that settled recently, for requests that started before they settled (see {@link begin}). */
  private readonly settled = new Map<string, { readonly flight: Flight<T, I>; readonly sequence: number; readonly at: number }>();
  private sequence = 0;
  /** Requests between {@link begin} and {@link end}: only they can join a settled flight. */
  private inLookup = 0;
  /** Running flights in a second slot (the key and an identity line), by key. */
  private readonly inSecondSlots = new Map<string, number>();
  /** The identity line of the caller in {@link run}, built at most once per call and only when a comparison needs it. */
  private callerLine: string | undefined;

  /**
   * @param lingerMs how long a settled flight stays joinable by requests that started before it settled.
   * @param identityLine an identity as a line that two identities share exactly when their callers may share a flight.
   */
  constructor(
    private readonly lingerMs: number,
    private readonly identityLine: (identity: I) => string,
  ) {}

  /**
   * Taken (`begin`) when a request is about to read the store, and given back (`end`) once it has. A request whose store read was still under way
   * when the identical flight settled (and wrote the store) would otherwise miss and call the origin a second
   * time; with its ticket it joins that settled flight instead.
   */
  begin(): number {
    this.inLookup += 1;
    return this.sequence;
  }

  /** The request that took a ticket has read the store. With no reader left, no settled flight is worth keeping. */
  end(): void {
    this.inLookup -= 1;
    // (Clearing an empty Map still replaces its table: this runs on every hit.)
    if (this.inLookup === 0 && this.settled.size !== 0) this.settled.clear();
  }

  run(key: string, identity: I, config: InternalAxiosRequestConfig, start: (signal: AbortSignal | undefined) => Promise<T>, ticket?: number): Promise<FlightResult<T>> {
    this.callerLine = undefined;
    let slot = key;
    let flight = this.joinable(slot, key, identity, ticket);
    // A flight of this identity may sit in its second slot while the first is free (the flight there settled), or
    // have settled there: looked for only then, so that a lone request makes no identity line.
    if (flight === null || (flight === undefined && (this.inSecondSlots.has(key) || this.settled.size !== 0))) {
      const second = `${key}\n${this.lineOf(identity)}`;
      const found = this.joinable(second, key, identity, ticket);
      if (flight === null) slot = second;
      flight = found ?? undefined;
    }
    if (!flight) {
      if (slot !== key) this.inSecondSlots.set(key, (this.inSecondSlots.get(key) ?? 0) + 1);
      const controller = cancellable(config) ? new AbortController() : undefined;
      const created: Flight<T, I> = {
        key,
        startedAt: performance.now(),
        identity,
        line: undefined,
        controller,
        waiters: 0,
        receivers: undefined,
        // `start` never rejects: a `then` does what `finally` would, in fewer steps.
        result: start(controller?.signal).then((value) => {
          if (this.flights.get(slot) === created) this.flights.delete(slot);
          if (slot !== key) {
            const left = (this.inSecondSlots.get(key) ?? 1) - 1;
            if (left === 0) this.inSecondSlots.delete(key);
            else this.inSecondSlots.set(key, left);
          }
          this.sequence += 1;
          this.settled.delete(slot);
          // Kept only while some request is still reading the store; sequential traffic keeps nothing.
          if (this.inLookup > 0) this.settled.set(slot, { flight: created, sequence: this.sequence, at: performance.now() });
          else created.receivers = created.waiters;
          return value;
        }),
      };
      this.flights.set(slot, created);
      flight = created;
    }
    flight.waiters += 1;
    return this.wait(flight, config);
  }

  /**
   * The flight under `slot` a caller of `key` and `identity` may join: running (and joinable still), or settled after
   * its ticket was taken; null when the flight there is another key's or another identity's (a key may hold a line
   * break, so one key's slot can spell another key and line), undefined when there is none.
   */
  private joinable(slot: string, key: string, identity: I, ticket: number | undefined): Flight<T, I> | null | undefined {
    let flight = this.flights.get(slot);
    // Nor is a call every caller left joined: it was aborted, and would answer the newcomer with that cancellation.
    if (flight && (performance.now() - flight.startedAt > JOIN_WINDOW_MS || flight.controller?.signal.aborted === true)) flight = undefined;
    if (!flight && ticket !== undefined) flight = this.recentlySettled(slot, ticket);
    if (!flight) return undefined;
    if (flight.key !== key) return null;
    return flight.identity === identity || (flight.line ??= this.identityLine(flight.identity)) === this.lineOf(identity) ? flight : null;
  }

  /** The identity line of the caller in {@link run} (whose identity `identity` is). */
  private lineOf(identity: I): string {
    return (this.callerLine ??= this.identityLine(identity));
  }

  private recentlySettled(key: string, ticket: number): Flight<T, I> | undefined {
    const oldest = performance.now() - this.lingerMs;
    for (const [settledKey, entry] of this.settled) {
      if (entry.at >= oldest) break;
      this.settled.delete(settledKey);
    }
    const entry = this.settled.get(key);
    return entry && entry.sequence > ticket && entry.flight.controller?.signal.aborted !== true ? entry.flight : undefined;
  }

  private wait(flight: Flight<T, I>, config: InternalAxiosRequestConfig): Promise<FlightResult<T>> {
    if (!cancellable(config)) {
      // A caller that cannot end its wait (axios' defaults) waits for the work itself: no timer, listener or promise of its own.
      return flight.result.then((value) => {
        flight.waiters -= 1;
        return { cancelled: false, value, alone: flight.receivers === 1 };
      });
    }
    return new Promise<FlightResult<T>>((resolve) => {
      let settled = false;
      const signal = config.signal as SignalLike | undefined;
      const token = config.cancelToken as CancelTokenLike | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (result: FlightResult<T>): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener?.('abort', onAbort);
        flight.waiters -= 1;
        if (result.cancelled && flight.waiters === 0) flight.controller?.abort();
        resolve(result);
      };
      const onAbort = (): void => finish({ cancelled: true, reason: undefined });
      if (signal?.aborted) {
        finish({ cancelled: true, reason: undefined });
        return;
      }
      signal?.addEventListener?.('abort', onAbort);
      // Each caller keeps its own timeout: the shared call itself runs without one, and ends when every caller has gone.
      const timeout = config.timeout;
      if (typeof timeout === 'number' && timeout > 0) timer = setTimeout(() => finish({ cancelled: true, reason: timeoutError(config) }), timeout);
      token?.promise.then((reason) => finish({ cancelled: true, reason }), () => undefined);
      flight.result.then((value) => finish({ cancelled: false, value, alone: flight.receivers === 1 }), () => undefined);
    });
  }
}

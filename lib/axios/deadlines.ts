/** One operation waiting for its deadline. */
export interface Waiting {
  readonly deadline: number;
  settled: boolean;
  readonly expire: () => void;
}

/**
 * Deadlines for operations that all have the same time limit, with one timer in all instead of one per
 * operation. Because the limit is the same, deadlines arrive in the order operations start, so a FIFO
 * queue suffices: the timer is armed for the oldest unsettled deadline, and settled entries are skipped.
 * An armed timer is left to fire even when everything settled first (clearing and re-arming a timer for every
 * operation is what this class saves); it is `unref()`ed, so it never keeps a finished program alive: a pending
 * store operation waits on a socket, which does.
 */
export class Deadlines {
  private readonly queue: Waiting[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = 0;

  constructor(private readonly limitMs: number) {}

  /** Starts the clock for one operation: `onExpire` runs once the limit passes, unless {@link done} came first. */
  track(onExpire: () => void): Waiting {
    const waiting: Waiting = { deadline: performance.now() + this.limitMs, settled: false, expire: onExpire };
    this.queue.push(waiting);
    this.pending += 1;
    this.arm();
    return waiting;
  }

  /** Marks an operation finished; false when its deadline already expired it. */
  done(waiting: Waiting): boolean {
    if (waiting.settled) return false;
    this.settle(waiting);
    return true;
  }

  private settle(waiting: Waiting): void {
    if (waiting.settled) return;
    waiting.settled = true;
    this.pending -= 1;
    if (this.pending === 0) {
      this.queue.length = 0;
      this.head = 0;
    }
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    while (this.head < this.queue.length && this.queue[this.head]?.settled) this.head += 1;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      return;
    }
    const next = this.queue[this.head] as Waiting;
    const timer = setTimeout(() => this.fire(), Math.max(0, next.deadline - performance.now()));
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.queue.length) {
      const waiting = this.queue[this.head] as Waiting;
      if (!waiting.settled && waiting.deadline > now) break;
      if (!waiting.settled) {
        this.settle(waiting);
        waiting.expire();
        if (this.queue.length === 0) return;
      }
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  }
}

/**
 * A progress line on stderr for long runs: how many entries so far (of how many, when known), a bar, and the rate.
 * Redrawn at most ten times a second; shown only on a terminal unless asked for (`--progress`), so that piped output
 * and logs stay clean.
 */

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export class Progress {
  private done = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly sink: ProgressSink,
    private readonly enabled: boolean,
    private total: number | undefined = undefined,
  ) {}

  /** `--progress` forces it, `--no-progress` turns it off, and otherwise it shows on a terminal only. */
  static enabledFor(requested: boolean | undefined, sink: ProgressSink): boolean {
    return requested ?? sink.isTTY === true;
  }

  setTotal(total: number | undefined): void {
    this.total = total;
  }

  tick(count = 1): void {
    this.done += count;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** Draws the final state and ends the line (only when something was drawn). */
  finish(): void {
    if (!this.enabled) return;
    this.draw(Date.now());
    this.sink.write('\n');
  }

  private draw(now: number): void {
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = `${Math.round(this.done / seconds)}/s`;
    let line: string;
    if (this.total !== undefined && this.total > 0) {
      const share = Math.min(this.done / this.total, 1);
      const filled = Math.round(share * BAR_WIDTH);
      line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${this.done}/${this.total} ${rate}`;
    } else {
      line = `${this.label} ${this.done} ${rate}`;
    }
    this.sink.write(`${this.drawn ? '\r' : ''}${line}\u001b[K`);
    this.drawn = true;
  }
}

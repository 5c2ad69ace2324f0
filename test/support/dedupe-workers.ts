// The parent side of dedupe-worker.ts: starts worker processes, lets them all go at once, collects their reports.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { WorkerReport, WorkerTask } from './dedupe-worker.js';

export type { StoreKind, WorkerReport, WorkerTask } from './dedupe-worker.js';

const root = resolve(import.meta.dirname, '../..');

interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** The worker's report; undefined when it was killed or died without one. */
  readonly report: Promise<WorkerReport | undefined>;
}

function startWorker(task: WorkerTask): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/dedupe-worker.ts', JSON.stringify(task)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout });
  let report: WorkerReport | undefined;
  const ready = new Promise<void>((done, fail) => {
    lines.on('line', (line) => {
      if (line === 'ready') done();
      else if (line.startsWith('{')) report = JSON.parse(line) as WorkerReport;
    });
    child.once('exit', () => fail(new Error(`a dedupe worker exited before it was ready: ${stderr}`)));
  });
  ready.catch(() => undefined);
  const ended = new Promise<WorkerReport | undefined>((done) => {
    child.once('close', () => done(report));
  });
  return { child, ready, report: ended };
}

/** A group of worker processes, each running one task, started together. */
export class WorkerGroup {
  private constructor(private readonly workers: readonly Worker[]) {}

  /** Starts one process per task and resolves once every one has opened its store and waits for the start. */
  static async start(tasks: readonly WorkerTask[]): Promise<WorkerGroup> {
    const workers = tasks.map(startWorker);
    const group = new WorkerGroup(workers);
    try {
      await Promise.all(workers.map((worker) => worker.ready));
    } catch (error) {
      group.killAll();
      throw error;
    }
    return group;
  }

  get pids(): number[] {
    return this.workers.map((worker) => worker.child.pid ?? -1);
  }

  /** Starts every worker's requests at the same moment. */
  go(): void {
    for (const worker of this.workers) worker.child.stdin?.write('go\n');
  }

  /** Kills the worker with this pid at once (SIGKILL: no clean-up, its lease stays behind). */
  kill(pid: number): void {
    this.workers.find((worker) => worker.child.pid === pid)?.child.kill('SIGKILL');
  }

  killAll(): void {
    for (const worker of this.workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  }

  /** Every worker's report, in start order (undefined for one that was killed). */
  reports(): Promise<Array<WorkerReport | undefined>> {
    return Promise.all(this.workers.map((worker) => worker.report));
  }
}

// Job processes the shell starts for a packaged app's backend. With the RunAsNode fuse off the
// backend (a utility process) cannot fork Node, so it asks here (job-spawn); each job becomes a
// utility process of its own, still a separate process that SIGKILL can end inside a blocking
// engine run (docs/jobs.md). The shell only brokers: it hands the job and the backend the two ends
// of a MessageChannelMain, so the job's messages go to the backend directly, never through this
// thread; it relays just the job's stdout/stderr and its exit.

import type { FromBackend, ToBackend } from '../../main/api/contract/backend-messages';
import { OWNER_PORT_MESSAGE } from '../../main/api/contract/backend-messages';
import type { UtilityChild, UtilityProcesses } from './utility-processes';

/** How long an ended job's output may trail its exit before the exit is reported anyway. */
const OUTPUT_DRAIN_MS = 1000;

export interface JobHostOptions {
  processes: UtilityProcesses;
  /** main/jobs/host/main.ts in the unpacked app. */
  entry: string;
  cwd: string;
  env: Record<string, string>;
  /** Posts to the backend, with ports to transfer. */
  post(message: ToBackend, transfer?: unknown[]): void;
}

export class JobHost {
  private readonly jobs = new Map<number, UtilityChild>();

  constructor(private readonly options: JobHostOptions) {}

  /** Handles a job-* request from the backend; false for any other message. */
  receive(message: FromBackend): boolean {
    if (message.type === 'job-spawn') this.spawn(message.handle);
    else if (message.type === 'job-kill') this.kill(message.handle);
    else return false;
    return true;
  }

  /** The backend is gone: its jobs have no owner (they exit on their own too, when their port closes). */
  killAll(): void {
    for (const handle of [...this.jobs.keys()]) this.kill(handle);
  }

  private spawn(handle: number): void {
    const { processes, post } = this.options;
    let child: UtilityChild;
    try {
      child = processes.fork(this.options.entry, [], {
        cwd: this.options.cwd,
        env: this.options.env,
        execArgv: ['--import', 'tsx'],
        stdio: 'pipe',
        serviceName: `Lontar job ${handle}`,
      });
    } catch (e) {
      return post({ type: 'job-failed', handle, message: `could not start a job process: ${e instanceof Error ? e.message : String(e)}` });
    }
    this.jobs.set(handle, child);
    const drained = (['stdout', 'stderr'] as const).map((stream) => {
      const readable = child[stream];
      if (!readable) return Promise.resolve();
      readable.on('data', (b: Buffer | string) => post({ type: 'job-output', handle, stream, text: b.toString() }));
      return new Promise<void>((resolve) => readable.once('end', resolve).once('close', resolve));
    });
    child.once('spawn', () => {
      const { port1, port2 } = processes.channel();
      child.postMessage(OWNER_PORT_MESSAGE, [port1]);
      post({ type: 'job-spawned', handle, pid: child.pid }, [port2]);
    });
    child.once('exit', (code: number) => {
      // Report the exit after the output it wrote, so a failure's last stderr line reaches the record.
      const timeout = new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref?.());
      void Promise.race([Promise.all(drained), timeout]).then(() => {
        this.jobs.delete(handle);
        post({ type: 'job-exit', handle, code });
      });
    });
  }

  private kill(handle: number): void {
    const child = this.jobs.get(handle);
    if (child) this.options.processes.killHard(child);
  }
}

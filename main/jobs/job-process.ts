// The owner's handle on one job process: spawns it (node + tsx running host/main.ts, with an IPC
// channel), sends it commands, routes its messages to a listener, answers its calls, and reports how
// it ended. A separate process rather than a worker thread: onnxruntime's run() blocks whatever
// thread it runs on, a native crash or an out-of-memory kill must not take the workspace owner down,
// and a job stuck inside one long engine run can still be ended at once (SIGKILL).

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromJobProcess, JobOutcome, OwnerCall, ProgressMessage, StartJob, ToJobProcess } from './protocol';
import type { MetricPoint } from '../store/index';
import type { ProviderChoice } from '../engine/runtime/provider';

export const JOB_PROCESS_ENTRY = fileURLToPath(new URL('./host/main.ts', import.meta.url));

/**
 * What the owner needs of a job process: a Node ChildProcess with an IPC channel, or (packaged app,
 * RunAsNode fuse off) a PortJobChild standing for a utility process the shell started (port-child.ts).
 */
export interface JobChild {
  readonly pid?: number | undefined;
  readonly connected: boolean;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  on(event: 'message', listener: (message: any) => void): this;
  once(event: 'disconnect', listener: () => void): this;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'error', listener: (error: Error) => void): this;
  send(message: ToJobProcess, callback: (error: Error | null) => void): boolean;
  kill(signal: NodeJS.Signals): boolean;
}

/** Starts a job process with an IPC channel ('advanced' serialization). Electron shells pass their own. */
export type JobProcessSpawner = () => JobChild;

export const spawnWithTsx: JobProcessSpawner = () =>
  fork(JOB_PROCESS_ENTRY, [], {
    execPath: process.execPath,
    execArgv: ['--import', import.meta.resolve('tsx')],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });

export interface JobProcessListener {
  ready(info: { pid: number; provider: ProviderChoice; resumedFromStep: number | null }): void;
  progress(p: ProgressMessage): void;
  metrics(points: MetricPoint[]): void;
  log(message: string): void;
  /** Answers a call (synchronously: the owner's database work is synchronous). */
  call(call: OwnerCall): unknown;
}

/** How a job process ended: its own outcome message, or an exit without one. */
export type JobProcessEnd = { reported: JobOutcome } | { exited: { code: number | null; signal: NodeJS.Signals | null; stderr: string } };

const STDERR_TAIL = 4000;

export class JobProcess {
  readonly ended: Promise<JobProcessEnd>;
  private outcome: JobOutcome | undefined;
  private stderr = '';

  constructor(
    private readonly child: JobChild,
    private readonly listener: JobProcessListener,
  ) {
    child.stdout?.on('data', (b: Buffer) => listener.log(b.toString('utf8').trimEnd()));
    child.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('message', (m: FromJobProcess) => this.receive(m));
    // Messages still in the pipe are delivered before 'disconnect'; 'exit' alone may come first.
    const disconnected = new Promise<void>((resolve) => (child.connected ? child.once('disconnect', resolve) : resolve()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (e) => {
        this.stderr += `\n${e.message}`; // could not start: no 'exit' follows
        if (child.pid === undefined) resolve({ code: null, signal: null });
      });
    });
    this.ended = Promise.all([exited, disconnected]).then(([how]) =>
      this.outcome ? { reported: this.outcome } : { exited: { ...how, stderr: this.stderr.trim() } },
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  start(start: StartJob): void {
    this.send(start);
  }

  /** Asks the job to end at its next cancellation point ('cancel' → cancelled, 'stop' → interrupted). */
  request(command: 'cancel' | 'stop'): void {
    this.send({ type: command });
  }

  /** Ends the process at once, wherever it is (a blocking engine run included). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private send(message: ToJobProcess): void {
    if (this.child.connected) this.child.send(message, (e) => e && this.kill());
  }

  private receive(m: FromJobProcess): void {
    try {
      switch (m.type) {
        case 'ready':
          return this.listener.ready(m);
        case 'progress':
          return this.listener.progress(m.progress);
        case 'metrics':
          return this.listener.metrics(m.points);
        case 'log':
          return this.listener.log(m.message);
        case 'finished':
          this.outcome = m.outcome;
          return;
        case 'call':
          return this.answer(m.id, m.call);
      }
    } catch (e) {
      // The owner could not record what the job reported: stop the job rather than let it run on
      // with a database that no longer matches it.
      this.outcome = { status: 'failed', error: `recording the job's ${m.type} failed: ${e instanceof Error ? e.message : String(e)}` };
      this.kill();
    }
  }

  private answer(id: number, call: OwnerCall): void {
    let reply: ToJobProcess;
    try {
      reply = { type: 'reply', id, ok: true, value: this.listener.call(call) };
    } catch (e) {
      reply = { type: 'reply', id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    this.send(reply);
  }
}

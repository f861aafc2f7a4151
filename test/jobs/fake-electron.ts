// In-memory stand-ins for the Electron pieces a packaged app uses to start its backend and jobs
// (utilityProcess, MessageChannelMain, a utility process's parentPort): Electron's binary is not
// there at test time. Ports deliver asynchronously and by structured clone, like Electron's, and a
// closed port's peer hears 'close' only after the messages sent before it.

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { UtilityChild, UtilityForkOptions, UtilityProcesses } from '../../electron/main/utility-processes';

export class FakePort extends EventEmitter {
  peer!: FakePort;
  private started = false;
  private closed = false;
  private readonly inbox: (() => void)[] = [];

  postMessage(message: unknown): void {
    if (this.closed) return;
    const data = structuredClone(message);
    setImmediate(() => this.peer.deliver(() => this.peer.emit('message', { data, ports: [] })));
  }
  start(): void {
    this.started = true;
    for (const f of this.inbox.splice(0)) f();
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => this.peer.deliver(() => this.peer.emit('close')));
  }
  private deliver(f: () => void): void {
    if (this.started) f();
    else this.inbox.push(f);
  }
}

export function portPair(): { port1: FakePort; port2: FakePort } {
  const port1 = new FakePort();
  const port2 = new FakePort();
  port1.peer = port2;
  port2.peer = port1;
  return { port1, port2 };
}

/** A utility process's process.parentPort, as the child sees it. */
export class FakeParentPort extends EventEmitter {
  readonly sent: unknown[] = [];
  postMessage(message: unknown): void {
    this.sent.push(structuredClone(message));
  }
}

let nextPid = 4000;

/** A started utility process: the test plays the child through `parentPort`, `stdout`, `exit()`. */
export class FakeUtilityChild extends EventEmitter implements UtilityChild {
  readonly pid: number | undefined = nextPid++;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly parentPort = new FakeParentPort();
  readonly received: unknown[] = [];
  private readonly ports: FakePort[] = [];
  private exited = false;
  killed = false;

  constructor(
    readonly modulePath: string,
    readonly options: UtilityForkOptions,
  ) {
    super();
    setImmediate(() => this.exited || this.emit('spawn'));
  }
  postMessage(message: unknown, transfer: FakePort[] = []): void {
    this.received.push(message);
    this.ports.push(...transfer);
    setImmediate(() => this.parentPort.emit('message', { data: structuredClone(message), ports: transfer }));
  }
  kill(): boolean {
    return false; // SIGTERM: a job process ignores it
  }
  /** The process ends: its ports and streams close, then Electron reports the exit code. */
  exit(code: number): void {
    this.exited = true;
    for (const port of this.ports) port.close();
    this.stdout.end();
    this.stderr.end();
    setImmediate(() => this.emit('exit', code));
  }
}

export class FakeProcesses implements UtilityProcesses {
  readonly children: FakeUtilityChild[] = [];
  failNextFork: string | undefined;

  fork(modulePath: string, _args: string[], options: UtilityForkOptions): FakeUtilityChild {
    if (this.failNextFork) throw new Error(this.failNextFork);
    const child = new FakeUtilityChild(modulePath, options);
    this.children.push(child);
    return child;
  }
  channel() {
    return portPair();
  }
  killHard(child: UtilityChild): void {
    const fake = child as FakeUtilityChild;
    fake.killed = true;
    fake.exit(137);
  }
}

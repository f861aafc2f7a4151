// A job process that someone else started, seen through a message port: in a packaged app the
// RunAsNode fuse is off, so the backend (itself an Electron utility process) cannot fork Node; the
// shell starts each job as a utility process and hands both ends a MessagePortMain. This adapter
// gives JobProcess the same surface as a forked ChildProcess: messages over the port, stdout/stderr
// and the exit relayed by whoever started it, and a kill that asks them to SIGKILL it.

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { JobChild } from './job-process';
import type { ToJobProcess } from './protocol';

/** The part of Electron's MessagePortMain used here (structural: main/ never imports Electron). */
export interface JobPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** How long after the exit a port that never reports 'close' is given up on. */
const PORT_CLOSE_GRACE_MS = 2000;

export class PortJobChild extends EventEmitter implements JobChild {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  /** True from the start: commands sent before the port arrives wait for it (JobProcess sends at once). */
  connected = true;
  private port: JobPort | undefined;
  private readonly queued: ToJobProcess[] = [];
  private killed = false;
  private closeTimer: NodeJS.Timeout | undefined;

  /** `requestKill` asks the starter to end the process at once (SIGKILL). */
  constructor(private readonly requestKill: () => void) {
    super();
  }

  /** The process is running and `port` reaches it. */
  attach(port: JobPort, pid: number | undefined): void {
    if (!this.connected) return port.close();
    this.port = port;
    this.pid = pid;
    port.on('message', (e) => this.emit('message', e.data));
    // Like Node's 'disconnect': the peer closed, and messages it sent before are already delivered.
    port.on('close', () => this.disconnect());
    port.start();
    for (const m of this.queued.splice(0)) port.postMessage(m);
  }

  /** A chunk of the process's stdout or stderr, relayed by its starter. */
  output(stream: 'stdout' | 'stderr', text: string): void {
    this[stream].write(text);
  }

  /** The process ended (`code` as its starter saw it); a kill we asked for reads as SIGKILL. */
  exited(code: number | null): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    if (this.killed) this.signalCode = 'SIGKILL';
    else this.exitCode = code ?? 1;
    // A port that never arrived cannot close: the process is gone, so is the channel. One that did
    // closes once the messages the process sent before it died are delivered; wait for that, a while.
    if (!this.port) this.disconnect();
    else this.closeTimer = setTimeout(() => this.disconnect(), PORT_CLOSE_GRACE_MS);
    this.emit('exit', this.exitCode, this.signalCode);
  }

  /** The starter could not start it: no 'exit' follows (as with a failed spawn). */
  failed(message: string): void {
    this.emit('error', new Error(message));
    this.exited(null);
  }

  send(message: ToJobProcess, callback: (error: Error | null) => void): boolean {
    if (!this.connected) {
      queueMicrotask(() => callback(new Error('the job process is not connected')));
      return false;
    }
    if (this.port) this.port.postMessage(message);
    else this.queued.push(message);
    queueMicrotask(() => callback(null));
    return true;
  }

  kill(_signal: NodeJS.Signals): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    this.killed = true;
    this.requestKill();
    return true;
  }

  private disconnect(): void {
    clearTimeout(this.closeTimer);
    if (!this.connected) return;
    this.connected = false;
    this.queued.length = 0;
    this.emit('disconnect');
  }
}

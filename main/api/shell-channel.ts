// The backend's channel to the desktop shell. In a checkout the shell forks the backend on the
// system's Node: Node's IPC channel (process.send). In a packaged app the RunAsNode fuse is off, so
// the shell starts the backend with Electron's utilityProcess.fork: process.parentPort, whose
// messages arrive as { data, ports }. Job processes then have to be started by the shell too
// (shellJobSpawner): the backend's process.execPath is the Electron app, not a Node.

import { PortJobChild, type JobPort, type JobProcessSpawner } from '../jobs/index';
import type { FromBackend, ToBackend } from './contract/backend-messages';

/** The parts of Electron's ParentPort used here (structural: main/ never imports Electron). */
export interface ShellParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown; ports: JobPort[] }) => void): unknown;
}

export interface ShellChannel {
  send(message: FromBackend): void;
  onMessage(listener: (message: ToBackend, ports: JobPort[]) => void): void;
  /** The shell went away (IPC only: a utility process ends with its shell). */
  onDisconnect(listener: () => void): void;
  /** How job processes start: undefined for Node's fork with tsx (the default), else through the shell. */
  readonly spawn: JobProcessSpawner | undefined;
}

export function shellChannel(proc: NodeJS.Process & { parentPort?: ShellParentPort } = process): ShellChannel | null {
  if (proc.parentPort) return parentPortChannel(proc.parentPort);
  if (!proc.send) return null;
  return {
    send: (message) => void proc.send?.(message),
    onMessage: (listener) => void proc.on('message', (m: ToBackend) => listener(m, [])),
    onDisconnect: (listener) => void proc.on('disconnect', listener),
    spawn: undefined,
  };
}

export function parentPortChannel(parentPort: ShellParentPort): ShellChannel {
  const listeners: ((message: ToBackend, ports: JobPort[]) => void)[] = [];
  const send = (message: FromBackend) => parentPort.postMessage(message);
  const jobs = shellJobSpawner(send);
  parentPort.on('message', (e) => {
    const message = e.data as ToBackend;
    if (!jobs.receive(message, e.ports)) for (const l of listeners) l(message, e.ports);
  });
  return { send, onMessage: (l) => void listeners.push(l), onDisconnect: () => undefined, spawn: jobs.spawn };
}

/**
 * Job processes started by the shell on the backend's behalf: each spawn is a numbered request; the
 * shell answers with a port to the running job (job-spawned), relays its output and its exit.
 */
export function shellJobSpawner(send: (message: FromBackend) => void): {
  spawn: JobProcessSpawner;
  /** Routes a job-* message to its job; false for any other message. */
  receive(message: ToBackend, ports: JobPort[]): boolean;
} {
  const children = new Map<number, PortJobChild>();
  let nextHandle = 1;
  return {
    spawn: () => {
      const handle = nextHandle++;
      const child = new PortJobChild(() => send({ type: 'job-kill', handle }));
      children.set(handle, child);
      child.once('exit', () => children.delete(handle));
      send({ type: 'job-spawn', handle });
      return child;
    },
    receive: (message, ports) => {
      if (!message.type.startsWith('job-')) return false;
      const child = 'handle' in message ? children.get(message.handle) : undefined;
      if (!child) return true;
      if (message.type === 'job-spawned') {
        if (ports[0]) child.attach(ports[0], message.pid);
        else child.failed('the shell sent no port to the job process');
      } else if (message.type === 'job-output') child.output(message.stream, message.text);
      else if (message.type === 'job-exit') child.exited(message.code);
      else if (message.type === 'job-failed') child.failed(message.message);
      return true;
    },
  };
}

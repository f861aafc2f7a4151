// How a job process reaches its owner. Forked by Node (a checkout, the CLI, tests): Node's IPC
// channel, process.send. Started by the Electron shell as a utility process (a packaged app, where
// the RunAsNode fuse is off): the shell's first message on process.parentPort carries a
// MessagePortMain whose other end the backend holds, and everything goes over that port.

import type { FromJobProcess, ToJobProcess } from '../protocol';

/** The parts of Electron's ParentPort / MessagePortMain used here (main/ never imports Electron). */
export interface OwnerPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
}
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: OwnerPort[] }) => void): unknown;
}

export interface OwnerTransport {
  /** Resolves once the message was handed on (to the OS for IPC; to the port otherwise). */
  send(message: FromJobProcess): Promise<void>;
  onMessage(listener: (message: ToJobProcess) => void): void;
  /** The owner went away. */
  onDisconnect(listener: () => void): void;
}

/** The transport this process was started with, or null when it has none. */
export function ownerTransport(proc: NodeJS.Process & { parentPort?: ParentPortLike } = process): OwnerTransport | null {
  if (proc.parentPort) return portTransport(proc.parentPort);
  if (proc.send) return ipcTransport(proc);
  return null;
}

function ipcTransport(proc: NodeJS.Process): OwnerTransport {
  return {
    send: (message) => new Promise((resolve, reject) => void proc.send!(message, undefined, {}, (e) => (e ? reject(e) : resolve()))),
    onMessage: (listener) => void proc.on('message', listener as (m: unknown) => void),
    onDisconnect: (listener) => void proc.on('disconnect', listener),
  };
}

/** Messages sent before the shell hands over the owner's port wait for it. */
export function portTransport(parentPort: ParentPortLike): OwnerTransport {
  let port: OwnerPort | undefined;
  const queued: FromJobProcess[] = [];
  const messageListeners: ((m: ToJobProcess) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  parentPort.on('message', (e) => {
    if (port || !e.ports[0]) return;
    port = e.ports[0];
    port.on('message', (m) => messageListeners.forEach((l) => l(m.data as ToJobProcess)));
    port.on('close', () => closeListeners.forEach((l) => l()));
    port.start();
    for (const m of queued.splice(0)) port.postMessage(m);
  });
  return {
    send: (message) => {
      if (port) port.postMessage(message);
      else queued.push(message);
      return Promise.resolve();
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onDisconnect: (listener) => void closeListeners.push(listener),
  };
}

// The job process's side of the channel to the owner (Node IPC, or a port from the Electron shell:
// owner-transport.ts): fire-and-forget messages, calls that wait for the owner's reply, and the
// owner's commands (start, cancel, stop).

import type { FromJobProcess, OwnerCall, StartJob, ToJobProcess } from '../protocol';
import type { OwnerTransport } from './owner-transport';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class OwnerChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly transport: OwnerTransport,
    private readonly onStart: (start: StartJob) => void,
    private readonly onCommand: (command: 'cancel' | 'stop') => void,
  ) {
    transport.onMessage((m) => this.receive(m));
  }

  private receive(m: ToJobProcess): void {
    if (m.type === 'start') this.onStart(m);
    else if (m.type === 'cancel' || m.type === 'stop') this.onCommand(m.type);
    else if (m.type === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    }
  }

  /** Sends a message; resolves once it was handed on (to the operating system, for IPC). */
  send(message: FromJobProcess): Promise<void> {
    return this.transport.send(message);
  }

  /** Asks the owner to do something and waits for its answer. */
  call<T>(call: OwnerCall): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ type: 'call', id, call }).catch(reject);
    });
  }
}

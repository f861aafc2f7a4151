// A Runner whose sessions live on a worker thread. Calls are messages; tensors cross by structured
// clone, so large frozen weights should sit in SharedArrayBuffers (shared, not copied). State tensors
// stay in the worker: a training loop sends batches and receives losses, nothing more.

import { Worker } from 'node:worker_threads';
import type { EncodedModel } from '../onnx/encode';
import type { HostTensor } from '../tensor';
import type { ProviderChoice } from './provider';
import type { RunRequest, Runner, RunnerOptions, SessionInfo } from './runner';
import type { WorkerCall, WorkerReply } from './worker-host';

export class WorkerRunner implements Runner {
  private nextCall = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly provider: ProviderChoice,
  ) {
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(Object.assign(new Error(reply.error.message), { stack: reply.error.stack }));
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`engine worker exited (code ${code})`)));
  }

  static async start(options: RunnerOptions = {}): Promise<WorkerRunner> {
    const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: options });
    const provider = await new Promise<ProviderChoice>((resolve, reject) => {
      worker.once('message', (m: { ready: boolean; provider: ProviderChoice }) => resolve(m.provider));
      worker.once('error', reject);
    });
    return new WorkerRunner(worker, provider);
  }

  private call<T>(method: WorkerCall['method'], ...args: unknown[]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextCall++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies WorkerCall);
    });
  }

  load(model: EncodedModel): Promise<SessionInfo> {
    return this.call('load', model);
  }
  run(session: number, request: RunRequest): Promise<Record<string, HostTensor>> {
    return this.call('run', session, request);
  }
  setState(entries: Record<string, HostTensor>): Promise<void> {
    return this.call('setState', entries);
  }
  getState(names: readonly string[]): Promise<Record<string, HostTensor>> {
    return this.call('getState', names);
  }
  deleteState(names: readonly string[]): Promise<void> {
    return this.call('deleteState', names);
  }
  release(session: number): Promise<void> {
    return this.call('release', session);
  }
  async close(): Promise<void> {
    if (!this.failure) await this.call('close');
    await this.worker.terminate();
  }
}

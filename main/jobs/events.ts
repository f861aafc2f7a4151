// What a runner tells its listeners (the desktop UI, the CLI's progress bar, tests), as a typed
// emitter: `runner.on('progress', (e) => ...)` returns the function that unsubscribes.

import { EventEmitter } from 'node:events';
import type { JobRecord } from '../store/index';

export interface JobProgressEvent {
  jobId: number;
  runId: number | null;
  kind: string;
  step: number;
  total: number;
  /** step / total, in [0, 1]. */
  fraction: number;
  loss?: number;
  metrics?: Record<string, number>;
  /** Seconds left at the pace of this attempt; null until it can be estimated. */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

export interface JobEvents {
  queued: { job: JobRecord };
  /** The job process is up; `resumedFromStep` is the checkpoint step it continues from. */
  started: { job: JobRecord; pid: number; provider: string; resumedFromStep: number | null };
  progress: JobProgressEvent;
  checkpoint: { jobId: number; runId: number | null; step: number; blob: string };
  log: { jobId: number; message: string };
  /** The job left 'running' (or was cancelled while waiting): done, failed, cancelled or interrupted. */
  finished: { job: JobRecord };
}

export class TypedEmitter<Events extends object> {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0); // many views may watch one runner
  }

  on<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  emit<E extends keyof Events & string>(event: E, payload: Events[E]): void {
    // A listener's error must not break the runner's bookkeeping (nor end the owning process).
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (p: Events[E]) => void)(payload);
      } catch (e) {
        process.emitWarning(`a "${event}" listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

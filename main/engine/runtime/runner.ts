// Runs encoded models with onnxruntime-node. A runner also keeps named "state" tensors between runs
// (parameters, optimizer moments): outputs can be kept under a state name and fed back by reference,
// so training loops never copy weights through the caller. `LocalRunner` runs on the calling thread;
// `WorkerRunner` (worker-runner.ts) hosts one on a worker thread behind the same interface.

import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { EncodedModel, NamedSpec } from '../onnx/encode';
import type { HostTensor } from '../tensor';
import { fromOrt, toOrt } from './ort-tensors';
import { chooseProvider, type ProviderChoice, type ProviderName } from './provider';

export interface RunnerOptions {
  /** Threads for one op (default: the machine's cores). */
  threads?: number;
  provider?: ProviderName | 'auto';
  /**
   * Path prefix for onnxruntime's per-kernel profile of every session (bench:engine-profile): each
   * session writes `<prefix>_<timestamp>.json` when `endProfiling` is called or it is released.
   */
  profilePrefix?: string;
}

export interface SessionInfo {
  id: number;
  inputs: NamedSpec[];
  outputs: NamedSpec[];
  createMs: number;
}

/** A feed is a tensor, or a reference to a tensor the runner keeps as state. */
export type Feed = HostTensor | { state: string };

export interface RunRequest {
  feeds: Record<string, Feed>;
  /** Outputs returned to the caller (default: all outputs not kept). */
  fetch?: string[];
  /** Outputs stored as state instead of being returned: output name → state name. */
  keep?: Record<string, string>;
  /**
   * Outputs written in place into an existing state tensor of their shape (output name → state name),
   * which may also be fed to the run: onnxruntime writes into that buffer instead of its arena, and the
   * copy the Node binding still returns is dropped. Only for outputs whose inputs' every reader runs
   * before the output is written (an accumulator `acc ← acc + g`, an optimizer update).
   */
  into?: Record<string, string>;
}

export interface Runner {
  readonly provider: ProviderChoice;
  load(model: EncodedModel): Promise<SessionInfo>;
  run(session: number, request: RunRequest): Promise<Record<string, HostTensor>>;
  setState(entries: Record<string, HostTensor>): Promise<void>;
  getState(names: readonly string[]): Promise<Record<string, HostTensor>>;
  deleteState(names: readonly string[]): Promise<void>;
  release(session: number): Promise<void>;
  close(): Promise<void>;
}

export function isStateRef(f: Feed): f is { state: string } {
  return 'state' in f;
}

export class LocalRunner implements Runner {
  readonly provider: ProviderChoice;
  private readonly sessions = new Map<number, ort.InferenceSession>();
  private readonly state = new Map<string, ort.Tensor>();
  private nextSession = 1;
  private readonly threads: number;
  private readonly profilePrefix: string | undefined;

  constructor(opts: RunnerOptions = {}) {
    this.provider = chooseProvider(opts.provider ?? 'auto');
    this.threads = opts.threads ?? availableParallelism();
    this.profilePrefix = opts.profilePrefix;
  }

  async load(model: EncodedModel): Promise<SessionInfo> {
    const start = performance.now();
    const session = await ort.InferenceSession.create(model.bytes, {
      executionProviders: [this.provider.provider],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Measured: with memory patterns a run's buffers are planned as one block on top of the arena
      // of the first run, so a 24-layer Qwen2.5-0.5B-shaped CT-SFT step (batch 4) peaked at 5.1 GB
      // instead of 3.7 GB and its second run was as slow as its first (6.6 s, then 2.5 s); the demo's
      // training epochs were about 1.5× slower too.
      enableMemPattern: false,
      enableCpuMemArena: model.memoryArena ?? true,
      externalData: model.externalData.map((b) => ({ path: b.path, data: b.data })),
      extra: model.sessionConfig,
      ...(this.profilePrefix !== undefined && { enableProfiling: true, profileFilePrefix: this.profilePrefix }),
    });
    const id = this.nextSession++;
    this.sessions.set(id, session);
    return { id, inputs: model.inputs, outputs: model.outputs, createMs: performance.now() - start };
  }

  private session(id: number): ort.InferenceSession {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`session ${id} is not loaded (released or never created)`);
    return s;
  }

  private stateTensor(name: string): ort.Tensor {
    const t = this.state.get(name);
    if (!t) throw new Error(`state "${name}" is not set`);
    return t;
  }

  async run(id: number, request: RunRequest): Promise<Record<string, HostTensor>> {
    const session = this.session(id);
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const f = request.feeds[name];
      if (f === undefined) throw new Error(`run: input "${name}" was not fed`);
      feeds[name] = isStateRef(f) ? this.stateTensor(f.state) : toOrt(f);
    }
    const keep = request.keep ?? {};
    const into = request.into ?? {};
    const fetch = request.fetch ?? session.outputNames.filter((n) => !(n in keep) && !(n in into));
    const fetches: Record<string, ort.Tensor | null> = {};
    for (const name of [...fetch, ...Object.keys(keep)]) fetches[name] = null;
    for (const [output, stateName] of Object.entries(into)) fetches[output] = this.stateTensor(stateName);
    const results = await session.run(feeds, fetches);
    for (const [output, stateName] of Object.entries(keep)) this.state.set(stateName, results[output]!);
    const out: Record<string, HostTensor> = {};
    for (const name of fetch) out[name] = fromOrt(results[name]!);
    return out;
  }

  async setState(entries: Record<string, HostTensor>): Promise<void> {
    for (const [name, t] of Object.entries(entries)) this.state.set(name, toOrt(t));
  }

  async getState(names: readonly string[]): Promise<Record<string, HostTensor>> {
    const out: Record<string, HostTensor> = {};
    for (const n of names) out[n] = fromOrt(this.stateTensor(n));
    return out;
  }

  async deleteState(names: readonly string[]): Promise<void> {
    for (const n of names) this.state.delete(n);
  }

  /** Ends every session's profile (runners built with `profilePrefix`), writing its file. */
  endProfiling(): void {
    for (const s of this.sessions.values()) s.endProfiling();
  }

  async release(id: number): Promise<void> {
    await this.sessions.get(id)?.release();
    this.sessions.delete(id);
  }

  async close(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.release(id);
    this.state.clear();
  }
}

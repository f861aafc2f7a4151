// What every circuit computation shares: the model's weights uploaded once to a runner as state (fed
// by reference to every graph, never copied per session), a batch encoder that pads every batch to one
// sequence length (so per-position means line up), and a cache of compiled graphs by purpose.

import type { Graph } from '../engine/graph';
import { encodeModel } from '../engine/onnx/encode';
import { LocalRunner, type Feed, type Runner } from '../engine/runtime/runner';
import { bucketLength, SessionCache } from '../engine/runtime/session-cache';
import type { HostTensor } from '../engine/tensor';
import { BatchEncoder, type ClassificationExample, type EncodedBatch } from '../models/classification/batch-encoder';
import type { ClassificationTask } from '../models/classification/task';
import { buildTaskModel, type BucketShape, type TaskModel, type TaskModelOptions } from '../models/classification/task-model';
import type { LoadedModel } from '../models/load';

const STATE_PREFIX = 'circuit.';

export interface CircuitSessionOptions {
  runner?: Runner;
  threads?: number;
  /** Examples per run. */
  batchSize: number;
  /** Longest prompt in tokens (the paper filters to 128). */
  maxLength: number;
}

export class CircuitSession {
  readonly encoder: BatchEncoder;
  private readonly sessions: SessionCache;
  /** The one sequence length of every batch (set by `fixLength`). */
  seq = 0;

  private constructor(
    readonly model: LoadedModel,
    readonly task: ClassificationTask,
    readonly runner: Runner,
    private readonly ownsRunner: boolean,
    readonly batchSize: number,
    maxLength: number,
  ) {
    const floatType = model.weights.values().next().value?.dtype === 'float64' ? 'float64' : 'float32';
    this.encoder = new BatchEncoder(model, task, { maxLength, floatType });
    this.sessions = new SessionCache(runner, 6);
  }

  static async open(model: LoadedModel, task: ClassificationTask, options: CircuitSessionOptions): Promise<CircuitSession> {
    const runner = options.runner ?? new LocalRunner({ threads: options.threads });
    const s = new CircuitSession(model, task, runner, options.runner === undefined, options.batchSize, options.maxLength);
    const state: Record<string, HostTensor> = {};
    for (const [name, t] of model.weights) state[STATE_PREFIX + name] = t;
    await runner.setState(state);
    return s;
  }

  get floatType(): 'float32' | 'float64' {
    return this.model.weights.values().next().value?.dtype === 'float64' ? 'float64' : 'float32';
  }

  /** Pads every later batch to the longest of these examples (bucketed). */
  fixLength(examples: readonly ClassificationExample[]): number {
    const longest = Math.max(...examples.map((e) => this.encoder.tokenize(e).ids.length));
    this.seq = bucketLength(longest, 16, this.encoder.maxLength);
    return this.seq;
  }

  batches(examples: readonly ClassificationExample[]): EncodedBatch[] {
    const out: EncodedBatch[] = [];
    for (let i = 0; i < examples.length; i += this.batchSize) {
      out.push(this.encoder.encode(examples.slice(i, i + this.batchSize), this.batchSize, this.seq));
    }
    return out;
  }

  get shape(): BucketShape {
    return { batch: this.batchSize, seq: this.seq };
  }

  /** The frozen task model with every weight a graph input (fed from the uploaded state). */
  taskModel(hookZ?: TaskModelOptions['hookZ']): TaskModel {
    return buildTaskModel(this.model, this.task, this.shape, { bind: { layout: 'inputs', trainability: () => ({ kind: 'whole' }) }, hookZ });
  }

  /**
   * Runs the graph `build` makes (compiled once per key) on one batch plus extra feeds (tensors, or
   * runner state by reference); `keep` stores outputs as runner state instead of returning them.
   */
  async run(key: string, build: () => Graph, batch: EncodedBatch, extra: Record<string, Feed>, fetch: string[], keep?: Record<string, string>): Promise<Record<string, HostTensor>> {
    const session = await this.sessions.get(`${key}|${batch.bucket}`, () => encodeModel(build()));
    const feeds: Record<string, Feed> = { ...batch.feeds, ...extra };
    for (const name of this.model.weights.keys()) feeds[name] = { state: STATE_PREFIX + name };
    return this.runner.run(session.id, { feeds, fetch, ...(keep && { keep }) });
  }

  /** Releases the compiled graphs whose keys start with `prefix` (with their onnxruntime arenas). */
  releaseGraphs(prefix: string): Promise<void> {
    return this.sessions.release((key) => key.startsWith(prefix));
  }

  async close(): Promise<void> {
    await this.sessions.clear();
    await this.runner.deleteState([...this.model.weights.keys()].map((n) => STATE_PREFIX + n));
    if (this.ownsRunner) await this.runner.close();
  }
}

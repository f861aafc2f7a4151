// Drives training steps on a runner. Parameters and optimizer slots live in the runner as state
// (resident between steps, never copied through this thread); each step feeds only the batch and the
// step counter and reads back the loss. One session per shape bucket, built on first use.

import type { Graph, Value } from '../graph';
import { encodeModel, type EncodeOptions } from '../onnx/encode';
import type { TrainableTensor } from '../params/binding';
import type { Feed, Runner, SessionInfo } from '../runtime/runner';
import { SessionCache } from '../runtime/session-cache';
import { cloneTensor, hostTensor, zeros, type HostTensor } from '../tensor';
import { buildLoopTrainStep, stackBatches } from './loop-step';
import { ACCUMULATE_INPUT, buildGradientStep, buildUpdateRuns, GRAD_NORM_INPUT, gradSlot, LOSS_SCALE_INPUT, splitBatch, trainableBytes } from './micro-batch';
import { buildTrainStep, type StateSlot, type TrainStepOptions } from './train-step';

/** The forward graph of one bucket: a scalar loss and the tensors the optimizer updates. */
export interface ForwardGraph {
  graph: Graph;
  loss: Value;
  trainables: TrainableTensor[];
  /** Frozen inputs fed from runner state (uploaded once at start; the same in every bucket). */
  constants?: ReadonlyMap<string, HostTensor>;
}

export interface TrainerOptions extends TrainStepOptions {
  runner: Runner;
  /**
   * Builds the forward graph for a bucket (e.g. "16x64"), for `rows` rows when that is fewer than the
   * bucket's batch (a micro-batch); every bucket must train the same tensors.
   */
  build: (bucket: string, rows?: number) => ForwardGraph;
  /** Split each batch into this many micro-batches and accumulate their gradients (default 1: off). */
  microBatches?: number;
  /**
   * Trainable bytes above which the optimizer update runs apart from the gradient, split over runs of
   * at most this many parameter bytes (default UPDATE_CHUNK_BYTES); micro-batched steps always update apart.
   */
  updateChunkBytes?: number;
  /** The feed holding each row's loss weight (the loss is their weighted mean); default: equal rows. */
  rowWeights?: string;
  /** Prefix for this trainer's state names in the runner (several trainers may share one). */
  statePrefix?: string;
  maxSessions?: number;
  encode?: EncodeOptions;
}

export interface StepResult {
  step: number;
  loss: number;
  lr: number;
  gradNorm?: number;
}

/** Everything needed to resume: the step counter and every state slot (parameters and moments). */
export interface TrainerCheckpoint {
  step: number;
  tensors: Record<string, HostTensor>;
}

/**
 * 256 MiB of parameters per update run: full fine-tuning of Qwen2.5-0.5B (1.84 GiB of fp32 weights)
 * updates in 7 chunk runs (the 545 MB embedding alone) after a norm run, each holding its chunk's new parameters and moments twice (onnxruntime's output
 * and the binding's copy) instead of all 5.5 GiB of them.
 */
export const UPDATE_CHUNK_BYTES = 256 * 2 ** 20;

interface UpdateSessions {
  norm?: SessionInfo;
  chunks: SessionInfo[];
}

export class Trainer {
  /** Optimizer steps completed. */
  step = 0;
  private slots: StateSlot[] | undefined;
  /** Names of the frozen inputs fed from state, and their values until `start` uploads them. */
  private constants: string[] = [];
  private toUpload: ReadonlyMap<string, HostTensor> | undefined;
  /** Whether the micro-batch gradient accumulators exist in the runner. */
  private gradsAllocated = false;
  /** Whether steps run as gradient runs then update runs (micro-batches, or trainables too large for one update). */
  private apart = false;
  private updates: Promise<UpdateSessions> | undefined;
  private readonly sessions: SessionCache;
  private readonly prefix: string;

  constructor(private readonly opts: TrainerOptions) {
    this.sessions = new SessionCache(opts.runner, opts.maxSessions ?? 4);
    this.prefix = opts.statePrefix ?? '';
  }

  private compile(bucket: string, forward = this.built(bucket)) {
    const step = buildTrainStep(forward.loss, forward.trainables, this.opts);
    this.checkSlots(bucket, step.state);
    return encodeModel(forward.graph, this.opts.encode);
  }

  /** The bucket's forward graph; its constants are uploaded the first time (they never change). */
  private built(bucket: string, rows?: number): ForwardGraph {
    const forward = this.opts.build(bucket, rows);
    if (this.constants.length === 0 && forward.constants?.size) {
      this.constants = [...forward.constants.keys()];
      this.toUpload = forward.constants;
    }
    return forward;
  }

  private checkSlots(bucket: string, state: StateSlot[]): void {
    const names = state.map((s) => s.name).join('\n');
    if (this.slots && this.slots.map((s) => s.name).join('\n') !== names) {
      throw new Error(`bucket ${bucket} trains different tensors than the first bucket`);
    }
    this.slots ??= state;
  }

  /** Builds the first bucket's session and uploads initial parameters and zeroed optimizer slots. */
  async start(bucket: string): Promise<void> {
    // one forward graph decides whether to update apart and builds whichever sessions that needs
    const forward = this.built(bucket, this.rowsPerRun(bucket));
    const bytes = forward.trainables.reduce((n, t) => n + trainableBytes(t), 0);
    this.apart = this.micro > 1 || bytes > (this.opts.updateChunkBytes ?? UPDATE_CHUNK_BYTES);
    if (this.apart) await this.updateSessions(bucket, forward.trainables);
    else await this.sessions.get(bucket, () => this.compile(bucket, forward));
    const init: Record<string, HostTensor> = {};
    for (const [name, t] of this.toUpload ?? []) init[this.prefix + name] = t;
    this.toUpload = undefined;
    for (const s of this.slots!) {
      const t = s.trainable.initial;
      // updated apart, parameters are written in place, so they must not be the model's own buffers
      init[this.prefix + s.name] = s.slot !== 'param' ? zeros(t.dtype, t.shape) : this.apart ? cloneTensor(t) : t;
    }
    await this.opts.runner.setState(init);
  }

  private get micro(): number {
    return this.opts.microBatches ?? 1;
  }

  async trainStep(bucket: string, batch: Record<string, HostTensor>): Promise<StepResult> {
    if (!this.slots) throw new Error('trainer not started');
    if (this.apart) return this.microStep(bucket, batch);
    const session = await this.sessions.get(bucket, () => this.compile(bucket));
    const out = await this.runWithState(session, batch);
    return this.completed(out, Number(out.loss!.data[0]));
  }

  /** Counts the step just run and reads its figures. */
  private completed(out: Record<string, HostTensor>, loss: number): StepResult {
    this.step++;
    const num = (name: string) => (out[name] ? Number(out[name].data[0]) : undefined);
    return { step: this.step, loss, lr: num('lr')!, gradNorm: num('grad_norm') };
  }

  /** Feeds, by state reference, for the frozen constants and the given state names. */
  private stateFeeds(names: readonly string[]): Record<string, Feed> {
    return Object.fromEntries([...this.constants, ...names].map((n) => [n, { state: this.prefix + n }]));
  }

  /**
   * K steps in one run (an ONNX Loop over the batches stacked): the same results as K `trainStep`
   * calls, with parameters and moments crossing the runner boundary once instead of K times.
   */
  async trainSteps(bucket: string, batches: readonly Record<string, HostTensor>[]): Promise<StepResult[]> {
    if (!this.slots) throw new Error('trainer not started');
    if (this.apart) {
      // updating apart exists to save memory; a Loop would hold K steps' inputs at once
      const results: StepResult[] = [];
      for (const b of batches) results.push(await this.microStep(bucket, b));
      return results;
    }
    const k = batches.length;
    const session = await this.sessions.get(`${bucket}|loop${k}`, () => {
      const loop = buildLoopTrainStep(this.built(bucket), this.opts, k, Object.keys(batches[0] ?? {}));
      this.checkSlots(bucket, loop.state);
      return encodeModel(loop.graph, this.opts.encode);
    });
    const out = await this.runWithState(session, stackBatches(batches));
    const series = (name: string) => (out[name] ? Array.from(out[name].data as ArrayLike<number>, Number) : undefined);
    const [loss, lr, gradNorm] = [series('loss')!, series('lr')!, series('grad_norm')];
    const results = loss.map((l, i) => ({ step: this.step + i + 1, loss: l, lr: lr[i]!, gradNorm: gradNorm?.[i] }));
    this.step += k;
    return results;
  }

  /** The update runs of a step updated apart (their graphs define the state slots), kept for the trainer's life. */
  private updateSessions(bucket: string, trainables?: readonly TrainableTensor[]): Promise<UpdateSessions> {
    this.updates ??= (async () => {
      const runs = buildUpdateRuns(trainables ?? this.built(bucket, this.rowsPerRun(bucket)).trainables, this.opts, this.opts.updateChunkBytes ?? UPDATE_CHUNK_BYTES);
      this.checkSlots(bucket, runs.chunks.flatMap((c) => c.step.state));
      const load = (g: Graph) => this.opts.runner.load({ ...encodeModel(g, this.opts.encode), memoryArena: false });
      const chunks: SessionInfo[] = [];
      for (const c of runs.chunks) chunks.push(await load(c.graph));
      return { ...(runs.norm && { norm: await load(runs.norm) }), chunks };
    })().catch((e: unknown) => {
      this.updates = undefined;
      throw e;
    });
    return this.updates;
  }

  /** Rows of a gradient run: a micro-batch's, or undefined for the whole batch. */
  private rowsPerRun(bucket: string): number | undefined {
    return this.micro > 1 ? this.microRows(bucket) : undefined;
  }

  private microRows(bucket: string): number {
    const rows = Number(bucket.split('x')[0]);
    if (!Number.isInteger(rows) || rows % this.micro !== 0) throw new Error(`bucket ${bucket}: its batch does not split into ${this.micro} micro-batches`);
    return rows / this.micro;
  }

  /** One optimizer step as gradient runs over the micro-batches, accumulated in state, then the update run. */
  private async microStep(bucket: string, batch: Record<string, HostTensor>): Promise<StepResult> {
    const slots = this.slots!.filter((s) => s.slot === 'param');
    const rows = this.rowsPerRun(bucket);
    const dtype = slots[0]!.trainable.input.dtype;
    let loss = 0;
    const session = await this.sessions.get(`${bucket}|grad`, () => encodeModel(buildGradientStep(this.built(bucket, rows)), this.opts.encode));
    if (!this.gradsAllocated) {
      // the accumulators' first values are never read (accumulate is false then), but must exist
      await this.opts.runner.setState(Object.fromEntries(slots.map((s) => [this.prefix + gradSlot(s.name), zeros(dtype, s.trainable.input.shape)])));
      this.gradsAllocated = true;
    }
    const grads = slots.map((s) => gradSlot(s.name));
    const state = this.stateFeeds([...slots.map((s) => s.name), ...grads]);
    // accumulated in place: otherwise each run holds them three times (state, onnxruntime's output, the binding's copy)
    const into = Object.fromEntries(grads.map((g) => [`${g}.new`, this.prefix + g]));
    for (const [i, part] of splitBatch(batch, this.micro, this.opts.rowWeights).entries()) {
      const feeds: Record<string, Feed> = {
        ...part.feeds,
        ...state,
        [LOSS_SCALE_INPUT]: hostTensor(dtype, [], [part.scale]),
        [ACCUMULATE_INPUT]: hostTensor('bool', [], [i > 0 ? 1 : 0]),
      };
      const out = await this.opts.runner.run(session.id, { feeds, fetch: ['loss'], into });
      loss += Number(out.loss!.data[0]);
    }
    const { norm, chunks } = await this.updateSessions(bucket);
    const gradFeeds = this.stateFeeds(grads);
    const figures: Record<string, HostTensor> = norm ? await this.opts.runner.run(norm.id, { feeds: gradFeeds }) : {};
    const given: Record<string, Feed> = figures['grad_norm'] ? { [GRAD_NORM_INPUT]: figures['grad_norm'] } : {};
    for (const chunk of chunks) Object.assign(figures, await this.runWithState(chunk, { ...gradFeeds, ...given }, true));
    return this.completed(figures, loss);
  }

  /**
   * One run: the batch and the step counter fed, every state slot read and replaced by reference, or
   * `inPlace` written into its own buffer (an update run: each slot's old value is read only on the
   * way to its new one, so no copy of the chunk's parameters and moments is held).
   */
  private runWithState(session: SessionInfo, batch: Record<string, Feed>, inPlace = false): Promise<Record<string, HostTensor>> {
    const dtype = this.slots![0]!.trainable.input.dtype;
    const feeds: Record<string, Feed> = { ...batch, ...this.stateFeeds(this.slots!.map((s) => s.name)), step: hostTensor(dtype, [], [this.step + 1]) };
    const produced = new Set(session.outputs.map((o) => o.name));
    const keep = Object.fromEntries(this.slots!.filter((s) => produced.has(s.output)).map((s) => [s.output, this.prefix + s.name]));
    const fetch = [...produced].filter((n) => !(n in keep));
    return this.opts.runner.run(session.id, { feeds, fetch, ...(inPlace ? { into: keep } : { keep }) });
  }

  /** Current values of the trainable tensors, by graph-input key. */
  async trainedValues(): Promise<Record<string, HostTensor>> {
    const params = this.slots!.filter((s) => s.slot === 'param');
    const state = await this.opts.runner.getState(params.map((s) => this.prefix + s.name));
    return Object.fromEntries(params.map((s) => [s.name, state[this.prefix + s.name]!]));
  }

  async checkpoint(): Promise<TrainerCheckpoint> {
    const names = this.slots!.map((s) => this.prefix + s.name);
    const state = await this.opts.runner.getState(names);
    return { step: this.step, tensors: Object.fromEntries(this.slots!.map((s) => [s.name, state[this.prefix + s.name]!])) };
  }

  /** Resumes from a checkpoint (after `start`, which defines the slots). */
  async restore(cp: TrainerCheckpoint): Promise<void> {
    const entries: Record<string, HostTensor> = {};
    for (const s of this.slots!) {
      const t = cp.tensors[s.name];
      if (!t) throw new Error(`checkpoint lacks state "${s.name}"`);
      entries[this.prefix + s.name] = t;
    }
    await this.opts.runner.setState(entries);
    this.step = cp.step;
  }

  async dispose(): Promise<void> {
    await this.sessions.clear();
    const updates = await this.updates?.catch(() => undefined);
    this.updates = undefined;
    for (const s of updates ? [...(updates.norm ? [updates.norm] : []), ...updates.chunks] : []) await this.opts.runner.release(s.id);
    if (!this.slots) return;
    this.gradsAllocated = false;
    const grads = this.apart ? this.slots.filter((s) => s.slot === 'param').map((s) => gradSlot(s.name)) : [];
    await this.opts.runner.deleteState([...this.constants, ...this.slots.map((s) => s.name), ...grads].map((n) => this.prefix + n));
  }
}

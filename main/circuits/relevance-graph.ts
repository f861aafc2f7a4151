// The CD-T relevance graph for the heads of one source layer: the clean forward, each head's output
// split into β = z − μ and γ = μ (one source per head, batched), β propagated to the targets, and the
// scores computed in-graph per example:
//   logits target (Eq. 4):   β(gold) − mean β(others) over the label logits
//   head targets (Eq. 5–6):  β at target head t's residual write (z_t · W_Oᵀ slice, at the label
//                            position), projected on v_task = U(gold) − mean U(others), normalised
//   magnitude (Eq. 2):       ‖β‖₁ / ‖γ‖₁ at the same readout, for comparison
// Outputs: `directional` and `magnitude`, each [sources, batch, targets]. β travels through every
// position, or, where that is exact (label-position sources in a causal decoder under the fixed
// attention rule), through the label row alone (decoder-row.ts): the same scores at a fraction of the work.

import { propagateRelevance, type CdSource } from '../engine/cd/propagate';
import type { Graph, Value } from '../engine/graph';
import * as op from '../engine/ops/index';
import type { CdOptions } from '../engine/ops/op-def';
import type { ParameterBinding } from '../engine/params/binding';
import { hostTensor, type HostTensor } from '../engine/tensor';
import type { ModelConfig } from '../models/config';
import type { ClassificationTask } from '../models/classification/task';
import type { TaskModel } from '../models/classification/task-model';
import { unembeddingName } from '../models/architectures/decoder';
import { decoderRowFrom, rowContextOf, rowOneHot, type RowContext } from '../models/architectures/decoder-row';
import type { CircuitSession } from './circuit-session';
import type { Head } from './heads';
import { buildRowModel } from './row-trace';

export type RelevanceTargets = { kind: 'logits' } | { kind: 'heads'; heads: readonly Head[] };

export interface RelevanceSpec {
  sourceLayer: number;
  targets: RelevanceTargets;
  cd: CdOptions;
  /** A source is a whole head (all positions) or the head at the label position only. */
  sourceScope: 'all-positions' | 'label-position';
  /**
   * How many of the layer's heads one run decomposes, chosen per run by a one-hot input
   * (SOURCES_INPUT, see sourceHeadsFeed). Absent: all heads of the layer, fixed in the graph.
   */
  sources?: number;
  /**
   * Where β travels: through the label row alone where that is exact (`rowPathApplies`; the default
   * 'auto' takes it there), or through every position ('sequence'; the only choice elsewhere).
   */
  path?: 'auto' | 'row' | 'sequence';
  /**
   * On the label row: the clean forward computed in the graph ('computed', the default), or read from
   * a forward run once per batch ('fed': the graph's inputs are `RowTraces.feeds`, row-trace.ts).
   */
  trace?: 'computed' | 'fed';
}

export const MEAN_INPUT = 'source_mean';
export const SOURCES_INPUT = 'source_heads';

/** The SOURCES_INPUT feed selecting `heads` (indices within the layer) as a run's sources. */
export function sourceHeadsFeed(dtype: 'float32' | 'float64', heads: readonly number[], numHeads: number): HostTensor {
  const mask = Array.from({ length: heads.length * numHeads }, (_, i) => (heads[Math.floor(i / numHeads)] === i % numHeads ? 1 : 0));
  return hostTensor(dtype, [heads.length, 1, 1, numHeads, 1], mask);
}

/** Rows of x [S, B, T, ...] at each example's label position → [S, B, ...]. */
function atLabelPosition(x: Value, labelPosition: Value): Value {
  const [s, b, t] = x.shape as [number, number, number];
  const g = x.graph;
  const flat = op.reshape(x, [s, b * t, ...x.shape.slice(3)]);
  const starts = g.constant(hostTensor('int64', [b], Array.from({ length: b }, (_, i) => i * t)));
  return op.gather(flat, op.add(starts, labelPosition), 1);
}

/** What the scores read besides the decomposition: the graph, the weights, the task and the batch's labels. */
interface ScoringBase {
  graph: Graph;
  params: ParameterBinding;
  task: ClassificationTask;
  labels: Value;
  dtype: 'float32' | 'float64';
}

function oneHotLabels(m: ScoringBase): Value {
  const c = m.task.labels.length;
  const classes = m.graph.constant(hostTensor('int64', [1, c], Array.from({ length: c }, (_, i) => i)));
  return op.cast(op.equal(classes, op.unsqueeze(m.labels, 1)), m.dtype); // [B, C]
}

/** gold − mean(others) along the last axis, for values [..., B, C] against one-hot labels [B, C]. */
function margin(values: Value, onehot: Value): Value {
  const c = onehot.shape[1]!;
  const gold = op.reduceSum(op.mul(values, onehot), [-1]);
  const others = op.scale(op.sub(op.reduceSum(values, [-1]), gold), 1 / (c - 1));
  return op.sub(gold, others);
}

/** ‖β‖₁ / ‖total − β‖₁ over the last axis. */
function magnitudeRatio(beta: Value, total: Value): Value {
  const l1 = (v: Value) => op.reduceSum(op.abs(v), [-1]);
  return op.div(l1(beta), op.addScalar(l1(op.sub(total, beta)), 1e-12));
}

/** The label rows of the readout, [C, D], in residual-stream space. */
function taskReadout(m: ScoringBase, config: ModelConfig, has: (name: string) => boolean): Value {
  const p = m.params;
  const g = m.graph;
  if (m.task.kind === 'label-words') {
    const tokens = m.task.labels.map((l) => l.tokenId!);
    const unembedding = p.tensor(unembeddingName(config, has));
    return op.gather(unembedding, g.constant(hostTensor('int64', [tokens.length], tokens)));
  }
  // Encoders read [CLS] through a dense layer and tanh before the classifier; the direction is taken
  // through the two linear maps (tanh linearised at 0): U = W_out · W_dense.
  const [dense, out] = config.family === 'bert' ? ['pooler.dense', 'classifier'] : ['classifier.dense', 'classifier.out_proj'];
  return op.matmul(p.tensor(`${out}.weight`), p.tensor(`${dense}.weight`));
}

function outputProjection(config: ModelConfig, layer: number): string {
  return config.kind === 'decoder' ? `model.layers.${layer}.self_attn.o_proj.weight` : `encoder.layer.${layer}.attention.output.dense.weight`;
}

/**
 * Whether β can be propagated through the label row alone: a source at the label position of a causal
 * decoder reaches nothing earlier, and under the fixed attention rule nothing later can reach back,
 * so every layer above needs only that row (decoder-row.ts). The same scores, up to the rounding of
 * different GEMM shapes (test/circuits/row-path.test.ts).
 */
export function rowPathApplies(config: ModelConfig, spec: { sourceScope: RelevanceSpec['sourceScope']; cd: Pick<CdOptions, 'attention'> }): boolean {
  return config.kind === 'decoder' && spec.sourceScope === 'label-position' && spec.cd.attention === 'fixed';
}

/** Where β starts and what the scores read: the clean logits, and a layer's z at the label row. */
interface Decomposition {
  source: CdSource;
  logits: Value;
  /** Clean z of `layer` at the label row, [B, H, Dh]. */
  zAtLabel: (layer: number) => Value;
  /** The targets of β for head targets in these layers (their z, in whatever rows the path carries). */
  zTargets: (layers: readonly number[]) => Value[];
  /** β of a z target at the label row, [S, B, H, Dh]. */
  betaAtLabel: (beta: Value) => Value;
}

/** β over every position (any architecture, any source scope or attention rule). */
function sequenceDecomposition(m: TaskModel, spec: RelevanceSpec, heads: Value, mean: Value): Decomposition {
  const z = m.z[spec.sourceLayer]!;
  const [B, T] = z.shape as [number, number];
  let beta = op.mul(heads, op.unsqueeze(op.sub(z, mean), 0)); // [S, B, T, H, Dh]
  if (spec.sourceScope === 'label-position') {
    const atLabel = rowOneHot(m.inputs.labelPosition, T, z.dtype as 'float32' | 'float64');
    beta = op.mul(beta, op.reshape(atLabel, [1, B, T, 1, 1]));
  }
  return {
    source: { at: z, beta },
    logits: m.logits,
    zAtLabel: (l) => op.pickRows(m.z[l]!, m.inputs.labelPosition),
    zTargets: (layers) => layers.map((l) => m.z[l]!),
    betaAtLabel: (b) => atLabelPosition(b, m.inputs.labelPosition),
  };
}

/**
 * β at the label row only, carried through the decoder's layers above the source in that row, from
 * the source layer's z there [B, 1, H, Dh] and the clean forward's `ctx`.
 */
function rowDecomposition(config: ModelConfig, p: ParameterBinding, label: Value, zAt: Value, ctx: RowContext, logitsOf: (row: Value) => Value, heads: Value, mean: Value, sourceLayer: number): Decomposition {
  const [B, , H, Dh] = zAt.shape as [number, number, number, number];
  const T = mean.shape[1]!;
  const meanAt = op.reshape(op.gather(op.reshape(mean, [T, H, Dh]), label), [B, 1, H, Dh]);
  const beta = op.mul(heads, op.unsqueeze(op.sub(zAt, meanAt), 0)); // [S, B, 1, H, Dh]
  const row = decoderRowFrom(config, p, ctx, label, sourceLayer, zAt);
  const flat = (x: Value) => op.reshape(x, [...x.shape.slice(0, -3), H, Dh]); // drop the row axis
  return {
    source: { at: zAt, beta },
    logits: logitsOf(row.hidden),
    zAtLabel: (l) => flat(row.z[l]!),
    zTargets: (layers) => layers.map((l) => row.z[l]!),
    betaAtLabel: flat,
  };
}

/** The scoring base and the decomposition the spec asks for. */
function decompose(session: CircuitSession, spec: RelevanceSpec, heads: (g: Graph, dtype: ScoringBase['dtype']) => Value, mean: (g: Graph, dtype: ScoringBase['dtype']) => Value): { base: ScoringBase; d: Decomposition } {
  const config = session.model.config;
  const dtype = session.floatType;
  const L = spec.sourceLayer;
  const byRow = (spec.path ?? 'auto') !== 'sequence' && rowPathApplies(config, spec);
  if ((spec.path === 'row' || spec.trace === 'fed') && !byRow) throw new Error('the label-row path needs a decoder, label-position sources and the fixed attention rule');
  if (spec.trace === 'fed') {
    const r = buildRowModel(session, L);
    const base = { graph: r.graph, params: r.params, task: session.task, labels: r.labels, dtype };
    return { base, d: rowDecomposition(config, r.params, r.labelPosition, r.zAt, r.ctx, r.logitsOf, heads(r.graph, dtype), mean(r.graph, dtype), L) };
  }
  const m = session.taskModel();
  const base = { graph: m.graph, params: m.params, task: m.task, labels: m.inputs.labels, dtype };
  if (!byRow) return { base, d: sequenceDecomposition(m, spec, heads(m.graph, dtype), mean(m.graph, dtype)) };
  const label = m.inputs.labelPosition;
  const [B, , H, Dh] = m.z[L]!.shape as [number, number, number, number];
  const zAt = op.reshape(op.pickRows(m.z[L]!, label), [B, 1, H, Dh]);
  return { base, d: rowDecomposition(config, m.params, label, zAt, rowContextOf(m.trace!, label), m.logitsOf, heads(m.graph, dtype), mean(m.graph, dtype), L) };
}

export function buildRelevanceGraph(session: CircuitSession, spec: RelevanceSpec): Graph {
  const config = session.model.config;
  const [H, Dh, T] = [config.numHeads, config.headDim, session.seq];
  const everyHead = Array.from({ length: H }, (_, h) => h);
  const S = spec.sources ?? H;
  const { base: m, d } = decompose(
    session,
    spec,
    (g, dtype) => (spec.sources === undefined ? g.constant(sourceHeadsFeed(dtype, everyHead, H)) : g.input(SOURCES_INPUT, dtype, [S, 1, 1, H, 1])),
    (g, dtype) => g.input(MEAN_INPUT, dtype, [1, T, H, Dh]),
  );
  const [g, dtype] = [m.graph, m.dtype];
  const onehot = oneHotLabels(m);
  let directional: Value[];
  let magnitude: Value[];
  if (spec.targets.kind === 'logits') {
    const [betaLogits] = propagateRelevance(d.source, [d.logits], spec.cd);
    const bl = betaLogits ?? op.zerosOf(g, dtype, [S, ...d.logits.shape]);
    directional = [margin(bl, onehot)];
    magnitude = [magnitudeRatio(bl, d.logits)];
  } else {
    const targets = spec.targets.heads;
    const layers = [...new Set(targets.map((t) => t.layer))];
    const zs = d.zTargets(layers);
    const betas = propagateRelevance(d.source, zs, spec.cd);
    const readout = taskReadout(m, config, (n) => session.model.weights.has(n)); // [C, D]
    const direction = op.sub(
      op.gemm(onehot, readout),
      op.scale(op.sub(op.reduceSum(readout, [0], true), op.gemm(onehot, readout)), 1 / (readout.shape[0]! - 1)),
    ); // [B, D]
    const unit = op.div(direction, op.sqrt(op.reduceSum(op.mul(direction, direction), [-1], true)));
    directional = [];
    magnitude = [];
    for (const t of targets) {
      const i = layers.indexOf(t.layer);
      const bz = betas[i] ?? op.zerosOf(g, dtype, [S, ...zs[i]!.shape]);
      const slice = (v: Value) => op.reshape(op.slice(v, -2, t.head, t.head + 1), [...v.shape.slice(0, -2), Dh]);
      const betaHead = slice(d.betaAtLabel(bz)); // [S, B, Dh]
      const cleanHead = slice(d.zAtLabel(t.layer)); // [B, Dh]
      const wo = op.slice(m.params.tensor(outputProjection(config, t.layer)), 1, t.head * Dh, (t.head + 1) * Dh); // [D, Dh]
      const write = op.matmul(betaHead, op.transposeLast2(wo)); // [S, B, D]
      directional.push(op.reduceSum(op.mul(write, unit), [-1]));
      magnitude.push(magnitudeRatio(betaHead, cleanHead));
    }
  }
  const stack = (xs: Value[]) => op.concat(xs.map((x) => op.unsqueeze(x, -1)), -1);
  g.output(stack(directional), 'directional');
  g.output(stack(magnitude), 'magnitude');
  return g;
}

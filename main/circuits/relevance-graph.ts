// The CD-T relevance graph for the heads of one source layer: the clean forward, each head's output
// split into β = z − μ and γ = μ (one source per head, batched), β propagated to the targets, and the
// scores computed in-graph per example:
//   logits target (Eq. 4):   β(gold) − mean β(others) over the label logits
//   head targets (Eq. 5–6):  β at target head t's residual write (z_t · W_Oᵀ slice, at the label
//                            position), projected on v_task = U(gold) − mean U(others), normalised
//   magnitude (Eq. 2):       ‖β‖₁ / ‖γ‖₁ at the same readout, for comparison
// Outputs: `directional` and `magnitude`, each [sources, batch, targets].

import { propagateRelevance } from '../engine/cd/propagate';
import type { Graph, Value } from '../engine/graph';
import * as op from '../engine/ops/index';
import type { CdOptions } from '../engine/ops/op-def';
import { hostTensor, type HostTensor } from '../engine/tensor';
import type { ModelConfig } from '../models/config';
import type { TaskModel } from '../models/classification/task-model';
import { unembeddingName } from '../models/architectures/decoder';
import type { CircuitSession } from './circuit-session';
import type { Head } from './heads';

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

function oneHotLabels(m: TaskModel): Value {
  const c = m.task.labels.length;
  const g = m.graph;
  const classes = g.constant(hostTensor('int64', [1, c], Array.from({ length: c }, (_, i) => i)));
  return op.cast(op.equal(classes, op.unsqueeze(m.inputs.labels, 1)), m.logits.dtype as 'float32' | 'float64'); // [B, C]
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
function taskReadout(m: TaskModel, config: ModelConfig, has: (name: string) => boolean): Value {
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

export function buildRelevanceGraph(session: CircuitSession, spec: RelevanceSpec): Graph {
  const m = session.taskModel();
  const g = m.graph;
  const config = session.model.config;
  const [H, Dh, T] = [config.numHeads, config.headDim, session.seq];
  const z = m.z[spec.sourceLayer]!;
  const mean = g.input(MEAN_INPUT, z.dtype, [1, T, H, Dh]);
  const everyHead = Array.from({ length: H }, (_, h) => h);
  const S = spec.sources ?? H;
  const heads = spec.sources === undefined
    ? g.constant(sourceHeadsFeed(z.dtype as 'float32' | 'float64', everyHead, H))
    : g.input(SOURCES_INPUT, z.dtype, [S, 1, 1, H, 1]);
  let beta = op.mul(heads, op.unsqueeze(op.sub(z, mean), 0)); // [S, B, T, H, Dh]
  if (spec.sourceScope === 'label-position') {
    const positions = g.constant(hostTensor('int64', [1, T], Array.from({ length: T }, (_, i) => i)));
    const atLabel = op.cast(op.equal(positions, op.unsqueeze(m.inputs.labelPosition, 1)), z.dtype as 'float32' | 'float64');
    beta = op.mul(beta, op.reshape(atLabel, [1, session.batchSize, T, 1, 1]));
  }
  const onehot = oneHotLabels(m);
  let directional: Value[];
  let magnitude: Value[];
  if (spec.targets.kind === 'logits') {
    const [betaLogits] = propagateRelevance({ at: z, beta }, [m.logits], spec.cd);
    const bl = betaLogits ?? op.zerosOf(g, z.dtype, [S, ...m.logits.shape]);
    directional = [margin(bl, onehot)];
    magnitude = [magnitudeRatio(bl, m.logits)];
  } else {
    const targets = spec.targets.heads;
    const layers = [...new Set(targets.map((t) => t.layer))];
    const betas = propagateRelevance({ at: z, beta }, layers.map((l) => m.z[l]!), spec.cd);
    const readout = taskReadout(m, config, (n) => session.model.weights.has(n)); // [C, D]
    const direction = op.sub(
      op.gemm(onehot, readout),
      op.scale(op.sub(op.reduceSum(readout, [0], true), op.gemm(onehot, readout)), 1 / (readout.shape[0]! - 1)),
    ); // [B, D]
    const unit = op.div(direction, op.sqrt(op.reduceSum(op.mul(direction, direction), [-1], true)));
    directional = [];
    magnitude = [];
    for (const t of targets) {
      const bz = betas[layers.indexOf(t.layer)] ?? op.zerosOf(g, z.dtype, [S, ...m.z[t.layer]!.shape]);
      const slice = (v: Value) => op.reshape(op.slice(v, -2, t.head, t.head + 1), [...v.shape.slice(0, -2), Dh]);
      const betaHead = slice(atLabelPosition(bz, m.inputs.labelPosition)); // [S, B, Dh]
      const cleanHead = slice(op.pickRows(m.z[t.layer]!, m.inputs.labelPosition)); // [B, Dh]
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

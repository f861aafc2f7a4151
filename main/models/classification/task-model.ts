// The classification model as one engine graph for a [batch, seq] bucket — the entry point that
// prediction, export, circuit discovery and CT-SFT build on:
//   hidden = forward(ids, mask, positions)                       [B, T, D]   (z per layer [B, T, H, Dh])
//   row    = hidden at the classification row                    [B, D]      (decoder: last real token)
//   logits = row · U[label tokens]ᵀ  (label words)               [B, C]      (never the full vocabulary)
//          | classifier(pooler(row))  (encoder head)
//   loss   = Σ wᵢ · −log softmax(logits)ᵢ[labelᵢ] / Σ wᵢ           (w = 0 for filler rows)
// Weights enter through a ParameterBinding, so the caller's BindOptions decide what is frozen,
// trainable, or trainable only in some heads' slices.

import { Graph, type Value } from '../../engine/graph';
import * as op from '../../engine/ops/index';
import { ParameterBinding, type BindOptions } from '../../engine/params/binding';
import { hostTensor, type HostTensor } from '../../engine/tensor';
import { decoderForward, unembeddingName } from '../architectures/decoder';
import { encoderClassifierLogits, encoderForward } from '../architectures/encoder';
import type { DecoderTrace, ForwardOptions, ModelInputs } from '../architectures/forward';
import { classificationRow, positionIdsInGraph, rowPositionsInGraph } from '../architectures/positions';
import type { ModelConfig } from '../config';
import type { ClassificationTask } from './task';

/** Graph input names; the batch encoder fills them. */
export const TASK_INPUTS = {
  ids: 'input_ids',
  mask: 'attention_mask',
  tokenTypes: 'token_type_ids',
  positions: 'position_ids',
  labelPosition: 'label_position',
  labels: 'labels',
  weights: 'example_weight',
} as const;

export interface BucketShape {
  batch: number;
  seq: number;
}

export interface TaskModelOptions {
  bind: BindOptions;
  /** Replaces a layer's per-head output z [B, T, H, Dh] (mean ablation, patching). */
  hookZ?: ForwardOptions['hookZ'];
  /**
   * Where position_ids and label_position come from: inputs the batch encoder fills ('fed', the
   * default), or computed from attention_mask in the graph ('in-graph': a standalone model).
   */
  derive?: 'fed' | 'in-graph';
}

export interface TaskModel {
  graph: Graph;
  params: ParameterBinding;
  task: ClassificationTask;
  shape: BucketShape;
  /** Names of the batch inputs the graph declares (parameter inputs are in params.trainables). */
  inputNames: string[];
  inputs: {
    ids: Value;
    mask: Value;
    positions: Value;
    labelPosition: Value;
    tokenTypes?: Value;
    labels: Value;
    weights: Value;
  };
  /** Final hidden states [B, T, D] and per-layer head outputs z [B, T, H, Dh]. */
  hidden: Value;
  z: Value[];
  /** Decoders: the clean forward as a continuation of one row reads it. */
  trace?: DecoderTrace;
  /** Label logits of classification-row hidden states [B, D] (how `logits` is read from `hidden`). */
  logitsOf: (row: Value) => Value;
  /** Label logits [B, C], in the task's label order. */
  logits: Value;
  /** Weighted mean cross-entropy over the label logits (scalar). */
  loss: Value;
}

export interface TaskWeights {
  config: ModelConfig;
  weights: ReadonlyMap<string, HostTensor>;
}

export function buildTaskModel(model: TaskWeights, task: ClassificationTask, shape: BucketShape, options: TaskModelOptions): TaskModel {
  const { config } = model;
  const { batch, seq } = shape;
  checkTaskFits(config, task);
  const g = new Graph();
  const p = new ParameterBinding(g, model.weights, options.bind);
  const floatType = model.weights.values().next().value?.dtype === 'float64' ? 'float64' : 'float32';
  const ids = g.input(TASK_INPUTS.ids, 'int64', [batch, seq]);
  const mask = g.input(TASK_INPUTS.mask, 'int64', [batch, seq]);
  const fed = (options.derive ?? 'fed') === 'fed';
  const positions = fed ? g.input(TASK_INPUTS.positions, 'int64', [batch, seq]) : positionIdsInGraph(config, mask);
  const labelPosition = fed ? g.input(TASK_INPUTS.labelPosition, 'int64', [batch]) : rowPositionsInGraph(mask, classificationRow(config));
  const tokenTypes = config.typeVocabSize > 1 ? g.input(TASK_INPUTS.tokenTypes, 'int64', [batch, seq]) : undefined;
  const labels = g.input(TASK_INPUTS.labels, 'int64', [batch]);
  const weights = g.input(TASK_INPUTS.weights, floatType, [batch]);

  const modelInputs: ModelInputs = { ids, mask, positions, tokenTypes };
  const forward = config.kind === 'decoder' ? decoderForward : encoderForward;
  const { hidden, z, trace } = forward(config, p, modelInputs, { hookZ: options.hookZ });
  const logitsOf = taskLogitsReader(model, task, p);
  const logits = logitsOf(op.pickRows(hidden, labelPosition));
  const loss = op.softmaxCrossEntropy(logits, labels, weights);
  const batchInputs = [ids, mask, tokenTypes, positions, labelPosition, labels, weights];
  return {
    graph: g,
    params: p,
    task,
    shape,
    inputNames: batchInputs.flatMap((v) => (v?.kind === 'input' ? [v.name!] : [])),
    inputs: { ids, mask, positions, labelPosition, tokenTypes, labels, weights },
    hidden,
    z,
    trace,
    logitsOf,
    logits,
    loss,
  };
}

/** Label logits [B, C] of classification-row hidden states [B, D], in the task's label order. */
export function taskLogitsReader(model: TaskWeights, task: ClassificationTask, p: ParameterBinding): (row: Value) => Value {
  const { config } = model;
  return (row) =>
    row.graph.scope('head', () => {
      if (task.kind === 'classifier') return encoderClassifierLogits(config, p, row);
      const unembedding = p.tensor(unembeddingName(config, (name) => model.weights.has(name)));
      const tokenIds = task.labels.map((l) => l.tokenId!);
      const rows = op.gather(unembedding, row.graph.constant(hostTensor('int64', [tokenIds.length], tokenIds))); // [C, D]
      return op.gemm(row, rows, { transB: true });
    });
}

function checkTaskFits(config: ModelConfig, task: ClassificationTask): void {
  if (task.kind === 'label-words' && config.kind !== 'decoder') {
    throw new Error(`the label-word protocol needs a decoder; ${config.family} classifies with its head`);
  }
  if (task.kind === 'classifier' && config.kind !== 'encoder') {
    throw new Error(`a classifier-head task needs an encoder; ${config.family} uses label words`);
  }
  for (const l of task.labels) {
    if (l.tokenId !== undefined && (l.tokenId < 0 || l.tokenId >= config.vocabSize)) {
      throw new Error(`label "${l.name}" token id ${l.tokenId} is outside the vocabulary (0..${config.vocabSize - 1})`);
    }
  }
}

// Position ids and the classification row, derived from the attention mask (1 = token, 0 = padding).
// Every family counts real tokens, so left and right padding give the same positions:
//   decoders and BERT: count of real tokens before each position (BERT: equal to Hugging Face's
//                      0, 1, 2, ... for the right padding its tokenizers use); padded slots get 0
//   XLM-R: padding_idx + 1 + (count of real tokens before); padded slots get padding_idx
// The classification row is where the label is read: the last real token for decoders (the end of
// the prompt), the first for encoders ([CLS] / <s>).
// Each rule exists twice, side by side: on host arrays (the batch encoder feeds them) and in-graph
// (a standalone ONNX model takes only ids and mask); the tests check that both agree.

import type { Value } from '../../engine/graph';
import { hostTensor } from '../../engine/tensor';
import type { ModelConfig } from '../config';

export type ClassificationRow = 'first' | 'last';

export function classificationRow(c: ModelConfig): ClassificationRow {
  return c.kind === 'decoder' ? 'last' : 'first';
}

/** The id a padded slot gets: XLM-R's padding_idx, else 0. */
function paddedPosition(c: ModelConfig): number {
  return c.family === 'xlm-roberta' ? (c.padTokenId ?? 1) : 0;
}

export function positionIds(c: ModelConfig, mask: ArrayLike<number>, batch: number, seq: number): number[] {
  const out = new Array<number>(batch * seq).fill(0);
  for (let b = 0; b < batch; b++) {
    let seen = 0;
    for (let t = 0; t < seq; t++) {
      const i = b * seq + t;
      const real = mask[i] === 1;
      out[i] = real ? c.positionOffset + seen : paddedPosition(c);
      if (real) seen++;
    }
  }
  return out;
}

/** Per row, the index of its first or last real token (0 for a row without any). */
export function rowPositions(mask: ArrayLike<number>, batch: number, seq: number, which: ClassificationRow): number[] {
  return Array.from({ length: batch }, (_, b) => {
    let found = -1;
    for (let t = 0; t < seq; t++) {
      if (mask[b * seq + t] !== 1) continue;
      found = t;
      if (which === 'first') break;
    }
    return Math.max(found, 0);
  });
}

const int64 = (shape: number[]) => [{ dtype: 'int64' as const, shape }];

/** positionIds in-graph from an int64 mask [B, T]: mask·(cumsum(mask) + offset − 1 − pad) + pad. */
export function positionIdsInGraph(c: ModelConfig, mask: Value): Value {
  const g = mask.graph;
  const shape = [...mask.shape];
  const pad = paddedPosition(c);
  const [count] = g.node('CumSum', [mask, g.scalar(1, 'int64')], {}, int64(shape));
  const [shifted] = g.node('Add', [count!, g.scalar(c.positionOffset - 1 - pad, 'int64')], {}, int64(shape));
  const [real] = g.node('Mul', [shifted!, mask], {}, int64(shape));
  return g.node('Add', [real!, g.scalar(pad, 'int64')], {}, int64(shape))[0]!;
}

/**
 * rowPositions in-graph, int64 [B]: last = max over t of mask·t; first = T − max over t of mask·(T − t),
 * capped at T − 1 so that a row without tokens still indexes inside the sequence.
 */
export function rowPositionsInGraph(mask: Value, which: ClassificationRow): Value {
  const g = mask.graph;
  const [b, t] = mask.shape as [number, number];
  const weights = Array.from({ length: t }, (_, i) => (which === 'last' ? i : t - i));
  const [weighted] = g.node('Mul', [mask, g.constant(hostTensor('int64', [1, t], weights))], {}, int64([b, t]));
  const [max] = g.node('ReduceMax', [weighted!, g.ints([1])], { keepdims: { i: 0 } }, int64([b]));
  if (which === 'last') return max!;
  const [first] = g.node('Sub', [g.scalar(t, 'int64'), max!], {}, int64([b]));
  return g.node('Min', [first!, g.scalar(t - 1, 'int64')], {}, int64([b]))[0]!;
}

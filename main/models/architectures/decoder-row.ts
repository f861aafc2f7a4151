// A decoder's clean forward continued for one row per example (the label row), from the per-head
// outputs z of one layer up to the final hidden state: a decoding step with a KV cache, where the
// cache is the clean forward's keys and values. Causal attention means nothing at the label row
// depends on later rows, so CD relevance that sits only at the label row (discovery's label-position
// sources) can be propagated through this one row instead of the whole sequence: the same β at the
// row, about T times less work above the source layer.

import type { Value } from '../../engine/graph';
import * as op from '../../engine/ops/index';
import type { ParameterBinding } from '../../engine/params/binding';
import { hostTensor } from '../../engine/tensor';
import type { ModelConfig } from '../config';
import { rowAttention } from './attention';
import { attentionInput, attentionShape, attentionWeights, mlpHalf } from './decoder';
import type { DecoderTrace } from './forward';

export interface DecoderRow {
  /** The final hidden state at the row, [B, D]. */
  hidden: Value;
  /** Per layer above the start: the per-head attention output at the row, [B, 1, H, Dh] (undefined at and below the start). */
  z: (Value | undefined)[];
}

/** 1 at each example's `row` [B] among `t` positions, 0 elsewhere: [B, t]. */
export function rowOneHot(row: Value, t: number, dtype: 'float32' | 'float64'): Value {
  const positions = row.graph.constant(hostTensor('int64', [1, t], Array.from({ length: t }, (_, i) => i)));
  return op.cast(op.equal(positions, op.unsqueeze(row, 1)), dtype);
}

/** x [B, T, ...] at each example's `row` as [B, 1, ...]. */
function rowOf(x: Value, row: Value): Value {
  const picked = op.pickRows(x, row);
  return op.reshape(picked, [x.shape[0]!, 1, ...picked.shape.slice(1)]);
}

/**
 * What the row's continuation reads of the clean forward: each layer's input residual at the row
 * [B, 1, D] and the keys and values its attention used [B, H, T, Dh]; the row's line of the mask
 * [B, 1, 1, T] and its position [B, 1]. From a trace in the same graph (`rowContextOf`), or fed from a
 * forward run once per batch (circuits/row-trace.ts).
 */
export interface RowContext {
  inputAt: (layer: number) => Value;
  kv: (layer: number) => { k: Value; v: Value };
  mask: Value;
  positions: Value;
}

export function rowContextOf(trace: DecoderTrace, row: Value): RowContext {
  const [b, , t] = trace.mask.shape as [number, number, number, number];
  return {
    inputAt: (l) => rowOf(trace.layers[l]!.input, row),
    kv: (l) => trace.layers[l]!,
    mask: op.reshape(op.pickRows(op.transpose(trace.mask, [0, 2, 1, 3]), row), [b, 1, 1, t]),
    positions: rowOf(trace.positions, row),
  };
}

/**
 * From z [B, 1, H, Dh] of layer `layer` at position `row` [B] (int64) of each example, through the
 * rest of the decoder at that row only, reading the clean forward of the same batch from `ctx`.
 */
export function decoderRowFrom(c: ModelConfig, p: ParameterBinding, ctx: RowContext, row: Value, layer: number, zRow: Value): DecoderRow {
  const g = zRow.graph;
  const [b, , , t] = ctx.mask.shape as [number, number, number, number];
  const dtype = zRow.dtype as 'float32' | 'float64';
  // the row's query: its rotary angles, its row of the mask, and where its key and value sit
  const rotary = op.rotaryTables(ctx.positions, c.headDim, c.ropeTheta ?? 10000, dtype);
  const oneHot = op.reshape(rowOneHot(row, t, dtype), [b, 1, t, 1]);
  const shape = attentionShape(c, ctx.mask, rotary);

  const z: (Value | undefined)[] = new Array<Value | undefined>(c.numLayers).fill(undefined);
  let x = g.scope(`row.layers.${layer}`, () => {
    const w = attentionWeights(c, p, layer);
    const out = op.linear(op.reshape(zRow, [b, 1, c.numHeads * c.headDim]), w.o, w.oBias);
    return mlpHalf(c, p, layer, op.add(ctx.inputAt(layer), out));
  });
  for (let l = layer + 1; l < c.numLayers; l++) {
    const { k, v } = ctx.kv(l);
    const input = x;
    x = g.scope(`row.layers.${l}`, () => {
      const a = rowAttention(attentionInput(c, p, l, input), attentionWeights(c, p, l), shape, { k, v, row: oneHot });
      z[l] = a.z;
      return mlpHalf(c, p, l, op.add(input, a.out));
    });
  }
  const hidden = op.rmsNorm(op.reshape(x, [b, c.hiddenSize]), p.tensor('model.norm.weight'), c.normEps);
  return { hidden, z };
}

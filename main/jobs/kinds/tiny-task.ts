// The synthetic task of `train-tiny`: sequences of token ids after a [CLS] token, labelled by which
// residue class (id mod classes) occurs most often (ties: the lowest class). Every batch is drawn
// from its own generator seeded by (run seed, stream): stream s ≥ 1 is training step s, stream 0
// is the fixed evaluation set. So a batch depends on nothing but the seed and the step.

import { Rng } from '../../engine/random';
import { hostTensor, type HostTensor } from '../../engine/tensor';

export interface TinyTaskShape {
  vocab: number;
  classes: number;
  batch: number;
  seq: number;
}

export const CLS_ID = 0;
export const EVAL_STREAM = 0;

/** A 32-bit seed for stream `stream` of run seed `seed` (splitmix-style mixing, so nearby steps differ). */
export function streamSeed(seed: number, stream: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b9) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Majority residue class of the real tokens (after [CLS]); ties go to the lowest class. */
export function tinyLabel(ids: readonly number[], classes: number): number {
  const counts = new Array<number>(classes).fill(0);
  for (const id of ids) counts[id % classes]!++;
  let best = 0;
  for (let c = 1; c < classes; c++) if (counts[c]! > counts[best]!) best = c;
  return best;
}

/** Feeds of one batch: input_ids, attention_mask [batch, seq] and labels [batch] (int64). */
export function tinyBatch(shape: TinyTaskShape, seed: number, stream: number): Record<string, HostTensor> {
  const { vocab, classes, batch, seq } = shape;
  const rng = new Rng(streamSeed(seed, stream));
  const ids = new Array<number>(batch * seq).fill(CLS_ID);
  const mask = new Array<number>(batch * seq).fill(0);
  const labels: number[] = [];
  for (let b = 0; b < batch; b++) {
    const length = Math.ceil(seq / 2) + rng.int(seq - Math.ceil(seq / 2) + 1); // real tokens incl. [CLS]
    const tokens: number[] = [];
    for (let t = 0; t < seq; t++) {
      if (t >= length) continue;
      mask[b * seq + t] = 1;
      if (t === 0) continue;
      const id = 1 + rng.int(vocab - 1);
      ids[b * seq + t] = id;
      tokens.push(id);
    }
    labels.push(tinyLabel(tokens, classes));
  }
  return {
    input_ids: hostTensor('int64', [batch, seq], ids),
    attention_mask: hostTensor('int64', [batch, seq], mask),
    labels: hostTensor('int64', [batch], labels),
  };
}

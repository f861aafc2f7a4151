// Token rows for language modelling. Documents (each followed by <|endoftext|>) are packed whole into
// rows of at most `rowLength` tokens, first fit: each goes into the first row with room for it, so
// rows fill up (little padding) while documents are never cut — only one longer than a row is split
// into row-sized pieces. So every row starts at a document start, as prompts do at inference.

import { int64Tensor, hostTensor, type HostTensor } from '../../engine/tensor';
import { positionIds } from '../architectures/positions';
import type { ModelConfig } from '../config';
import { LM_INPUTS } from './causal-lm-graph';

export function packDocuments(documents: readonly (readonly number[])[], rowLength: number, endOfText: number): number[][] {
  if (!Number.isInteger(rowLength) || rowLength < 2) throw new RangeError(`rowLength must be an integer ≥ 2, got ${rowLength}`);
  const rows: number[][] = [];
  let firstWithRoom = 0; // rows before it are full
  for (const doc of documents) {
    const tokens = [...doc, endOfText];
    for (let start = 0; start < tokens.length; start += rowLength) {
      const piece = tokens.slice(start, start + rowLength);
      let r = firstWithRoom;
      while (r < rows.length && rows[r]!.length + piece.length > rowLength) r++;
      if (r === rows.length) rows.push([]);
      rows[r]!.push(...piece);
      while (firstWithRoom < rows.length && rows[firstWithRoom]!.length === rowLength) firstWithRoom++;
    }
  }
  return rows;
}

/**
 * The feeds of one batch, right-padded to `rowLength`: ids, mask, positions, next-token labels and
 * label weights (1 where a next token exists in the row, 0 on padding and each row's last token).
 * Missing rows (a short last batch) are all padding.
 */
export function languageModelBatch(
  config: ModelConfig,
  rows: readonly (readonly number[])[],
  shape: { batch: number; seq: number },
  padId: number,
  dtype: 'float32' | 'float64' = 'float32',
): Record<string, HostTensor> {
  const { batch, seq } = shape;
  if (rows.length > batch) throw new RangeError(`${rows.length} rows do not fit a batch of ${batch}`);
  const ids = new Array<number>(batch * seq).fill(padId);
  const mask = new Array<number>(batch * seq).fill(0);
  const labels = new Array<number>(batch * seq).fill(padId);
  const weights = new Array<number>(batch * seq).fill(0);
  rows.forEach((row, b) => {
    if (row.length > seq) throw new RangeError(`row ${b} has ${row.length} tokens, more than the sequence length ${seq}`);
    row.forEach((id, t) => {
      ids[b * seq + t] = id;
      mask[b * seq + t] = 1;
      if (t + 1 < row.length) {
        labels[b * seq + t] = row[t + 1]!;
        weights[b * seq + t] = 1;
      }
    });
  });
  return {
    [LM_INPUTS.ids]: int64Tensor([batch, seq], ids),
    [LM_INPUTS.mask]: int64Tensor([batch, seq], mask),
    [LM_INPUTS.positions]: int64Tensor([batch, seq], positionIds(config, mask, batch, seq)),
    [LM_INPUTS.labels]: int64Tensor([batch * seq], labels),
    [LM_INPUTS.weights]: hostTensor(dtype, [batch * seq], weights),
  };
}

/** Next-token predictions a set of rows holds (the denominator of perplexity). */
export function predictedTokens(rows: readonly (readonly number[])[]): number {
  return rows.reduce((n, row) => n + Math.max(0, row.length - 1), 0);
}

// Examples → the feeds of a task model's bucket: the prompt (label words) or the text / pair
// (encoder head) tokenized, padded to a bucketed length, and the batch filled up to a fixed size with
// rows of weight 0, so a handful of compiled shapes serve any dataset.

import { bucketLength } from '../../engine/runtime/session-cache';
import { hostTensor, int64Tensor, type HostTensor } from '../../engine/tensor';
import { classificationRow, positionIds, rowPositions } from '../architectures/positions';
import type { ModelConfig } from '../config';
import type { LontarTokenizer, PaddingSide } from '../tokenizer';
import { fitPrompt } from './prompt-template';
import { labelIndex, TaskError, type ClassificationTask } from './task';
import { TASK_INPUTS, type BucketShape } from './task-model';

export interface ClassificationExample {
  id: string;
  text?: string | null;
  premise?: string | null;
  hypothesis?: string | null;
  /** Gold label name, when known. */
  label?: string | null;
}

export interface BatchEncoderOptions {
  /** Longest sequence in tokens (default: 512, or less when the model allows less). */
  maxLength?: number;
  /** Sequence lengths are rounded up to multiples of this (default 16). */
  bucketStep?: number;
  /** Default: the tokenizer's side (left for decoders, right for encoders). */
  paddingSide?: PaddingSide;
  /** Float type of example_weight: the model's weights' (default float32). */
  floatType?: 'float32' | 'float64';
}

export interface EncodedRow {
  id: string;
  /** The ids fed, without padding. */
  inputIds: number[];
  truncated: boolean;
  /** Index of the gold label in the task's labels, or null when unlabelled. */
  label: number | null;
}

export interface EncodedBatch {
  shape: BucketShape;
  /** `${batch}x${seq}`, the SessionCache key. */
  bucket: string;
  /** input_ids, attention_mask, position_ids, label_position, labels, example_weight (+ token_type_ids). */
  feeds: Record<string, HostTensor>;
  /** The real examples, in order (filler rows are not listed). */
  rows: EncodedRow[];
}

export const DEFAULT_MAX_LENGTH = 512;

export class BatchEncoder {
  readonly maxLength: number;
  private readonly step: number;
  private readonly paddingSide: PaddingSide;

  constructor(
    private readonly model: { config: ModelConfig; tokenizer: LontarTokenizer },
    private readonly task: ClassificationTask,
    private readonly options: BatchEncoderOptions = {},
  ) {
    this.maxLength = Math.min(options.maxLength ?? DEFAULT_MAX_LENGTH, model.tokenizer.maxLength);
    this.step = options.bucketStep ?? 16;
    this.paddingSide = options.paddingSide ?? model.tokenizer.paddingSide;
  }

  /** Tokenizes one example: ids with special tokens, and whether it was shortened. */
  tokenize(example: ClassificationExample): { ids: number[]; typeIds: number[]; truncated: boolean } {
    const { tokenizer } = this.model;
    if (this.task.kind === 'label-words') {
      const fitted = fitPrompt(tokenizer, this.task.template, example, this.maxLength);
      return { ...fitted, typeIds: fitted.ids.map(() => 0) };
    }
    const input = example.premise != null && example.hypothesis != null ? ([example.premise, example.hypothesis] as const) : example.text;
    if (input == null) throw new TaskError(`example ${example.id} has neither a text nor a premise and hypothesis`);
    const encoded = tokenizer.encode(input, { maxLength: this.maxLength });
    return { ids: encoded.inputIds, typeIds: encoded.tokenTypeIds, truncated: encoded.truncated };
  }

  /**
   * One batch of `batchSize` rows (default: as many as examples); the rest are filler rows. `minSeq`
   * pads to at least that length (circuit discovery keeps one length so per-position means align).
   */
  encode(examples: readonly ClassificationExample[], batchSize = examples.length, minSeq = 0): EncodedBatch {
    if (examples.length === 0 || examples.length > batchSize) {
      throw new RangeError(`a batch holds 1..${batchSize} examples, got ${examples.length}`);
    }
    const { config, tokenizer } = this.model;
    const encoded = examples.map((e) => this.tokenize(e));
    const seq = Math.max(minSeq, bucketLength(Math.max(...encoded.map((e) => e.ids.length)), this.step, this.maxLength));
    const shape = { batch: batchSize, seq };
    const ids = new Array<number>(batchSize * seq).fill(tokenizer.padTokenId);
    const mask = new Array<number>(batchSize * seq).fill(0);
    const types = new Array<number>(batchSize * seq).fill(0);
    encoded.forEach((e, b) => {
      const start = b * seq + (this.paddingSide === 'left' ? seq - e.ids.length : 0);
      e.ids.forEach((id, i) => {
        ids[start + i] = id;
        mask[start + i] = 1;
        types[start + i] = e.typeIds[i]!;
      });
    });
    const labels = examples.map((e) => (e.label == null ? null : labelIndex(this.task, e.label)));
    const floatType = this.options.floatType ?? 'float32';
    const feeds: Record<string, HostTensor> = {
      [TASK_INPUTS.ids]: int64Tensor([batchSize, seq], ids),
      [TASK_INPUTS.mask]: int64Tensor([batchSize, seq], mask),
      [TASK_INPUTS.positions]: int64Tensor([batchSize, seq], positionIds(config, mask, batchSize, seq)),
      [TASK_INPUTS.labelPosition]: int64Tensor([batchSize], rowPositions(mask, batchSize, seq, classificationRow(config))),
      [TASK_INPUTS.labels]: int64Tensor([batchSize], Array.from({ length: batchSize }, (_, b) => labels[b] ?? 0)),
      [TASK_INPUTS.weights]: hostTensor(floatType, [batchSize], Array.from({ length: batchSize }, (_, b) => (labels[b] == null ? 0 : 1))),
    };
    if (config.typeVocabSize > 1) feeds[TASK_INPUTS.tokenTypes] = int64Tensor([batchSize, seq], types);
    const rows = examples.map((e, b) => ({ id: e.id, inputIds: encoded[b]!.ids, truncated: encoded[b]!.truncated, label: labels[b] ?? null }));
    return { shape, bucket: `${batchSize}x${seq}`, feeds, rows };
  }

  /** Consecutive batches of `batchSize` (the last one filled up with weight-0 rows). */
  *batches(examples: readonly ClassificationExample[], batchSize: number): Generator<EncodedBatch> {
    for (let start = 0; start < examples.length; start += batchSize) yield this.encode(examples.slice(start, start + batchSize), batchSize);
  }
}

// Every choice behind the bundled demo model (resources/models/lontar-demo-qwen2), in one place:
// the architecture, the tokenizer, the data split and the pretraining recipe. Changing a number here
// and running `npm run build:demo-model` regenerates the model; nothing else holds a setting.

import type { PretrainRecipe } from './pretrain';

export const DEMO_MODEL_NAME = 'lontar-demo-qwen2';

/** One seed for the whole build; each random stream below derives its own from it. */
export const DEMO_SEED = 20260114;

/** NusaX-Senti's label words; each must be one token (with its leading space). */
export const DEMO_LABEL_WORDS = ['negative', 'neutral', 'positive'] as const;

export const DEMO_DATA = {
  /** Share of sentence ids held out (with all their translations) for held-out perplexity. */
  heldOutFraction: 0.05,
  heldOutSeed: DEMO_SEED + 1,
  /** Order of the training documents before they are packed into rows. */
  documentOrderSeed: DEMO_SEED + 2,
};

export const DEMO_TOKENIZER = {
  /** Byte-level BPE vocabulary (256 bytes + merges); `<|endoftext|>` makes it 4096 in all. */
  bpeVocabSize: 4095,
  minFrequency: 2,
};

export const DEMO_ARCHITECTURE = {
  hiddenSize: 256,
  numLayers: 6,
  /** 8 query heads of 32 dims sharing 2 key/value heads (grouped-query attention, 4 per group). */
  numHeads: 8,
  numKvHeads: 2,
  intermediateSize: 704,
  /** Pretraining rows are 128 tokens; see docs/demo-model.md on longer inputs. */
  maxPositions: 256,
  ropeTheta: 10000,
  rmsNormEps: 1e-6,
  initializerRange: 0.02,
  weightSeed: DEMO_SEED,
};

export const DEMO_PRETRAINING: PretrainRecipe = {
  seed: DEMO_SEED + 3,
  batchSize: 16,
  sequenceLength: 128,
  /** Not more: a 10-epoch run overfit from epoch 6 on (held-out perplexity 225 → 269); docs/demo-model.md. */
  epochs: 6,
  learningRate: 2e-3,
  warmupSteps: 100,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  clipNorm: 1,
  evalEverySteps: 50,
  logEverySteps: 20,
};

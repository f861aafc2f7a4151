// Builds the bundled demo model from NusaX-Senti's train and valid texts, start to finish:
//   corpus (train+valid only) → held-out slice by sentence id → byte-level BPE tokenizer (label words
//   forced to single tokens) → packed 128-token rows → Qwen2 decoder, seeded init → pretraining →
//   Hugging Face folder (config.json, model.safetensors, tokenizer files, training-log.json, README).
// The tokenizer and the model see only the training portion; the held-out slice only scores them.

import { join } from 'node:path';
import { LocalRunner } from '../../engine/runtime/runner';
import { prepareDemoData } from './demo-data';
import { DEMO_ARCHITECTURE, DEMO_DATA, DEMO_MODEL_NAME, DEMO_PRETRAINING, DEMO_SEED } from './demo-recipe';
import { initDecoderWeights } from './init-weights';
import { demoModelCard, type DemoModelFacts } from './model-card';
import { writeFolderFile, writeModelFolder } from './model-folder';
import { predictedTokens } from './packing';
import { pretrain, type PretrainLogEntry, type PretrainRecipe } from './pretrain';

export interface DemoBuildOptions {
  /** NusaX-Senti root (language folders with train.csv and valid.csv). */
  dataDir: string;
  /** Parent folder; the model goes to `<outDir>/lontar-demo-qwen2`. */
  outDir: string;
  /** Stop after this many steps (smoke runs); the card then says the run was cut short. */
  maxSteps?: number;
  /** Recipe overrides (smoke runs and tests). */
  recipe?: Partial<PretrainRecipe>;
  /** onnxruntime threads (default 1: with more, the embedding gradient's scatter-add is not bit-reproducible). */
  threads?: number;
  onLog?: (entry: PretrainLogEntry, totalSteps: number) => void;
  onStage?: (message: string) => void;
}

export interface DemoBuildResult {
  dir: string;
  facts: DemoModelFacts;
}

export async function buildDemoModel(options: DemoBuildOptions): Promise<DemoBuildResult> {
  const stage = options.onStage ?? (() => {});
  const recipe: PretrainRecipe = { ...DEMO_PRETRAINING, ...options.recipe };
  const arch = DEMO_ARCHITECTURE;

  const data = prepareDemoData(options.dataDir, recipe.sequenceLength);
  const { corpus, split, trained, configJson, config, tokenizer, trainRows, heldOutRows } = data;
  stage(`corpus: ${corpus.texts.length} texts from ${corpus.files.length} files; ${split.heldOut.length} held out (${split.heldOutIds.length} sentence ids × ${corpus.languages.length} languages)`);
  stage(`tokenizer: ${trained.totalVocabSize} tokens (${trained.learnedMerges} learned merges, ${trained.merges.length - trained.learnedMerges} to complete label words) from ${trained.distinctWords} distinct words`);
  stage(`rows: ${trainRows.length} training rows (${predictedTokens(trainRows)} predicted tokens), ${heldOutRows.length} held-out rows of ≤ ${recipe.sequenceLength} tokens`);

  const initial = initDecoderWeights(config, arch.weightSeed, arch.initializerRange);
  const runner = new LocalRunner({ threads: options.threads ?? 1, provider: 'cpu' });
  const result = await pretrain({
    config,
    initial,
    trainRows,
    heldOutRows,
    padId: tokenizer.padTokenId,
    recipe,
    runner,
    maxSteps: options.maxSteps,
    onLog: options.onLog,
  }).finally(() => runner.close());

  const dir = join(options.outDir, DEMO_MODEL_NAME);
  const safetensorsBytes = writeModelFolder(dir, { config: configJson, weights: result.weights, tokenizerJson: trained.tokenizerJson, tokenizerConfig: trained.tokenizerConfig });
  const utf8 = new TextEncoder();
  const facts: DemoModelFacts = {
    name: DEMO_MODEL_NAME,
    seed: DEMO_SEED,
    config: configJson,
    parameters: [...result.weights.values()].reduce((n, t) => n + t.data.length, 0),
    safetensorsBytes,
    tokenizer: {
      vocabSize: trained.totalVocabSize,
      learnedMerges: trained.learnedMerges,
      completionMerges: trained.merges.length - trained.learnedMerges,
      labelTokens: data.labelTokens.map((l) => ({ word: l.word, id: l.tokenId })),
    },
    data: {
      languages: corpus.languages,
      files: corpus.files,
      trainTexts: split.train.length,
      trainBytes: split.train.reduce((n, t) => n + utf8.encode(t.text).length, 0),
      heldOutTexts: split.heldOut.length,
      heldOutSentenceIds: split.heldOutIds.length,
      heldOutFraction: DEMO_DATA.heldOutFraction,
      trainRows: trainRows.length,
      trainTokens: predictedTokens(trainRows),
      heldOutTokens: predictedTokens(heldOutRows),
      heldOutBytes: split.heldOut.reduce((n, t) => n + utf8.encode(t.text).length, 0),
    },
    recipe,
    steps: result.steps,
    totalSteps: result.totalSteps,
    initialHeldOut: result.initialHeldOut,
    finalHeldOut: result.finalHeldOut,
    curve: result.log,
  };
  writeFolderFile(dir, 'training-log.json', facts);
  writeFolderFile(dir, 'README.md', demoModelCard(facts));
  return { dir, facts };
}

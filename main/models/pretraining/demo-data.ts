// What the demo model is trained and scored on, derived from the NusaX folder alone:
//   train+valid texts → held-out slice by sentence id → tokenizer learned from the rest (label words
//   forced to single tokens) → config.json for that vocabulary → documents packed into rows.
// The build and the tests both start here, so a test can regenerate the shipped tokenizer and
// re-score the shipped model on exactly the rows the build scored.

import { Rng } from '../../engine/random';
import { parseModelConfig, type ModelConfig } from '../config';
import { labelWordTokenIds, type LabelWordToken } from '../label-words';
import { LontarTokenizer } from '../tokenizer';
import { END_OF_TEXT } from '../tokenizer-training/byte-level-bpe-files';
import { trainByteLevelBpe, type TrainedTokenizer } from '../tokenizer-training/train-byte-level-bpe';
import { DEMO_ARCHITECTURE, DEMO_DATA, DEMO_LABEL_WORDS, DEMO_TOKENIZER } from './demo-recipe';
import { qwen2ConfigJson } from './model-folder';
import { holdOutBySentence, readNusaxPretrainingTexts, type HeldOutSplit, type NusaxCorpus } from './nusax-corpus';
import { packDocuments } from './packing';

export interface DemoData {
  corpus: NusaxCorpus;
  split: HeldOutSplit;
  trained: TrainedTokenizer;
  configJson: Record<string, unknown>;
  config: ModelConfig;
  tokenizer: LontarTokenizer;
  labelTokens: LabelWordToken[];
  trainRows: number[][];
  heldOutRows: number[][];
}

export function prepareDemoData(dataDir: string, sequenceLength: number): DemoData {
  const corpus = readNusaxPretrainingTexts(dataDir);
  const split = holdOutBySentence(corpus.texts, DEMO_DATA.heldOutFraction, DEMO_DATA.heldOutSeed);
  const trained = trainByteLevelBpe(
    split.train.map((t) => t.text),
    {
      vocabSize: DEMO_TOKENIZER.bpeVocabSize,
      minFrequency: DEMO_TOKENIZER.minFrequency,
      forcedTokens: DEMO_LABEL_WORDS.map((w) => ` ${w}`),
      modelMaxLength: DEMO_ARCHITECTURE.maxPositions,
    },
  );
  const probe = LontarTokenizer.fromObjects(trained.tokenizerJson, trained.tokenizerConfig, { family: 'qwen2' });
  const endOfText = probe.tokenToId(END_OF_TEXT)!;
  const configJson = qwen2ConfigJson({ ...DEMO_ARCHITECTURE, vocabSize: trained.totalVocabSize, endOfTextId: endOfText });
  const config = parseModelConfig(configJson);
  const tokenizer = LontarTokenizer.fromObjects(trained.tokenizerJson, trained.tokenizerConfig, { config });
  const labelTokens = labelWordTokenIds(tokenizer, [...DEMO_LABEL_WORDS]);

  const encode = (texts: readonly { text: string }[]) => texts.map((t) => tokenizer.encodeText(t.text));
  const trainDocs = new Rng(DEMO_DATA.documentOrderSeed).shuffle(encode(split.train));
  return {
    corpus,
    split,
    trained,
    configJson,
    config,
    tokenizer,
    labelTokens,
    trainRows: packDocuments(trainDocs, sequenceLength, endOfText),
    heldOutRows: packDocuments(encode(split.heldOut), sequenceLength, endOfText),
  };
}

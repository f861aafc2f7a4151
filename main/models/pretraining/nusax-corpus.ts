// The pretraining corpus of the demo model: the unlabelled texts of NusaX-Senti's train and valid
// splits, all languages. test.csv is never opened — the split list below is the only way in — so
// the test sets stay unseen by the tokenizer and the model, and remain fair for evaluation.
//
// NusaX is parallel: row `id` is the same sentence in every language. A held-out slice is therefore
// chosen by sentence id, taking all translations together, so no translation of a held-out text is
// trained on.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Rng } from '../../engine/random';

/** The only splits the pretraining corpus reads. */
export const PRETRAINING_SPLITS = ['train', 'valid'] as const;
export type PretrainingSplit = (typeof PRETRAINING_SPLITS)[number];

export interface CorpusText {
  /** Language folder name, e.g. "javanese". */
  language: string;
  split: PretrainingSplit;
  /** Sentence id, shared by the translations of one sentence. */
  id: string;
  text: string;
}

export interface NusaxCorpus {
  texts: CorpusText[];
  languages: string[];
  /** Files read, relative to the root (for the model card and for tests). */
  files: string[];
}

export function readNusaxPretrainingTexts(root: string): NusaxCorpus {
  if (!existsSync(root)) throw new Error(`NusaX folder not found: ${root}`);
  const languages = readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort();
  if (languages.length === 0) throw new Error(`${root} has no language folders`);
  const texts: CorpusText[] = [];
  const files: string[] = [];
  for (const language of languages) {
    for (const split of PRETRAINING_SPLITS) {
      const file = `${language}/${split}.csv`;
      const path = join(root, file);
      if (!existsSync(path)) throw new Error(`${path} is missing (every language folder needs train.csv and valid.csv)`);
      const rows = parse(readFileSync(path), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
      rows.forEach((row, i) => {
        const { id, text } = row;
        if (id === undefined || text === undefined) throw new Error(`${path}: row ${i + 1} lacks an id or text column`);
        texts.push({ language, split, id, text });
      });
      files.push(file);
    }
  }
  return { texts, languages, files };
}

export interface HeldOutSplit {
  train: CorpusText[];
  heldOut: CorpusText[];
  /** Sentence ids held out, ascending. */
  heldOutIds: string[];
}

/** Holds out `fraction` of the sentence ids (seeded choice), with every translation of each. */
export function holdOutBySentence(texts: readonly CorpusText[], fraction: number, seed: number): HeldOutSplit {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`held-out fraction must be in (0, 1), got ${fraction}`);
  const ids = [...new Set(texts.map((t) => t.id))].sort(compareIds);
  const chosen = new Rng(seed).shuffle([...ids]).slice(0, Math.max(1, Math.round(ids.length * fraction)));
  const held = new Set(chosen);
  return {
    train: texts.filter((t) => !held.has(t.id)),
    heldOut: texts.filter((t) => held.has(t.id)),
    heldOutIds: chosen.sort(compareIds),
  };
}

/** Numeric ids in numeric order, anything else after them as strings. */
function compareIds(a: string, b: string): number {
  const numeric = (s: string) => /^\d+$/.test(s);
  if (numeric(a) !== numeric(b)) return numeric(a) ? -1 : 1;
  if (numeric(a) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

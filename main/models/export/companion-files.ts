// Files that travel with a model's weights: the tokenizer in every form Hugging Face writes it, and
// generation defaults. Exports and patches copy the ones present in the source folder.

import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const COMPANION_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'vocab.txt',
  'sentencepiece.bpe.model',
  'spiece.model',
  'tokenizer.model',
  'generation_config.json',
] as const;

/** Copies the companion files `from` has into `to`; returns the names copied. */
export function copyCompanionFiles(from: string, to: string): string[] {
  const copied: string[] = [];
  for (const name of COMPANION_FILES) {
    if (!existsSync(join(from, name))) continue;
    copyFileSync(join(from, name), join(to, name));
    copied.push(name);
  }
  return copied;
}

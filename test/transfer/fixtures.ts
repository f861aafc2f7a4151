// Shared by the transfer tests: a tiny Qwen2 model folder, and a tiny parallel sentiment corpus in
// NusaX's layout (Indonesian and Javanese; sentence i has the same label in both, and the Javanese
// text is the Indonesian one with some words swapped), small enough for the whole pipeline in seconds.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../main/engine/random';
import type { ExperimentInput } from '../../main/transfer/experiment/experiment-file';
import { tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';

export const LABELS = ['negative', 'neutral', 'positive'] as const;
const CUE: Record<(typeof LABELS)[number], string[]> = {
  negative: ['bad', 'slow', 'awful'],
  neutral: ['fine', 'okay', 'plain'],
  positive: ['good', 'enak', 'bagus'],
};
const FILLER = ['the', 'food', 'film', 'was', 'service', 'cat', 'dog', 'sat', 'ran', 'makanan', 'filmnya', 'sekali'];
const TO_JAVANESE: Record<string, string> = { the: 'sing', food: 'panganan', was: 'wis', bad: 'elek', good: 'apik', fine: 'lumayan' };

export const SIZES = { train: 36, valid: 12, test: 12 };
export const POOLS = { discovery: 24, tuning: 12 };

type TestContext = { after: (fn: () => void) => void };

export function tempDir(t: TestContext, prefix = 'lontar-transfer-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The tiny Qwen2 of the model tests (2 layers unless asked × 4 query heads, 2 key/value heads), as F32. */
export function writeModel(dir: string, seed = 11, layers = 2): string {
  return writeTinyModel(dir, tinyModel('qwen2', seed, layers), 'F32');
}

/** indonesian/ and javanese/ with train/valid/test.csv; every text unique, labels balanced. */
export function writeCorpus(dir: string, sizes = SIZES): string {
  const rng = new Rng(2026);
  let id = 0;
  const bySplit = Object.entries(sizes).map(([split, count]) => ({
    split,
    rows: Array.from({ length: count }, (_, i) => {
      const label = LABELS[i % 3]!;
      const words = [...Array.from({ length: 2 + rng.int(3) }, () => FILLER[rng.int(FILLER.length)]!), CUE[label][rng.int(3)]!, `nomor${id}`];
      return { id: id++, words, label };
    }),
  }));
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  for (const [folder, translate] of [['indonesian', (w: string) => w], ['javanese', (w: string) => TO_JAVANESE[w] ?? w]] as const) {
    mkdirSync(join(dir, folder), { recursive: true });
    for (const { split, rows } of bySplit) {
      const lines = ['id,text,label', ...rows.map((r) => `${r.id},${quote(r.words.map(translate).join(' '))},${r.label}`)];
      writeFileSync(join(dir, folder, `${split}.csv`), `${lines.join('\n')}\n`);
    }
  }
  return dir;
}

/** A small grid on the tiny model: one seed, Javanese, n = 6, circuit and controls at depth 0 and 1. */
export function tinyExperiment(root: string, overrides: Partial<ExperimentInput> = {}): ExperimentInput {
  return {
    name: 'tiny',
    model: join(root, 'model'),
    data: join(root, 'corpus'),
    source: 'ind',
    targets: ['jav'],
    nSrc: 12,
    n: [6],
    methods: ['circuit', 'nearzero', 'full'],
    seeds: [31],
    depth: [1],
    pools: POOLS,
    recipe: { epochs: 2, lr: 0.01, batchSize: 4, maxLength: 32 },
    discovery: { selectionRatio: 0.125, meanSize: 6, discoverySize: 6, batchSize: 6 },
    evalBatch: 12,
    ...overrides,
  };
}

// Shared paths and small helpers for the pretraining tests.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { DEMO_MODEL_NAME } from '../../main/models/pretraining/demo-recipe';

const repo = join(import.meta.dirname, '../..');

/** The NusaX-Senti copy the product ships. */
export const SHIPPED_NUSAX = join(repo, 'resources/data/nusax-senti');
/** The bundled demo model folder. */
export const DEMO_MODEL_DIR = join(repo, 'resources/models', DEMO_MODEL_NAME);

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lontar-pretraining-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a NusaX-shaped folder: { language: { split: csv text } }. */
export function writeNusaxFolder(files: Record<string, Record<string, string>>): string {
  const root = tempDir();
  for (const [language, splits] of Object.entries(files)) {
    mkdirSync(join(root, language));
    for (const [split, csv] of Object.entries(splits)) writeFileSync(join(root, language, `${split}.csv`), csv);
  }
  return root;
}

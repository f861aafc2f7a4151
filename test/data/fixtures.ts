// Dataset files made by the tests: small CSV/TSV/JSONL builders and NusaX/XNLI-shaped folders.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes `files` (relative path → content) under `root`. */
export function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
}

/** CSV text with quoting where needed (RFC 4180). */
export function csv(rows: (string | number)[][]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** `n` rows of id,text,label alternating the given labels, texts unique per `tag`. */
export function rows(n: number, labels: string[] = ['negative', 'positive'], tag = 'row', start = 0): (string | number)[][] {
  return Array.from({ length: n }, (_, i) => [start + i, `${tag} kalimat nomor ${start + i}`, labels[i % labels.length]!]);
}

export const HEADER = ['id', 'text', 'label'];

/** A NusaX-shaped folder: languages × {train, valid, test}.csv with the NusaX labels. */
export function nusaxTree(languages: string[], sizes = { train: 12, valid: 6, test: 6 }): Record<string, string> {
  const files: Record<string, string> = {};
  const labels = ['negative', 'neutral', 'positive'];
  for (const lang of languages) {
    let id = 0;
    for (const split of ['train', 'valid', 'test'] as const) {
      files[`${lang}/${split}.csv`] = csv([HEADER, ...rows(sizes[split], labels, `${lang} ${split}`, id)]);
      id += sizes[split];
    }
  }
  return files;
}

/** An XNLI-shaped folder (headerless TSV, CRLF, test labels in a separate file). */
export function xnliTree(languages: string[], devRows = 30, testRows = 24): Record<string, string> {
  const labels = ['entailment', 'neutral', 'contradiction'];
  const files: Record<string, string> = {};
  const devGold = Array.from({ length: devRows }, (_, i) => labels[i % 3]!);
  const testGold = Array.from({ length: testRows }, (_, i) => labels[(i + 1) % 3]!);
  for (const lang of languages) {
    files[`dev-${lang}.tsv`] = devGold.map((l, i) => `${lang} premise ${Math.floor(i / 3)}\t${lang} hypothesis ${i}\t${l}\r\n`).join('');
    files[`test-${lang}.tsv`] = testGold.map((_, i) => `${lang} test premise ${Math.floor(i / 3)}\t${lang} test hypothesis ${i}\r\n`).join('');
  }
  files['test-genre-labels.tsv'] = 'index\tgenre\tlabel\n' + testGold.map((l, i) => `${i}\tfiction\t${l}\n`).join('');
  files['dev-genre-labels.tsv'] = 'index\tgenre\tlabel\n' + devGold.map((l, i) => `${i}\tfiction\t${l}\n`).join('');
  return files;
}

// Byte-level BPE tokenizers must give back every text of the two corpora exactly; NusaX runs on any
// clone (resources/ ships it), XNLI only where a copy exists (see test/helpers/corpora.ts).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { byteLevelBpeJson } from './fixtures/tokenizer-files';
import { CORPORA } from '../helpers/corpora';
import { nusaxTexts, xnliTexts } from './fixtures/corpus-texts';
import { tempDir } from './fixtures/temp-dir';

interface WorkerResult {
  checked: number;
  tokens: number;
  total: number;
  distinct: number;
  mismatches: { where: string; text: string; decoded: string }[];
}

/** Workers do not inherit tsx's loader, so each one starts by importing it and then the .ts file. */
function runShard(dir: string, corpus: 'nusax' | 'xnli', shard: number, shards: number): Promise<WorkerResult> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const file = new URL('./fixtures/roundtrip-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(file)}, ${JSON.stringify(file)}))`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: { dir, corpus, shard, shards } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`round-trip worker exited with ${code}`)));
  });
}

/** Learns merges from a sample of the corpus (so Thai, Chinese, Hindi... bytes merge too) and checks every text. */
async function roundTrip(corpus: 'nusax' | 'xnli', sample: readonly string[]) {
  const dir = tempDir();
  const json = byteLevelBpeJson({ corpus: [...sample], merges: 300 });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<|endoftext|>' }));
  // Two workers: the machine has two cores and XNLI alone is 19 million characters.
  const results = await Promise.all([runShard(dir, corpus, 0, 2), runShard(dir, corpus, 1, 2)]);
  const checked = results.reduce((n, r) => n + r.checked, 0);
  assert.equal(checked, results[0]!.distinct, 'every distinct text was checked');
  assert.ok(results.every((r) => r.tokens > r.checked), 'texts were really tokenized');
  assert.deepEqual(results.flatMap((r) => r.mismatches), []);
  return { total: results[0]!.total, checked };
}

test('byte-level BPE (Qwen2 split regex) round-trips every NusaX text exactly: decode(encode(x)) === x', { skip: CORPORA.skipWithoutNusax }, async () => {
  const { total, checked } = await roundTrip('nusax', nusaxTexts().filter((_, i) => i % 40 === 0).map((t) => t.text));
  assert.equal(total, 12 * 1000, 'all NusaX rows');
  assert.ok(checked > 11_000);
});

test('byte-level BPE round-trips every XNLI premise and hypothesis exactly', { skip: CORPORA.skipWithoutXnli }, async () => {
  const { total, checked } = await roundTrip('xnli', xnliTexts().filter((_, i) => i % 1500 === 0).map((t) => t.text));
  assert.equal(total, 15 * (2490 + 5010) * 2, 'every XNLI premise and hypothesis');
  assert.ok(checked > 140_000);
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { byteLevelBpeJson } from './fixtures/tokenizer-files';
import { nusaxTexts, sharedDataAvailable, SHARED_DATA, xnliTexts } from './fixtures/shared-texts';
import { tempDir } from './fixtures/temp-dir';

interface WorkerResult {
  checked: number;
  tokens: number;
  total: number;
  distinct: number;
  mismatches: { where: string; text: string; decoded: string }[];
}

/** Workers do not inherit tsx's loader, so each one starts by importing it and then the .ts file. */
function runShard(dir: string, shard: number, shards: number): Promise<WorkerResult> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const file = new URL('./fixtures/roundtrip-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(file)}, ${JSON.stringify(file)}))`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: { dir, shard, shards } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`round-trip worker exited with ${code}`)));
  });
}

test(
  'byte-level BPE (Qwen2 split regex) round-trips every NusaX and XNLI text exactly: decode(encode(x)) === x',
  { skip: sharedDataAvailable() ? false : `shared data not found at ${SHARED_DATA}` },
  async () => {
    // Merges learned from a sample of every language, so Thai, Chinese, Hindi... bytes merge too.
    const sample = [...nusaxTexts().filter((_, i) => i % 40 === 0), ...xnliTexts().filter((_, i) => i % 1500 === 0)];
    const dir = tempDir();
    const json = byteLevelBpeJson({ corpus: sample.map((t) => t.text), merges: 300 });
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<|endoftext|>' }));
    // Two workers: the machine has two cores and this is 19 million characters.
    const results = await Promise.all([runShard(dir, 0, 2), runShard(dir, 1, 2)]);
    const checked = results.reduce((n, r) => n + r.checked, 0);
    assert.equal(results[0]!.total, 12 * 1000 + 15 * (2490 + 5010) * 2, 'all NusaX rows and every XNLI premise and hypothesis');
    assert.equal(checked, results[0]!.distinct, 'every distinct text was checked');
    assert.ok(checked > 150_000);
    assert.ok(results.every((r) => r.tokens > r.checked), 'texts were really tokenized');
    assert.deepEqual(results.flatMap((r) => r.mismatches), []);
  },
);

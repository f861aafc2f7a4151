// `npm run bench:models [-- --json FILE --threads T --verify-onnx --keep DIR]`
// A Qwen2.5-0.5B-shaped model (24 layers, hidden 896, 14 heads / 2 kv heads of 64, FFN 4864, vocab
// 151936, tied embeddings, q/k/v biases; random bf16 weights written by a child process, so its
// memory is not counted) is loaded, predicts one batch of 16 × 128 tokens with the label-word
// protocol, and is exported to ONNX. Prints load time, forward time per batch, export time, the RSS
// after each phase and the peak RSS against 3 × the fp32 weight size. Never asserts.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { LocalRunner } from '../main/engine/runtime/runner';
import { Predictor } from '../main/models/classification/predictor';
import { resolveTask } from '../main/models/classification/task';
import { writeOnnxFolder } from '../main/models/export/onnx-model';
import { loadModel } from '../main/models/load';
import { BENCH_WORDS, writeRandomQwen } from './random-qwen';
import { median, printTable } from './stats';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '3' },
    'verify-onnx': { type: 'boolean', default: false },
    keep: { type: 'string' },
    'write-checkpoint': { type: 'string' },
  },
});
const [B, T] = [16, 128];

// Child mode: writes the random checkpoint and exits (its memory never touches the measured process).
if (args['write-checkpoint']) {
  writeRandomQwen(args['write-checkpoint']);
  process.exit(0);
}

const MiB = 2 ** 20;
const rss = () => process.memoryUsage().rss;
const peak = () => process.resourceUsage().maxRSS * 1024;
const phases: [string, number, number][] = [];
const timed = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const out = await fn();
  phases.push([name, performance.now() - t0, rss()]);
  return out;
};

const root = args.keep ?? mkdtempSync(join(tmpdir(), 'lontar-bench-models-'));
const modelDir = join(root, 'qwen2.5-0.5b-shaped');
try {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', process.argv[1]!, '--write-checkpoint', modelDir], { stdio: 'inherit' });
  if (child.status !== 0) throw new Error('writing the checkpoint failed');
  console.log(`random bf16 checkpoint written in ${((performance.now() - t0) / 1000).toFixed(1)} s (child process)\n`);
  const baseline = rss();

  const model = await timed('load (bf16 → fp32)', () => loadModel(modelDir));
  const fp32Bytes = [...model.weights.values()].reduce((s, t) => s + t.data.byteLength, 0);
  const task = resolveTask(model);
  const texts = Array.from({ length: B }, (_, b) => Array.from({ length: 60 }, (_, i) => BENCH_WORDS[(b * 7 + i * 5) % BENCH_WORDS.length]).join(' '));
  const examples = texts.map((text, i) => ({ id: String(i), text }));
  const runner = new LocalRunner({ threads: Number(args.threads), provider: 'cpu' });
  const predictor = Predictor.create(model, task, { runner, batchSize: B, maxLength: T });
  const first = await timed('first batch (graph + session + run)', () => predictor.predict(examples));
  const lengths = first.map((p) => p.inputIds.length);
  const forward: number[] = [];
  for (let i = 0; i < Number(args.repeats); i++) {
    const t = performance.now();
    await predictor.predict(examples);
    forward.push(performance.now() - t);
  }
  phases.push([`forward ${B}×${T} (median of ${forward.length})`, median(forward), rss()]);
  await predictor.close();
  const exportDir = join(root, 'onnx');
  await timed('export ONNX (graph + encode + write)', () => writeOnnxFolder(exportDir, model, task, { batch: B, seq: T }));
  const peakBytes = peak();

  let onnxDiff: number | undefined;
  if (args['verify-onnx']) {
    const session = await timed('verify: plain onnxruntime load', () => ort.InferenceSession.create(join(exportDir, 'model.onnx'), { intraOpNumThreads: Number(args.threads) }));
    const ids: number[] = [];
    const mask: number[] = [];
    for (const p of first) {
      ids.push(...Array(T - p.inputIds.length).fill(model.tokenizer.padTokenId), ...p.inputIds);
      mask.push(...Array(T - p.inputIds.length).fill(0), ...p.inputIds.map(() => 1));
    }
    const int64 = (v: number[]) => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), [B, T]);
    const out = await timed('verify: plain onnxruntime run', () => session.run({ input_ids: int64(ids), attention_mask: int64(mask) }));
    const logits = out['logits']!.data as Float32Array;
    onnxDiff = Math.max(...first.flatMap((p, b) => p.logits.map((v, c) => Math.abs(v - logits[b * 3 + c]!))));
  }

  console.log(`model: ${model.config.numLayers} layers, hidden ${model.config.hiddenSize}, ${model.config.numHeads}/${model.config.numKvHeads} heads, vocab ${model.config.vocabSize}`);
  console.log(`fp32 weights ${(fp32Bytes / MiB).toFixed(0)} MiB; budget 3 × = ${((3 * fp32Bytes) / MiB).toFixed(0)} MiB; tokens per row ${Math.min(...lengths)}..${Math.max(...lengths)}\n`);
  printTable(
    ['phase', 'ms', 'RSS after (MiB)'],
    phases.map(([name, ms, after]) => [name, Math.round(ms), Math.round(after / MiB)]),
  );
  console.log(`\nRSS before loading: ${(baseline / MiB).toFixed(0)} MiB`);
  console.log(`peak RSS (load + predict + export): ${(peakBytes / MiB).toFixed(0)} MiB = ${(peakBytes / fp32Bytes).toFixed(2)} × fp32 weights (budget 3 ×)`);
  if (onnxDiff !== undefined) console.log(`peak RSS with the plain-onnxruntime check: ${(peak() / MiB).toFixed(0)} MiB; max |engine − onnx| logit ${onnxDiff.toExponential(2)}`);
  if (args.json) {
    const ms = (prefix: string) => phases.find(([n]) => n.startsWith(prefix))?.[1];
    const result = {
      load_ms: ms('load'),
      first_batch_ms: ms('first batch'),
      forward_ms: ms('forward'),
      export_ms: ms('export'),
      peak_rss_bytes: peakBytes,
      fp32_weight_bytes: fp32Bytes,
      peak_over_fp32: peakBytes / fp32Bytes,
      onnx_max_abs_diff: onnxDiff ?? null,
    };
    writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  }
  await runner.close();
} finally {
  if (!args.keep) rmSync(root, { recursive: true, force: true });
}

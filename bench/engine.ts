// `npm run bench:engine [-- --json FILE --rounds R --repeats N --threads T --no-torch --torch-timeout S]`
// Times the engine on the reference configuration (4 layers, hidden 256, 4 heads, FFN 1024, vocab
// 8000, sequence 64, batch 16, 2 threads): a full AdamW training step, the CT-SFT-shaped step (1 of 4
// heads per layer + all norms, split layout), and forward-only inference; onnxruntime's plain MatMul
// rate on the model's GEMM shapes as the physical anchor; and, where PyTorch is importable, the same
// model and steps in PyTorch, interleaved round by round. Prints tables and ratios; never asserts.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeModel } from '../main/engine/onnx/encode';
import { LocalRunner } from '../main/engine/runtime/runner';
import { encoderForwardFlops } from '../main/models/architectures/encoder-classifier';
import { B, batches, cfg, ctsft, everything, referenceForward, referenceTrainer, startReferenceTwin, T } from './engine-reference';
import { measureMatmulAnchor } from './matmul-anchor';
import { median, printTable, timeCalls } from './stats';
import { blasWarning, findTorchPython, TorchTwin, TorchUnavailable } from './torch-bridge';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    'no-torch': { type: 'boolean', default: false },
    // seconds the PyTorch twin may take to start or to answer one timing call before it is dropped
    'torch-timeout': { type: 'string', default: '120' },
  },
});
const [rounds, repeats, threads] = [Number(args.rounds), Number(args.repeats), Number(args.threads)];
const WARMUP = 3;
let next = 0;
const nextBatch = () => batches[next++ % batches.length]!;

const runner = new LocalRunner({ threads, provider: 'cpu' });
const trainer = (layout: 'inputs' | 'split', trainability: typeof ctsft) => referenceTrainer(runner, layout, trainability);

console.log(`engine benchmark: ${cfg.layers} layers, hidden ${cfg.hidden}, ${cfg.heads} heads, FFN ${cfg.ffn}, vocab ${cfg.vocab}, seq ${T}, batch ${B}, ${threads} threads`);
const anchor = await measureMatmulAnchor(runner, B * T, cfg.hidden, cfg.ffn);

const full = trainer('inputs', everything);
const targeted = trainer('split', ctsft);
await full.start('b');
await targeted.start('b');
const forward = await runner.load(encodeModel(referenceForward()));
const forwardRun = () => runner.run(forward.id, { feeds: nextBatch() });
const engineInitialLoss = Number((await runner.run(forward.id, { feeds: batches[0]! })).loss!.data[0]);

const found = args['no-torch'] ? { reason: 'skipped (--no-torch)' } : findTorchPython();
let torch: TorchTwin | undefined;
let torchMissing = 'reason' in found ? found.reason : '';
let torchInfo = '';
const workDir = mkdtempSync(join(tmpdir(), 'lontar-bench-'));
/** Runs a twin call; on a time-out or crash drops the twin and keeps why, so the run goes on without it. */
async function withTorch<T>(call: (t: TorchTwin) => Promise<T>): Promise<T | undefined> {
  if (!torch) return undefined;
  try {
    return await call(torch);
  } catch (e) {
    if (!(e instanceof TorchUnavailable)) throw e;
    torchMissing = e.message;
    torch.close();
    torch = undefined;
    return undefined;
  }
}
if ('python' in found) {
  try {
    torch = await startReferenceTwin(found.python, workDir, threads, Number(args['torch-timeout']) * 1000);
    torchInfo = `torch ${torch.version}; ${torch.env}; BLAS ${torch.ready.blas ?? 'unknown'} at ${torch.ready.matmul_gflops.toFixed(0)} GFLOP/s`;
    const warning = blasWarning(torch.ready);
    if (warning) console.log(`warning: ${warning}`);
  } catch (e) {
    if (!(e instanceof TorchUnavailable)) throw e;
    torchMissing = e.message;
  }
}
const torchInitialLoss = torch?.initialLoss;

const stepFlops = 3 * encoderForwardFlops(cfg, B, T);
const fwdFlops = encoderForwardFlops(cfg, B, T);
const LOOP_K = 8;
const perRound: Record<string, number[]> = { full: [], fullLoop: [], ctsft: [], forward: [], torchTrain: [], torchForward: [] };
for (let r = 0; r < rounds; r++) {
  next = 0;
  perRound.full!.push(median(await timeCalls(() => full.trainStep('b', nextBatch()), WARMUP, repeats)));
  const torchTrain = await withTorch((t) => t.run('train', WARMUP, repeats));
  if (torchTrain) perRound.torchTrain!.push(median(torchTrain.ms));
  perRound.ctsft!.push(median(await timeCalls(() => targeted.trainStep('b', nextBatch()), WARMUP, repeats)));
  const loopRuns = Math.max(3, Math.ceil(repeats / LOOP_K));
  perRound.fullLoop!.push(median(await timeCalls(() => full.trainSteps('b', batches.slice(0, LOOP_K)), 1, loopRuns)) / LOOP_K);
  perRound.forward!.push(median(await timeCalls(forwardRun, WARMUP, repeats)));
  const torchForward = await withTorch((t) => t.run('forward', WARMUP, repeats));
  if (torchForward) perRound.torchForward!.push(median(torchForward.ms));
}
torch?.close();
rmSync(workDir, { recursive: true, force: true });

// Rounds the twin answered (a dropped twin leaves the later rounds without it).
const hasTorch = perRound.torchTrain!.length > 0;
const ratio = (ours: number[], theirs: number[]) => (theirs.length ? median(theirs.map((t, i) => ours[i]! / t)) : null);
const cell = (xs: number[], r: number) => xs[r] ?? 'n/a';
const rows: (string | number)[][] = [];
for (let r = 0; r < rounds; r++) {
  const row: (string | number)[] = [String(r + 1), perRound.full![r]!, perRound.fullLoop![r]!, perRound.ctsft![r]!, perRound.forward![r]!];
  const [tt, tf] = [perRound.torchTrain!, perRound.torchForward!];
  if (hasTorch) row.push(cell(tt, r), cell(tf, r), tt[r] ? perRound.full![r]! / tt[r]! : 'n/a', tf[r] ? perRound.forward![r]! / tf[r]! : 'n/a');
  rows.push(row);
}
console.log('\nper round (median ms of', repeats, 'steps after', WARMUP, 'warm-up):');
printTable(['round', 'train', `train (${LOOP_K}/run)`, 'ct-sft', 'forward', ...(hasTorch ? ['torch train', 'torch fwd', 'train/torch', 'fwd/torch'] : [])], rows);
if (torchMissing) console.log(`PyTorch column${hasTorch ? ' incomplete' : ' missing'}: ${torchMissing}`);

const trainMs = median(perRound.full!);
const summary = {
  train_step_ms: trainMs,
  train_gflops: stepFlops / (trainMs * 1e6),
  matmul_gflops: anchor.combined,
  ctsft_over_full: median(perRound.ctsft!.map((c, i) => c / perRound.full![i]!)),
  forward_ms: median(perRound.forward!),
  torch_train_ratio: ratio(perRound.full!, perRound.torchTrain!),
  torch_forward_ratio: ratio(perRound.forward!, perRound.torchForward!),
  torch_missing: torchMissing || null,
};
const noTorch = `n/a (${torchMissing ? torchMissing.split(':')[0] : 'no torch'})`;
console.log('\nsummary:');
printTable(
  ['measure', 'value', 'target'],
  [
    ['train step ms', summary.train_step_ms, ''],
    [`train step ms, ${LOOP_K} steps per run (Loop)`, median(perRound.fullLoop!), `${(median(perRound.fullLoop!.map((l, i) => l / perRound.full![i]!))).toFixed(2)} × one step per run`],
    ['train GFLOP/s', summary.train_gflops, ''],
    ['plain MatMul GFLOP/s (model GEMM mix)', anchor.combined, `${anchor.square.toFixed(0)} (d×d), ${anchor.ffn.toFixed(0)} (FFN)`],
    ['train / MatMul rate', summary.train_gflops / anchor.combined, '≥ 0.65'],
    ['CT-SFT step / full step', summary.ctsft_over_full, '≤ 0.55'],
    ['forward ms', summary.forward_ms, `${(fwdFlops / (summary.forward_ms * 1e6)).toFixed(0)} GFLOP/s`],
    ['train / PyTorch train', summary.torch_train_ratio ?? noTorch, '≤ 0.8'],
    ['forward / PyTorch forward', summary.torch_forward_ratio ?? noTorch, '≤ 0.6'],
  ],
);
console.log(`\ninitial loss: engine ${engineInitialLoss.toFixed(6)}${torchInitialLoss !== undefined ? `, PyTorch ${torchInitialLoss.toFixed(6)} (${torchInfo})` : ''}`);
console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
if (args.json) writeFileSync(args.json, `${JSON.stringify(summary, null, 2)}\n`);
await full.dispose();
await targeted.dispose();
await runner.close();

// `npm run bench:engine-profile [-- --repeats N --threads T --no-torch --torch-timeout S]`
// Where bench:engine's reference training step and forward spend their time, kernel by kernel, beside
// PyTorch's: onnxruntime's own profile of the same sessions (GEMM kernels with their achieved rate,
// every other kernel, the forward / backward / optimizer phases by the graph's scopes) against the
// twin's perf_counter phases and torch.profiler op times. It answers whether bench:engine's
// misses are onnxruntime's kernels (GEMMs slower than PyTorch's) or the rest (elementwise kernels,
// copies, the binding). Profiling costs a little: the unprofiled wall times are printed too.

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeModel } from '../main/engine/onnx/encode';
import { LocalRunner } from '../main/engine/runtime/runner';
import { encoderForwardFlops } from '../main/models/architectures/encoder-classifier';
import { B, batches, cfg, everything, referenceForward, referenceTrainer, startReferenceTwin, T } from './engine-reference';
import { measureMatmulAnchor } from './matmul-anchor';
import { GEMM_OPS, perRunBy, readOrtProfile, type OrtProfile } from './ort-profile';
import { median, printTable, timeCalls } from './stats';
import { findTorchPython, TorchUnavailable, type TorchProfile, type TorchTwin } from './torch-bridge';

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    'no-torch': { type: 'boolean', default: false },
    'torch-timeout': { type: 'string', default: '180' },
  },
});
const [repeats, threads] = [Number(args.repeats), Number(args.threads)];
const WARMUP = 3;
const TORCH_GEMM = new Set(['aten::mm', 'aten::addmm', 'aten::bmm', 'aten::baddbmm']);
const work = mkdtempSync(join(tmpdir(), 'lontar-profile-'));
let next = 0;
const nextBatch = () => batches[next++ % batches.length]!;

console.log(`engine profile: ${cfg.layers} layers, hidden ${cfg.hidden}, ${cfg.heads} heads, FFN ${cfg.ffn}, vocab ${cfg.vocab}, seq ${T}, batch ${B}, ${threads} threads, ${repeats} profiled runs after ${WARMUP} warm-up`);

// Unprofiled walls, as bench:engine measures them.
const plain = new LocalRunner({ threads, provider: 'cpu' });
const anchor = await measureMatmulAnchor(plain, B * T, cfg.hidden, cfg.ffn);
const plainTrainer = referenceTrainer(plain, 'inputs', everything);
await plainTrainer.start('b');
const wall = { train: median(await timeCalls(() => plainTrainer.trainStep('b', nextBatch()), WARMUP, repeats)), forward: 0 };
const plainForward = await plain.load(encodeModel(referenceForward()));
wall.forward = median(await timeCalls(() => plain.run(plainForward.id, { feeds: nextBatch() }), WARMUP, repeats));
await plainTrainer.dispose();
await plain.close();

/** Runs `fn` on a runner that profiles its sessions; returns the profile of its busiest session, warm-up left out. */
async function profiled(name: string, fn: (runner: LocalRunner) => Promise<void>): Promise<OrtProfile> {
  const dir = join(work, name);
  mkdirSync(dir);
  const runner = new LocalRunner({ threads, provider: 'cpu', profilePrefix: join(dir, 'ort') });
  await fn(runner);
  runner.endProfiling();
  await runner.close();
  const profiles = readdirSync(dir).map((f) => readOrtProfile(join(dir, f), WARMUP));
  if (profiles.length === 0) throw new Error(`onnxruntime wrote no profile under ${dir}`);
  return profiles.reduce((a, b) => (b.runs.length > a.runs.length ? b : a));
}

const engineTrain = await profiled('train', async (runner) => {
  const trainer = referenceTrainer(runner, 'inputs', everything);
  await trainer.start('b');
  for (let i = 0; i < WARMUP + repeats; i++) await trainer.trainStep('b', nextBatch());
  await trainer.dispose();
});
const engineForward = await profiled('forward', async (runner) => {
  const session = await runner.load(encodeModel(referenceForward()));
  for (let i = 0; i < WARMUP + repeats; i++) await runner.run(session.id, { feeds: nextBatch() });
});

let torchMissing = '';
const twinProfiles: { train?: TorchProfile; forward?: TorchProfile; trainWall?: number; forwardWall?: number } = {};
const found = args['no-torch'] ? { reason: 'skipped (--no-torch)' } : findTorchPython();
if ('python' in found) {
  let twin: TorchTwin | undefined;
  try {
    twin = await startReferenceTwin(found.python, work, threads, Number(args['torch-timeout']) * 1000);
    twinProfiles.trainWall = median((await twin.run('train', WARMUP, repeats)).ms);
    twinProfiles.train = await twin.profile('train', WARMUP, repeats);
    twinProfiles.forwardWall = median((await twin.run('forward', WARMUP, repeats)).ms);
    twinProfiles.forward = await twin.profile('forward', WARMUP, repeats);
  } catch (e) {
    if (!(e instanceof TorchUnavailable)) throw e;
    torchMissing = e.message;
  } finally {
    twin?.close();
  }
} else torchMissing = found.reason;
rmSync(work, { recursive: true, force: true });

const ms = (us: number) => us / 1000;
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);
const gflops = (flops: number, milliseconds: number) => (milliseconds > 0 ? flops / (milliseconds * 1e6) : NaN);

function report(what: 'train' | 'forward', engine: OrtProfile, wallMs: number, twin: TorchProfile | undefined, twinWall: number | undefined) {
  const runs = Math.max(1, engine.runs.length);
  const kernels = ms(sum(engine.kernels.map((k) => k.us))) / runs;
  const gemm = engine.kernels.filter((k) => GEMM_OPS.has(k.op));
  const gemmMs = ms(sum(gemm.map((k) => k.us))) / runs;
  const gemmFlops = sum(gemm.map((k) => k.flops)) / runs;
  const twinOps = twin ? Object.entries(twin.ops_us) : [];
  const twinAll = twin ? ms(sum(twinOps.map(([, us]) => us))) : NaN;
  const twinGemm = twin ? ms(sum(twinOps.filter(([n]) => TORCH_GEMM.has(n)).map(([, us]) => us))) : NaN;
  const phases = new Map(perRunBy(engine, (k) => k.phase));
  const row = (measure: string, ours: number, theirs: number | undefined, note = '') => [measure, ours, theirs ?? '—', theirs ? ours / theirs : '—', note];
  const rows = [
    row('wall, unprofiled', wallMs, twinWall),
    row('inside onnxruntime (model_run, profiled)', ms(median(engine.runs)), twin?.phases_ms.step, 'PyTorch: perf_counter, unprofiled'),
    row('kernels, all', kernels, twin ? twinAll : undefined, twin ? `PyTorch: ops' own time under the profiler (its wall ${twin.profiled_ms.toFixed(0)} ms a step)` : ''),
    row('GEMM kernels', gemmMs, twin ? twinGemm : undefined, `${gflops(gemmFlops, gemmMs).toFixed(0)} GFLOP/s${twin ? ` vs ${gflops(gemmFlops, twinGemm).toFixed(0)} (the same GEMMs)` : ''}; plain MatMul ${anchor.combined.toFixed(0)}`),
    row('other kernels', kernels - gemmMs, twin ? twinAll - twinGemm : undefined),
  ];
  if (what === 'train') {
    rows.push(row('forward phase', ms(phases.get('forward') ?? 0), twin?.phases_ms.forward, 'engine: kernels by scope; PyTorch: perf_counter'));
    rows.push(row('backward phase', ms(phases.get('backward') ?? 0), twin?.phases_ms.backward));
    rows.push(row('optimizer phase', ms(phases.get('optimizer') ?? 0), twin?.phases_ms.optimizer));
  }
  console.log(`\n${what === 'train' ? 'training step (full, AdamW)' : 'forward'}, ms per ${what === 'train' ? 'step' : 'run'}:`);
  printTable(['measure', 'engine', 'PyTorch', 'engine / PyTorch', ''], rows);

  const top = perRunBy(engine, (k) => k.op).slice(0, 12);
  const twinTop = twinOps.sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`\nlargest ${what} kernels, ms per ${what === 'train' ? 'step' : 'run'} (engine: by op type; PyTorch: ops' own time):`);
  printTable(
    ['engine op', 'ms', 'share', 'PyTorch op', 'ms', 'share'],
    Array.from({ length: Math.max(top.length, twinTop.length) }, (_, i) => [
      top[i]?.[0] ?? '', top[i] ? ms(top[i]![1]) : '', top[i] ? ms(top[i]![1]) / kernels : '',
      twinTop[i]?.[0] ?? '', twinTop[i] ? ms(twinTop[i]![1]) : '', twinTop[i] ? ms(twinTop[i]![1]) / twinAll : '',
    ]),
  );
  // What the target would need: the GEMMs alone at the plain MatMul rate, against the target's budget.
  const flopsPerRun = what === 'train' ? 3 * encoderForwardFlops(cfg, B, T) : encoderForwardFlops(cfg, B, T);
  const target = what === 'train' ? 0.8 : 0.6;
  if (twinWall) {
    const budget = target * twinWall;
    console.log(
      `target ${target} × PyTorch = ${budget.toFixed(1)} ms; the step's ${(flopsPerRun / 1e9).toFixed(2)} GFLOP at the plain MatMul rate alone take ${(flopsPerRun / (anchor.combined * 1e6)).toFixed(1)} ms, ` +
        `the engine's GEMM kernels ${gemmMs.toFixed(1)} ms, its other kernels ${(kernels - gemmMs).toFixed(1)} ms and the rest of the wall ${(wallMs - kernels).toFixed(1)} ms`,
    );
  }
}

report('train', engineTrain, wall.train, twinProfiles.train, twinProfiles.trainWall);
report('forward', engineForward, wall.forward, twinProfiles.forward, twinProfiles.forwardWall);
if (torchMissing) console.log(`\nPyTorch column missing: ${torchMissing}`);

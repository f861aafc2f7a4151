// `npm run bench:scale [-- --threads 2 --batch 16 --limit-gib 21 --skip-torch --skip-epochs --json FILE]`
// The paper's model size on this machine: random weights in Qwen2.5-0.5B's exact shapes (24 layers,
// 14 heads of 64, 2 KV heads, hidden 896, FFN 4864, vocab 151,936, tied embeddings), built here, and
// every phase of the protocol measured in a process of its own (so each peak RSS is its own):
//   forward · CT-SFT step (18 heads + norms) · full fine-tuning step (AdamW), each also in
//   micro-batches of --micro rows (gradient accumulation) · epochs of 100 examples with one step per
//   run, with a 4-step Loop and in micro-batches · discovery iteration 0 (3 source layers
//   measured, the rest interpolated: a projection) and the fast screen —
// each beside a plain float32 PyTorch twin with the same weights (bench/torch_qwen_scale.py) where
// torch imports. A phase whose RSS passes --limit-gib is killed and reported as not fitting, so the
// benchmark cannot take the machine down. Takes about 30 minutes; prints tables, never asserts.

import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveTask } from '../main/models/classification/task';
import { loadModelConfig } from '../main/models/config';
import { LontarTokenizer } from '../main/models/tokenizer';
import { writeRandomQwen } from './random-qwen';
import { runMeasuredPhase, type PhaseResult } from './phase-runner';
import { PAPER_HEADS } from './scale-heads';
import { median, printTable } from './stats';
import { findTorchPython, torchEnv } from './torch-bridge';

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '16' },
    'limit-gib': { type: 'string', default: '21' },
    'skip-torch': { type: 'boolean', default: false },
    'skip-epochs': { type: 'boolean', default: false },
    /** Rows per gradient run in the micro-batched phases. */
    micro: { type: 'string', default: '4' },
    /** Run only the phases whose name contains this text (e.g. "micro", "discovery"). */
    only: { type: 'string' },
    /** Per-phase wall-clock limit in seconds. */
    timeout: { type: 'string', default: '900' },
    json: { type: 'string' },
  },
});
const threads = args.threads!;
const batch = args.batch!;
const limitMiB = Number(args['limit-gib']) * 1024;

const runPhase = (name: string, side: PhaseResult['side'], command: string, argv: string[], env: NodeJS.ProcessEnv) =>
  runMeasuredPhase(name, side, command, argv, env, { limitMiB, limitLabel: `${args['limit-gib']} GiB`, timeoutSeconds: Number(args.timeout) });

const dir = mkdtempSync(join(tmpdir(), 'lontar-bench-scale-'));
const results: PhaseResult[] = [];
try {
  console.error(`building a random Qwen2.5-0.5B-shaped model in ${dir} …`);
  writeRandomQwen(dir);
  const config = loadModelConfig(dir);
  // The label words' token ids for the twin (the sentiment preset's words; the weights are not needed).
  const task = resolveTask({ config, tokenizer: LontarTokenizer.load(dir, { config }), layout: undefined as never });
  const labelIds = task.labels.map((l) => l.tokenId);
  const fp32Weights = statSync(join(dir, 'model.safetensors')).size * 2; // stored as BF16 (header bytes are negligible)
  const torch = args['skip-torch'] ? { reason: 'skipped (--skip-torch)' } : findTorchPython();
  const wanted = (name: string) => args.only === undefined || name.includes(args.only);
  const engine = async (name: string, extra: string[]) => {
    if (wanted(name)) results.push(await runPhase(name, 'engine', process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'scale-phase.ts'), '--model', dir, '--threads', threads, '--batch', batch, ...extra], process.env));
  };
  const twin = async (name: string, phase: string, steps: number) => {
    if (!('python' in torch) || !wanted(name)) return;
    const argv = [join(import.meta.dirname, 'torch_qwen_scale.py'), dir, phase, batch, '128', threads, String(steps), JSON.stringify(PAPER_HEADS), JSON.stringify(labelIds)];
    results.push(await runPhase(name, 'PyTorch', torch.python, argv, torchEnv(threads)));
  };

  // Interleaved phase by phase, engine first, so both sides see the same machine state.
  await engine('forward', ['--phase', 'forward', '--repeats', '2']);
  await twin('forward', 'forward', 2);
  await engine('CT-SFT step', ['--phase', 'ctsft', '--repeats', '2']);
  await twin('CT-SFT step', 'ctsft', 2);
  await engine('full FT step', ['--phase', 'full', '--repeats', '2']);
  await twin('full FT step', 'full', 2);
  const micro = args.micro!;
  await engine(`CT-SFT step, micro-batches of ${micro}`, ['--phase', 'ctsft', '--repeats', '2', '--micro', micro]);
  await engine(`full FT step, micro-batches of ${micro}`, ['--phase', 'full', '--repeats', '2', '--micro', micro]);
  if (!args['skip-epochs']) {
    for (const [label, phase] of [['CT-SFT', 'ctsft'], ['full FT', 'full']] as const) {
      await engine(`${label} epoch (100 examples)`, ['--phase', phase, '--epoch']);
      await engine(`${label} epoch (100 examples), Loop 4`, ['--phase', phase, '--epoch', '--loop', '4']);
      await engine(`${label} epoch (100 examples), micro-batches of ${micro}`, ['--phase', phase, '--epoch', '--micro', micro]);
      await twin(`${label} epoch (100 examples)`, phase, Math.ceil(100 / Number(batch)) - 1);
    }
  }
  await engine('discovery iteration 0 + fast screen', ['--phase', 'discovery']);

  const seconds = (r: PhaseResult) => {
    const s = r.data.seconds as number[] | undefined;
    if (!s) return NaN;
    // an epoch: its whole time; PyTorch's epoch is its first step plus the others
    return r.data.epoch === true ? s[0]! : r.name.includes('epoch') ? (r.data.firstRun as number) + s.reduce((a, b) => a + b, 0) : median(s);
  };
  const figure = (r: PhaseResult | undefined) => (!r ? '—' : r.ok ? seconds(r) : (r.failure ?? 'failed'));
  const peak = (r: PhaseResult | undefined) => (!r ? '—' : `${(r.peakRssMiB / 1024).toFixed(1)}${r.ok ? '' : ' (at kill)'}`);
  const names = [...new Set(results.filter((r) => !r.name.startsWith('discovery')).map((r) => r.name))];
  console.log(`\nQwen2.5-0.5B shapes (random weights, fp32 weights ${(fp32Weights / 2 ** 30).toFixed(2)} GiB), batch ${batch} × 128, ${threads} threads; steps: median of the runs after the first`);
  if (!('python' in torch)) console.log(`PyTorch column missing: ${torch.reason}`);
  printTable(
    ['phase', 'engine s', 'estimated s', 'engine peak GiB', 'peak / fp32 weights', 'estimated peak GiB', 'estimate / peak', 'first run s', 'PyTorch s', 'PyTorch peak GiB', 'engine / PyTorch'],
    names.map((name) => {
      const e = results.find((r) => r.name === name && r.side === 'engine');
      const p = results.find((r) => r.name === name && r.side === 'PyTorch');
      const estimated = e?.data.estimate as { peakMiB: number; secondsPerStep: number } | undefined;
      const estimate = estimated?.peakMiB;
      const estimatedSeconds = !estimated ? '—' : estimated.secondsPerStep * (e?.data.epoch === true ? Math.ceil(100 / Number(batch)) : 1);
      return [
        name, figure(e), estimatedSeconds, peak(e), e ? e.peakRssMiB / (fp32Weights / 2 ** 20) : NaN,
        estimate === undefined ? '—' : estimate / 1024, estimate === undefined || !e?.ok ? '—' : estimate / e.peakRssMiB,
        (e?.data.firstRun as number | undefined) ?? NaN, figure(p), peak(p), e?.ok && p?.ok ? seconds(e) / seconds(p) : '—',
      ];
    }),
  );
  // an epoch as run one step per run, else in micro-batches (full fine-tuning fits only that way)
  const epoch = (label: string) =>
    [`${label} epoch (100 examples)`, `${label} epoch (100 examples), micro-batches of ${micro}`]
      .map((n) => results.find((r) => r.name === n && r.side === 'engine' && r.ok))
      .find((r) => r !== undefined);
  const [ctsftEpoch, fullEpoch] = [epoch('CT-SFT'), epoch('full FT')];
  const torchFull = results.find((r) => r.name === 'full FT epoch (100 examples)' && r.side === 'PyTorch' && r.ok);
  const over = (x: PhaseResult | undefined, y: PhaseResult | undefined) => (x && y ? `${(seconds(x) / seconds(y)).toFixed(3)} (${x.name} / ${y.name})` : 'n/a');
  console.log(`\ntargets: CT-SFT epoch / full epoch = ${over(ctsftEpoch, fullEpoch)} (≤ 0.6); CT-SFT epoch / PyTorch full epoch = ${over(ctsftEpoch, torchFull)} (≤ 1); CT-SFT peak ≤ 2.5 × and full FT peak ≤ 5 × fp32 weights`);
  const d = results.find((r) => r.name.startsWith('discovery'));
  if (d?.ok) {
    type Estimate = { iteration0Seconds: number; peakMiB: number; scoringPeakMiB: number; path: string };
    const m = d.data as { measuredLayers: Record<string, number>; forward: number; trace: number; traceCompile: number; iteration0Measured: { seconds: number; phases: Record<string, number>; peakMiB: number }; runsPerLayer: number; iteration0Projected: number; fastScreen: number; batchSize: number; seq: number; peakRssMiB: number; scoringPeakMiB: number; discoveryEstimate: Estimate };
    const e = m.discoveryEstimate;
    const gib = (mib: number) => (mib / 1024).toFixed(2);
    console.log(`\ndiscovery at the default settings (M = D = 50, batch ${m.batchSize} × ${m.seq}, β path: ${e.path})`);
    printTable(
      ['measure', 'measured', 'estimated', 'estimate / measured'],
      [
        ['forward of one batch, s', m.forward, '—', '—'],
        ['clean forward traced for the row runs, one batch (compiling it once: + s)', `${m.trace.toFixed(2)} (+ ${m.traceCompile.toFixed(2)})`, '—', '—'],
        ...Object.entries(m.measuredLayers).map(([l, s]) => [`relevance runs of source layer ${l} (${m.runsPerLayer} run(s), 14 heads), one batch, s`, s, '—', '—'] as [string, number, string, string]),
        ['iteration 0, all 336 heads, PROJECTED ((trace + layers interpolated) × batches, + compile, + mean baseline), s', m.iteration0Projected, e.iteration0Seconds, (e.iteration0Seconds / m.iteration0Projected).toFixed(2)],
        [`iteration 0, all 336 heads, MEASURED end to end (${Object.entries(m.iteration0Measured.phases).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}), s`, m.iteration0Measured.seconds, e.iteration0Seconds, (e.iteration0Seconds / m.iteration0Measured.seconds).toFixed(2)],
        ['fast screen over 50 examples, s', m.fastScreen, '—', '—'],
        ['peak while scoring (per-layer runs), GiB', gib(m.scoringPeakMiB), gib(e.scoringPeakMiB), (e.scoringPeakMiB / m.scoringPeakMiB).toFixed(2)],
        ['peak through iteration 0 end to end, GiB', gib(m.iteration0Measured.peakMiB), gib(e.scoringPeakMiB), (e.scoringPeakMiB / m.iteration0Measured.peakMiB).toFixed(2)],
        ['peak with the fast screen, GiB', gib(m.peakRssMiB), gib(e.peakMiB), (e.peakMiB / m.peakRssMiB).toFixed(2)],
      ],
    );
  } else if (d) console.log(`\ndiscovery: ${d.failure}`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ fp32Weights, results }, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

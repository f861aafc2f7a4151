// `npm run bench:device [-- --provider cuda --layers 24 --json FILE]`: the device benchmark of a
// Qwen2.5-0.5B-shaped model (random weights; batch 16 × 128): forward, a full fine-tuning step, a
// CT-SFT step (18 heads + norms, split layout) one step per run and 8 per run (Loop), and CD-T scoring
// of every head against the logits on 50 examples. Prepared to run in one go on a lent GPU machine
// (scripts/device-check.sh); on a CPU use --layers 2 for a quick look. Prints a table; never asserts.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CircuitSession } from '../main/circuits/circuit-session';
import { computeMeanBaseline } from '../main/circuits/mean-baseline';
import { buildRelevanceGraph, MEAN_INPUT } from '../main/circuits/relevance-graph';
import { DEFAULT_DISCOVERY } from '../main/circuits/run-discovery';
import { Trainer } from '../main/engine/optim/trainer';
import type { Trainability } from '../main/engine/params/binding';
import { resolveProvider } from '../main/engine/runtime/provider';
import { LocalRunner } from '../main/engine/runtime/runner';
import { hostTensor } from '../main/engine/tensor';
import { resolveTask } from '../main/models/classification/task';
import { buildTaskModel } from '../main/models/classification/task-model';
import { loadModel } from '../main/models/load';
import { BENCH_WORDS, writeRandomQwen } from './random-qwen';
import { median, printTable, timeCalls } from './stats';

const { values: args } = parseArgs({
  options: {
    provider: { type: 'string', default: 'auto' },
    layers: { type: 'string', default: '24' },
    repeats: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const layers = Number(args.layers);
const repeats = Number(args.repeats);
const [B, T] = [16, 128];
const dir = mkdtempSync(join(tmpdir(), 'lontar-device-'));
await resolveProvider(args.provider === 'cpu' ? 'cpu' : 'auto'); // probe CUDA once
const runner = new LocalRunner({ provider: args.provider as 'auto' | 'cpu' | 'cuda' });
console.log(`device benchmark: Qwen2.5-0.5B shapes, ${layers} layers, batch ${B} × ${T}; ${runner.provider.provider} (${runner.provider.reason})`);

writeRandomQwen(dir, { layers });
const model = loadModel(dir);
const task = resolveTask(model);
const text = Array.from({ length: 120 }, (_, i) => BENCH_WORDS[i % BENCH_WORDS.length]).join(' ');
const examples = Array.from({ length: 50 }, (_, i) => ({ id: `x${i}`, text, label: task.labels[i % 3]!.name }));
const session = await CircuitSession.open(model, task, { runner, batchSize: B, maxLength: T });
session.fixLength(examples);
const [batch] = session.batches(examples.slice(0, B));
const rows: [string, number, string][] = [];

// Forward
const forward = () => {
  const m = session.taskModel();
  m.graph.output(m.logits, 'logits');
  return m.graph;
};
rows.push(['forward ms', median(await timeCalls(() => session.run('forward', forward, batch!, {}, ['logits']), 1, repeats)), 'batch 16 × 128']);

// Training steps: full fine-tuning, and CT-SFT on 18 heads (6 per iteration × 3) plus every norm.
const { numHeads: H, headDim: Dh, numKvHeads: KV } = model.config;
const circuit = Array.from({ length: 18 }, (_, i) => ({ layer: (i * 7) % layers, head: (i * 5) % H }));
const ctsft = (name: string): Trainability => {
  if (name.endsWith('norm.weight')) return { kind: 'whole' };
  const m = /^model\.layers\.(\d+)\.self_attn\.(q|k|v|o)_proj\.(weight|bias)$/.exec(name);
  if (!m) return { kind: 'frozen' };
  const heads = circuit.filter((h) => h.layer === Number(m[1]));
  if (heads.length === 0) return { kind: 'frozen' };
  const rows = (h: number) => ({ start: h * Dh, end: (h + 1) * Dh });
  if (m[2] === 'q') return { kind: 'slices', axis: 0, ranges: heads.map((h) => rows(h.head)) };
  if (m[2] === 'o') return { kind: 'slices', axis: 1, ranges: heads.map((h) => rows(h.head)) };
  return { kind: 'slices', axis: 0, ranges: heads.map((h) => rows(Math.floor(h.head / (H / KV)))) };
};
const trainFeeds = { ...batch!.feeds };
for (const [name, layout, trainability] of [
  ['full fine-tuning step ms', 'inputs', () => ({ kind: 'whole' })],
  ['CT-SFT step ms (18 heads + norms)', 'split', ctsft],
] as [string, 'inputs' | 'split', (n: string) => Trainability][]) {
  const trainer = new Trainer({
    runner,
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 5e-5 },
    build: () => {
      const m = buildTaskModel(model, task, { batch: B, seq: session.seq }, { bind: { layout, trainability } });
      return { graph: m.graph, loss: m.loss, trainables: m.params.trainables };
    },
  });
  await trainer.start('b');
  rows.push([name, median(await timeCalls(() => trainer.trainStep('b', trainFeeds), 1, repeats)), 'one step per run']);
  const eight = Array.from({ length: 8 }, () => trainFeeds);
  rows.push([`${name.replace(' ms', '')}, 8 per run, ms per step`, median(await timeCalls(() => trainer.trainSteps('b', eight), 1, repeats)) / 8, 'ONNX Loop']);
  await trainer.dispose();
}

// CD-T: every head scored against the logits on 50 examples (iteration 0 of discovery).
const mean = await computeMeanBaseline(session, examples);
const t0 = performance.now();
for (let layer = 0; layer < layers; layer++) {
  const spec = { sourceLayer: layer, targets: { kind: 'logits' as const }, cd: DEFAULT_DISCOVERY.cd, sourceScope: DEFAULT_DISCOVERY.sourceScope };
  const feed = { [MEAN_INPUT]: hostTensor(session.floatType, [1, session.seq, H, Dh], mean.layers[layer]!) };
  for (const b of session.batches(examples)) await session.run(`relevance|${layer}`, () => buildRelevanceGraph(session, spec), b, feed, ['directional']);
}
rows.push([`CD-T scoring of all ${layers * H} heads, 50 examples, s`, (performance.now() - t0) / 1000, 'iteration 0']);

printTable(['measure', 'value', 'note'], rows);
if (args.json) writeFileSync(args.json, `${JSON.stringify({ provider: runner.provider, layers, rows }, null, 2)}\n`);
await session.close();
await runner.close();
rmSync(dir, { recursive: true, force: true });

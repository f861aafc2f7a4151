// `npm run bench:transfer [-- --threads 2 --rounds 3 --n 64 --layers 2 --json FILE]`
// The cost of a CT-SFT epoch against a full fine-tuning epoch on the same model, examples, recipe
// and padded shape (batch 16, NusaX Indonesian prompts up to 128 tokens), for
//   1. the bundled demo model, 4 circuit heads + norms;
//   2. a Qwen2.5-0.5B-shaped model cut to --layers layers (hidden 896, 14 heads / 2 kv heads,
//      FFN 4864, vocab 151936, tied embeddings), 6 circuit heads + norms (the paper's depth-0 budget).
// Epochs are timed after the graphs are compiled, interleaved round by round; graph building and
// session creation are reported separately. Target: CT-SFT epoch ≤ 0.6 × full epoch. Never asserts.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Head } from '../main/circuits/heads';
import { readExamples } from '../main/cli/read-examples';
import { LocalRunner } from '../main/engine/runtime/runner';
import { resolveTask } from '../main/models/classification/task';
import { loadModel, type LoadedModel } from '../main/models/load';
import { DEMO_DATA, DEMO_MODEL } from '../main/transfer/demo';
import { FineTuning } from '../main/transfer/fine-tune';
import { recipeSchema, stepsPerEpoch } from '../main/transfer/recipe';
import { trainableScope, type ScopeSpec } from '../main/transfer/trainable-scope';
import { writeRandomQwen } from './random-qwen';
import { median, printTable } from './stats';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    n: { type: 'string', default: '64' },
    layers: { type: 'string', default: '2' },
    'skip-qwen': { type: 'boolean', default: false },
  },
});
const [threads, rounds, n, layers] = [Number(args.threads), Number(args.rounds), Number(args.n), Number(args.layers)];
const runner = new LocalRunner({ threads, provider: 'cpu' });
const examples = readExamples(DEMO_DATA, { split: 'train', language: 'ind' }).slice(0, n);
const recipe = recipeSchema.parse({ epochs: 2 * rounds + 2, lr: 1e-3 }); // more epochs than timed: warm-up steps
/** Steps per run of the Loop variant (what the transfer jobs choose on the CPU for long runs). */
const LOOP = 4;

interface Row {
  model: string;
  stepsPerEpoch: number;
  bucket: string;
  trainable: number;
  fullEpoch: number;
  ctsftEpoch: number;
  ratio: number;
  fullCompile: number;
  ctsftCompile: number;
  fullLoopEpoch: number;
  ctsftLoopEpoch: number;
  fullLoopCompile: number;
  ctsftLoopCompile: number;
}

async function prepare(model: LoadedModel, spec: ScopeSpec): Promise<{ ft: FineTuning; compile: number; fraction: number }> {
  const scope = trainableScope(model.config, model.weights, spec);
  const t0 = performance.now();
  const ft = await FineTuning.prepare({ model, task: resolveTask(model), examples, recipe, scope, seed: 1, runner });
  return { ft, compile: (performance.now() - t0) / 1000, fraction: scope.fraction };
}

/** Seconds for the next epoch of an already prepared run: one step per run, or LOOP steps per run (an ONNX Loop). */
async function epoch(ft: FineTuning, loop: boolean): Promise<number> {
  const per = stepsPerEpoch(examples.length, recipe.batchSize);
  const t0 = performance.now();
  for (let done = 0; done < per; ) {
    const k = loop ? Math.min(LOOP, per - done) : 1;
    const batches = Array.from({ length: k }, (_, i) => ft.batch(ft.trainer.step + 1 + i));
    if (k > 1) await ft.trainer.trainSteps(ft.bucket, batches);
    else await ft.trainer.trainStep(ft.bucket, batches[0]!);
    done += k;
  }
  return (performance.now() - t0) / 1000;
}

async function measure(name: string, model: LoadedModel, heads: Head[]): Promise<Row> {
  const full = await prepare(model, { kind: 'all' });
  const ctsft = await prepare(model, { kind: 'heads', heads, kv: 'group' });
  // One untimed step each: onnxruntime allocates and tunes on a session's first runs.
  for (const ft of [full.ft, ctsft.ft]) await ft.trainer.trainStep(ft.bucket, ft.batch(1));
  // The Loop session's first run builds and compiles it (timed as its compile cost).
  const loopCompile = { full: 0, ctsft: 0 };
  for (const which of ['full', 'ctsft'] as const) {
    const ft = (which === 'full' ? full : ctsft).ft;
    const t0 = performance.now();
    await ft.trainer.trainSteps(ft.bucket, Array.from({ length: LOOP }, (_, i) => ft.batch(ft.trainer.step + 1 + i)));
    loopCompile[which] = (performance.now() - t0) / 1000;
  }
  const times = { full: [] as number[], ctsft: [] as number[], fullLoop: [] as number[], ctsftLoop: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
    const order = r % 2 === 0 ? (['full', 'ctsft'] as const) : (['ctsft', 'full'] as const);
    for (const which of order) {
      const ft = (which === 'full' ? full : ctsft).ft;
      times[which].push(await epoch(ft, false));
      times[`${which}Loop`].push(await epoch(ft, true));
    }
    console.error(`${name}: round ${r + 1}/${rounds}: full ${times.full.at(-1)!.toFixed(2)} s (Loop ${times.fullLoop.at(-1)!.toFixed(2)}), CT-SFT ${times.ctsft.at(-1)!.toFixed(2)} s (Loop ${times.ctsftLoop.at(-1)!.toFixed(2)})`);
  }
  await full.ft.dispose();
  await ctsft.ft.dispose();
  const ratios = times.full.map((f, i) => times.ctsft[i]! / f);
  return {
    model: name,
    stepsPerEpoch: stepsPerEpoch(examples.length, recipe.batchSize),
    bucket: full.ft.bucket,
    trainable: ctsft.fraction,
    fullEpoch: median(times.full),
    ctsftEpoch: median(times.ctsft),
    ratio: median(ratios),
    fullCompile: full.compile,
    ctsftCompile: ctsft.compile,
    fullLoopEpoch: median(times.fullLoop),
    ctsftLoopEpoch: median(times.ctsftLoop),
    fullLoopCompile: loopCompile.full,
    ctsftLoopCompile: loopCompile.ctsft,
  };
}

const rows: Row[] = [];
const demo = loadModel(DEMO_MODEL);
const demoParams = [...demo.weights.values()].reduce((a, t) => a + t.data.length, 0);
rows.push(await measure(`demo (${demo.config.numLayers} layers, ${(demoParams / 1e6).toFixed(1)}M)`, demo, [{ layer: 0, head: 5 }, { layer: 0, head: 1 }, { layer: 2, head: 3 }, { layer: 3, head: 6 }]));
if (!args['skip-qwen']) {
  const dir = mkdtempSync(join(tmpdir(), 'lontar-bench-transfer-'));
  try {
    writeRandomQwen(dir, { layers });
    const heads = [0, 7, 12, 3, 10, 5].map((head, i) => ({ layer: i % layers, head }));
    rows.push(await measure(`Qwen2.5-0.5B-shaped, ${layers} layers`, loadModel(dir), heads));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
await runner.close();

console.log(`\nCT-SFT epoch vs full fine-tuning epoch (${examples.length} NusaX ind examples, batch ${recipe.batchSize}, ${threads} threads, median of ${rounds} rounds)`);
printTable(
  ['model', 'steps/epoch', 'shape', 'CT-SFT trainable', 'full epoch s', 'CT-SFT epoch s', 'CT-SFT / full (target ≤ 0.6)', 'compile full s', 'compile CT-SFT s'],
  rows.map((r) => [r.model, r.stepsPerEpoch, r.bucket, `${(100 * r.trainable).toFixed(3)}%`, r.fullEpoch, r.ctsftEpoch, r.ratio, r.fullCompile, r.ctsftCompile]),
);
console.log(`\nThe same epochs with ${LOOP} optimizer steps per engine run (ONNX Loop, bit-identical results; transfer jobs choose it on the CPU for runs of 48+ quick steps)`);
printTable(
  ['model', 'full epoch s', `full, ${LOOP}/run s`, 'Loop / single (full)', 'CT-SFT epoch s', `CT-SFT, ${LOOP}/run s`, 'Loop / single (CT-SFT)', 'Loop compile full s', 'Loop compile CT-SFT s'],
  rows.map((r) => [r.model, r.fullEpoch, r.fullLoopEpoch, r.fullLoopEpoch / r.fullEpoch, r.ctsftEpoch, r.ctsftLoopEpoch, r.ctsftLoopEpoch / r.ctsftEpoch, r.fullLoopCompile, r.ctsftLoopCompile]),
);
if (args.json) writeFileSync(args.json, `${JSON.stringify(rows, null, 2)}\n`);

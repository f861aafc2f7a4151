// One measured phase of `npm run bench:scale`, in a process of its own so that its peak RSS is its
// own (run by bench/scale.ts; prints one JSON line on stdout, progress on stderr).
//   tsx bench/scale-phase.ts --model DIR --phase forward|full|ctsft|discovery [--epoch] [--loop K] [--batch 16]

import { parseArgs } from 'node:util';
import { headAttribution } from '../main/circuits/attribution';
import { CircuitSession } from '../main/circuits/circuit-session';
import { findCircuit } from '../main/circuits/discovery';
import { computeMeanBaseline } from '../main/circuits/mean-baseline';
import { DEFAULT_DISCOVERY } from '../main/circuits/run-discovery';
import { readExamples } from '../main/cli/read-examples';
import { LocalRunner } from '../main/engine/runtime/runner';
import { Predictor } from '../main/models/classification/predictor';
import { resolveTask } from '../main/models/classification/task';
import { loadModel } from '../main/models/load';
import { DEMO_DATA } from '../main/transfer/demo';
import { FineTuning, floatTypeOf } from '../main/transfer/fine-tune';
import { estimateTraining, RUNTIME_BYTES } from '../main/transfer/footprint';
import { estimateDiscovery } from '../main/circuits/discovery-footprint';
import { recipeSchema, stepsPerEpoch } from '../main/transfer/recipe';
import { trainableScope, type ScopeSpec } from '../main/transfer/trainable-scope';
import { interpolateLayers, layerCosts } from './discovery-costs';
import { PAPER_HEADS } from './scale-heads';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    phase: { type: 'string' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '16' },
    /** Timed repetitions of a step (an epoch is timed once). */
    repeats: { type: 'string', default: '2' },
    /** Time one epoch of `examples` examples instead of single steps. */
    epoch: { type: 'boolean', default: false },
    examples: { type: 'string', default: '100' },
    /** Optimizer steps per engine run (ONNX Loop) in an epoch; 1: one step per run. */
    loop: { type: 'string', default: '1' },
    /** Rows per gradient run (gradient accumulation); default: the whole batch. */
    micro: { type: 'string' },
    /** CT-SFT's heads as JSON [{layer, head}, …]; default: the paper's 18-head budget in layers 12–23. */
    heads: { type: 'string' },
  },
});

const rss = () => process.memoryUsage().rss / 2 ** 20;
const peak = () => process.resourceUsage().maxRSS / 1024; // KiB → MiB
const log = (s: string) => console.error(`  [${args.phase}] ${s} (RSS ${rss().toFixed(0)} MiB, peak ${peak().toFixed(0)})`);

const [threads, batchSize, repeats, n, loop] = [args.threads, args.batch, args.repeats, args.examples, args.loop].map(Number) as [number, number, number, number, number];
const runner = new LocalRunner({ threads, provider: 'cpu' });
const t0 = performance.now();
const model = loadModel(args.model!);
const task = resolveTask(model);
const loaded = { seconds: (performance.now() - t0) / 1000, rssMiB: rss() };
log(`model loaded in ${loaded.seconds.toFixed(1)} s`);
// NusaX Indonesian train sentences: with the benchmark's small tokenizer nearly all exceed 128 tokens, so every batch is 16 × 128.
const examples = readExamples(DEMO_DATA, { split: 'train', language: 'ind' }).slice(0, n);

const result: Record<string, unknown> = { phase: args.phase, epoch: args.epoch, loop, batch: batchSize, loaded };
if (args.phase === 'forward') {
  const predictor = Predictor.create(model, task, { runner, batchSize, maxLength: 128 });
  const batch = examples.slice(0, batchSize);
  const c0 = performance.now();
  await predictor.predict(batch);
  result.compile = (performance.now() - c0) / 1000;
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const s0 = performance.now();
    await predictor.predict(batch);
    times.push((performance.now() - s0) / 1000);
    log(`forward ${r + 1}/${repeats}: ${times.at(-1)!.toFixed(2)} s`);
  }
  result.seconds = times;
  await predictor.close();
} else if (args.phase === 'discovery') {
  // Iteration 0 measured on source layers 0, middle and last (the rest interpolated), one batch each.
  const { numLayers: L, numHeads: H, headDim } = model.config;
  const measured = [0, L >> 1, L - 1];
  const c0 = performance.now();
  const costs = await layerCosts(model, { runner, batchSize: DEFAULT_DISCOVERY.batchSize, text: `${examples[0]!.text} ${examples[1]!.text}`, repeats: 1, layers: measured });
  const all = interpolateLayers(costs.perLayer, L);
  const batches = Math.ceil(DEFAULT_DISCOVERY.discoverySize / DEFAULT_DISCOVERY.batchSize);
  const meanBatches = Math.ceil(DEFAULT_DISCOVERY.meanSize / DEFAULT_DISCOVERY.batchSize);
  Object.assign(result, {
    measuredLayers: Object.fromEntries(costs.perLayer),
    forward: costs.forward,
    runsPerLayer: costs.groups,
    measuredSeconds: (performance.now() - c0) / 1000,
    trace: costs.trace,
    traceCompile: costs.traceCompile,
    // per batch: its traced clean forward and every source layer's runs; the trace graph compiled once; the mean baseline's forwards
    iteration0Projected: costs.traceCompile + batches * (costs.trace + all.reduce((a, b) => a + b, 0)) + meanBatches * costs.forward,
    batchSize: DEFAULT_DISCOVERY.batchSize,
    seq: costs.seq,
  });
  log(`iteration 0 projected ${(result.iteration0Projected as number).toFixed(0)} s`);
  result.scoringPeakMiB = peak();
  const d = DEFAULT_DISCOVERY;
  const estimate = estimateDiscovery({ ...d, config: model.config, floatBytes: floatTypeOf(model.weights) === 'float64' ? 8 : 4, maxLength: costs.seq, threads, runtimeBytes: RUNTIME_BYTES });
  result.discoveryEstimate = { iteration0Seconds: estimate.iteration0Seconds, peakMiB: estimate.peakBytes / 2 ** 20, scoringPeakMiB: (estimate.parts.runtime + estimate.parts.weights + estimate.parts.relevance) / 2 ** 20, path: estimate.path };
  log(`estimate: ${JSON.stringify(result.discoveryEstimate)}`);
  // Iteration 0 end to end as discovery runs it (the mean baseline over M examples, the traced
  // forwards, every source layer's graphs compiled and run), on D examples: a random model predicts
  // too few right for discovery's own example selection, and correctness does not change the cost.
  const session = await CircuitSession.open(model, task, { runner, batchSize: DEFAULT_DISCOVERY.batchSize, maxLength: 128 });
  const [meanSet, scoredSet] = [examples.slice(0, d.meanSize), examples.slice(d.meanSize, d.meanSize + d.discoverySize)];
  session.fixLength([...meanSet, ...scoredSet]);
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const s0 = performance.now();
    const out = await fn();
    timings[name] = (timings[name] ?? 0) + (performance.now() - s0) / 1000;
    return out;
  };
  const i0 = performance.now();
  const mean = await timed('mean baseline', () => computeMeanBaseline(session, meanSet));
  await findCircuit(session, mean, scoredSet, { ...d, maxDepth: 0 }, undefined, timed);
  result.iteration0Measured = { seconds: (performance.now() - i0) / 1000, phases: timings, examples: scoredSet.length, peakMiB: peak() };
  log(`iteration 0 measured end to end: ${JSON.stringify(result.iteration0Measured)}`);
  // The fast screen (gradient × activation attribution) over D = 50 examples, measured whole.
  const screenSet = examples.slice(0, DEFAULT_DISCOVERY.discoverySize);
  session.fixLength(screenSet);
  const layers = Array.from({ length: L }, () => new Float64Array(session.seq * H * headDim));
  const zeroMean = { seq: session.seq, heads: H, headDim, layers, examples: 0, reached: new Array<boolean>(session.seq).fill(true), unreached: 'pooled' as const };
  const f0 = performance.now();
  await headAttribution(session, zeroMean, screenSet);
  result.fastScreen = (performance.now() - f0) / 1000;
  log(`fast screen ${(result.fastScreen as number).toFixed(1)} s`);
  await session.close();
} else {
  const heads = args.heads ? (JSON.parse(args.heads) as typeof PAPER_HEADS) : PAPER_HEADS;
  const spec: ScopeSpec = args.phase === 'full' ? { kind: 'all' } : { kind: 'heads', heads, kv: 'group' };
  const scope = trainableScope(model.config, model.weights, spec);
  const recipe = recipeSchema.parse({ epochs: 50, batchSize, lr: 5e-5, microBatch: args.micro === undefined ? undefined : Number(args.micro) });
  result.micro = recipe.microBatch ?? batchSize;
  const c0 = performance.now();
  const ft = await FineTuning.prepare({ model, task, examples, recipe, scope, seed: 1, runner });
  result.compile = (performance.now() - c0) / 1000;
  result.trainable = scope.trainable;
  result.bucket = ft.bucket;
  // what the launch forms would have said, for the bucket this run got
  const seq = Number(ft.bucket.split('x')[1]);
  const floatBytes = floatTypeOf(model.weights) === 'float64' ? 8 : 4;
  const estimate = estimateTraining({ config: model.config, floatBytes, scope: spec, recipe: { ...recipe, maxLength: seq }, examples: examples.length, threads });
  result.estimate = { peakMiB: estimate.peakBytes / 2 ** 20, parts: estimate.parts, secondsPerStep: estimate.seconds / (recipe.epochs * stepsPerEpoch(examples.length, batchSize)) };
  console.log(JSON.stringify({ estimate: result.estimate })); // now, in case the phase is killed
  log(`prepared ${ft.bucket} in ${(result.compile as number).toFixed(1)} s`);
  const steps = args.epoch ? stepsPerEpoch(examples.length, batchSize) : 1 + repeats;
  const runs: { steps: number; seconds: number }[] = [];
  for (let done = 0; done < steps; ) {
    const k = Math.min(loop, steps - done);
    const batches = Array.from({ length: k }, (_, i) => ft.batch(ft.trainer.step + 1 + i));
    const s0 = performance.now();
    if (k > 1) await ft.trainer.trainSteps(ft.bucket, batches);
    else await ft.trainer.trainStep(ft.bucket, batches[0]!);
    const s = (performance.now() - s0) / 1000;
    runs.push({ steps: k, seconds: s });
    done += k;
    log(`steps ${done}/${steps}: ${s.toFixed(2)} s`);
  }
  // The first run includes onnxruntime's first-run allocation (and a Loop's compile); an epoch counts it.
  result.firstRun = runs[0]!.seconds;
  result.seconds = args.epoch ? [runs.reduce((a, r) => a + r.seconds, 0)] : runs.slice(1).map((r) => r.seconds / r.steps);
  await ft.dispose();
}
await runner.close();
result.peakRssMiB = peak();
console.log(JSON.stringify(result));

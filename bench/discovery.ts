// `npm run bench:discovery [-- --model DIR --data PATH --language ind --threads 2 --rows-per-run N --skip-demo]`
// 1. Full CD-T discovery (depth 2, M = 50, D = 50, p = 2%) on a model folder (default: the bundled demo
//    model) and NusaX Indonesian, timed end to end (target: under a minute for the demo model).
// 2. Cost per source head: one relevance run for a source layer decomposes all its heads at once; its
//    time divided by the heads, against one forward pass of the layers above (target ≤ 1.3×).
// 3. Projection for Qwen2.5-0.5B shapes (24 layers, hidden 896, 14 heads, FFN 4864, sequence 128) from a
//    measured two-layer model of those shapes. Prints tables; never asserts.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CircuitSession } from '../main/circuits/circuit-session';
import { SOURCE_ROWS_PER_RUN, sourceGroups } from '../main/circuits/discovery';
import { buildRelevanceGraph, MEAN_INPUT, sourceHeadsFeed, SOURCES_INPUT } from '../main/circuits/relevance-graph';
import { DEFAULT_DISCOVERY, runDiscovery } from '../main/circuits/run-discovery';
import { LocalRunner } from '../main/engine/runtime/runner';
import { hostTensor } from '../main/engine/tensor';
import { readExamples } from '../main/cli/read-examples';
import { resolveTask } from '../main/models/classification/task';
import { loadModel, type LoadedModel } from '../main/models/load';
import { median, printTable, timeCalls } from './stats';
import { writeRandomQwen } from './random-qwen';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'resources/models/lontar-demo-qwen2' },
    data: { type: 'string', default: 'resources/data/nusax-senti' },
    language: { type: 'string', default: 'ind' },
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '5' },
    /** Rows per relevance run (default: discovery's SOURCE_ROWS_PER_RUN), to compare splittings. */
    'rows-per-run': { type: 'string' },
    'skip-demo': { type: 'boolean', default: false },
  },
});
const threads = Number(args.threads);
const repeats = Number(args.repeats);
const rowsPerRun = args['rows-per-run'] === undefined ? SOURCE_ROWS_PER_RUN : Number(args['rows-per-run']);
const runner = new LocalRunner({ threads, provider: 'cpu' });

/** Seconds of one forward (logits) and of one relevance run per source layer, on one batch. */
async function layerCosts(model: LoadedModel, batchSize: number, seqText: string) {
  const task = resolveTask(model);
  const session = await CircuitSession.open(model, task, { runner, batchSize, maxLength: 128 });
  const examples = Array.from({ length: batchSize }, (_, i) => ({ id: `x${i}`, text: seqText, label: task.labels[i % task.labels.length]!.name }));
  session.fixLength(examples);
  const [batch] = session.batches(examples);
  const { numLayers: L, numHeads: H, headDim: Dh } = model.config;
  const forward = () => {
    const m = session.taskModel();
    m.graph.output(m.logits, 'logits');
    return m.graph;
  };
  const fwd = median(await timeCalls(() => session.run('forward', forward, batch!, {}, ['logits']), 2, repeats)) / 1000;
  const mean = { [MEAN_INPUT]: hostTensor(session.floatType, [1, session.seq, H, Dh]) };
  // the layer's heads split over runs exactly as discovery splits them
  const groups = sourceGroups(H, batchSize * session.seq, rowsPerRun);
  const perLayer: number[] = [];
  for (let layer = 0; layer < L; layer++) {
    let seconds = 0;
    for (const heads of groups) {
      const spec = { sourceLayer: layer, targets: { kind: 'logits' as const }, cd: DEFAULT_DISCOVERY.cd, sourceScope: DEFAULT_DISCOVERY.sourceScope, sources: heads.length };
      const feeds = { ...mean, [SOURCES_INPUT]: sourceHeadsFeed(session.floatType, heads, H) };
      const run = () => session.run(`relevance|${layer}|${heads.length}`, () => buildRelevanceGraph(session, spec), batch!, feeds, ['directional']);
      seconds += median(await timeCalls(run, 1, repeats)) / 1000;
    }
    perLayer.push(seconds);
  }
  await session.close();
  return { seq: session.seq, forward: fwd, perLayer, groups: groups.length };
}

// 1. Full discovery on the demo model.
if (args['skip-demo']) {
  console.log('demo model skipped (--skip-demo)');
} else if (existsSync(args.model)) {
  const model = loadModel(args.model);
  const task = resolveTask(model);
  const train = readExamples(args.data, { split: 'train', language: args.language });
  const validation = readExamples(args.data, { split: 'valid', language: args.language });
  const t0 = performance.now();
  const file = await runDiscovery(model, task, { pool: train.slice(0, 400), validation }, { ...DEFAULT_DISCOVERY, runner, threads });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`full discovery on ${args.model} (${model.config.numLayers} layers × ${model.config.numHeads} heads, sequence ${file.settings.sequenceLength}):`);
  printTable(['phase', 'seconds'], [...Object.entries(file.timings).map(([k, v]) => [k, v]), ['total (target < 60)', seconds]]);
  console.log(`circuit: ${file.circuit.map((h) => `${h.layer}.${h.head}`).join(' ')}; fast-screen ρ = ${file.fastScreen?.spearmanWithCdt.toFixed(3)}`);

  // 2. Cost per source head on the same model.
  const costs = await layerCosts(model, DEFAULT_DISCOVERY.batchSize, train[0]!.text!);
  const L = model.config.numLayers;
  const H = model.config.numHeads;
  console.log(`\ncost per source head (batch ${DEFAULT_DISCOVERY.batchSize}, sequence ${costs.seq}; forward ${(costs.forward * 1000).toFixed(1)} ms):`);
  printTable(
    ['source layer', 'run ms', 'per head ms', 'forward of layers above ms', 'ratio (target ≤ 1.3)'],
    costs.perLayer.map((t, l) => {
      const above = (costs.forward * (L - l)) / L;
      return [String(l), t * 1000, (t * 1000) / H, above * 1000, t / H / above];
    }),
  );
} else {
  console.log(`no model at ${args.model} (build it with npm run build:demo-model); skipping the full run`);
}

// 3. Qwen2.5-0.5B projection from a two-layer model of its shapes.
const dir = mkdtempSync(join(tmpdir(), 'lontar-qwen-shapes-'));
try {
  writeRandomQwen(dir, { layers: 2 });
  const small = loadModel(dir);
  const costs = await layerCosts(small, DEFAULT_DISCOVERY.batchSize, 'kata '.repeat(110));
  const perLayerForward = costs.forward / 2; // two layers; embedding and readout are small beside them
  // source layer 0: β through both layers; a clean forward per extra run of a split layer counts as β cost
  const betaPerLayer = costs.perLayer[0]! - costs.forward;
  const L = 24;
  const batches = Math.ceil(DEFAULT_DISCOVERY.discoverySize / DEFAULT_DISCOVERY.batchSize);
  let depth0 = 0;
  for (let l = 0; l < L; l++) depth0 += costs.groups * L * perLayerForward + ((L - l) / 2) * (betaPerLayer - (costs.groups - 1) * costs.forward);
  const projected = depth0 * batches;
  console.log(`\nQwen2.5-0.5B shapes (measured on 2 layers, batch ${DEFAULT_DISCOVERY.batchSize}, sequence ${costs.seq}, 14 heads in ${costs.groups} run(s) of ≤ ${rowsPerRun} rows):`);
  printTable(
    ['measure', 'value'],
    [
      ['forward per layer ms', perLayerForward * 1000],
      ['β propagation per layer, 14 sources (incl. extra clean forwards), ms', (betaPerLayer / 2) * 1000],
      ['per head / forward of the layers above', betaPerLayer / 2 / 14 / perLayerForward],
      ['projected iteration 0 (all 336 heads, 50 examples) s', projected],
      ['projected depth-2 discovery (≤ 3 iterations) s', 3 * projected],
    ],
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await runner.close();
}

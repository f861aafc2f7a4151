// `npm run bench:discovery [-- --model DIR --data PATH --language ind --threads 2 --rows-per-run N --skip-demo]`
// 1. Full CD-T discovery (depth 2, M = 50, D = 50, p = 2%) on a model folder (default: the bundled demo
//    model) and NusaX Indonesian, timed end to end (target: under a minute for the demo model).
// 2. Cost per source head with β over the whole sequence (the path of all-positions sources,
//    beta-softmax and encoders): one relevance run for a source layer decomposes all its heads at once;
//    its time divided by the heads, against one forward pass of the layers above (target ≤ 1.3×).
// 3. Projection of that path for Qwen2.5-0.5B shapes (24 layers, hidden 896, 14 heads, FFN 4864,
//    sequence 128) from a measured two-layer model of those shapes. The default label-row path is
//    measured at full size by bench:scale. Prints tables; never asserts.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SOURCE_ROWS_PER_RUN } from '../main/circuits/discovery';
import { DEFAULT_DISCOVERY, runDiscovery } from '../main/circuits/run-discovery';
import { LocalRunner } from '../main/engine/runtime/runner';
import { readExamples } from '../main/cli/read-examples';
import { resolveTask } from '../main/models/classification/task';
import { loadModel } from '../main/models/load';
import { layerCosts } from './discovery-costs';
import { printTable } from './stats';
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
  const costs = await layerCosts(model, { runner, batchSize: DEFAULT_DISCOVERY.batchSize, text: train[0]!.text!, repeats, rowsPerRun, path: 'sequence' });
  const L = model.config.numLayers;
  const H = model.config.numHeads;
  console.log(`\ncost per source head (batch ${DEFAULT_DISCOVERY.batchSize}, sequence ${costs.seq}; forward ${(costs.forward * 1000).toFixed(1)} ms):`);
  printTable(
    ['source layer', 'run ms', 'per head ms', 'forward of layers above ms', 'ratio (target ≤ 1.3)'],
    [...costs.perLayer.values()].map((t, l) => {
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
  const costs = await layerCosts(small, { runner, batchSize: DEFAULT_DISCOVERY.batchSize, text: 'kata '.repeat(110), repeats, rowsPerRun, path: 'sequence' });
  const perLayerForward = costs.forward / 2; // two layers; embedding and readout are small beside them
  // source layer 0: β through both layers; a clean forward per extra run of a split layer counts as β cost
  const betaPerLayer = costs.perLayer.get(0)! - costs.forward;
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

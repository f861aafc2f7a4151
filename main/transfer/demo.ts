// The demo pipeline on the bundled model and data (resources/): competence tuning on Indonesian,
// circuit discovery, then CT-SFT (and its NearZero control) against continued full fine-tuning on
// Javanese, with Indonesian retention measured after each. The paper's learning rate (5e-5 for 5
// epochs) barely moves a 5.3M-parameter model, so the demo uses 1e-3; competence tuning takes all of
// Pool A (400 examples, 3 epochs) because 50 examples give the tiny model only ~0.55 Indonesian
// accuracy, a weak competence the paper itself warns CT-SFT cannot build on.

import { fileURLToPath } from 'node:url';
import type { Workspace } from '../store/index';
import { parseExperiment, type ExperimentInput } from './experiment/experiment-file';
import { experimentIdentity, findExperimentRun } from './experiment/prepare';

export const DEMO_MODEL = fileURLToPath(new URL('../../resources/models/lontar-demo-qwen2', import.meta.url));
export const DEMO_DATA = fileURLToPath(new URL('../../resources/data/nusax-senti', import.meta.url));

export function demoExperiment(name = 'demo', threads = 2): ExperimentInput {
  return {
    name,
    model: DEMO_MODEL,
    data: DEMO_DATA,
    source: 'ind',
    targets: ['jav'],
    nSrc: 400,
    n: [100],
    methods: ['circuit', 'nearzero', 'full'],
    // Three of the paper's four seeds: enough for a mean ± std per method within about 4 minutes.
    seeds: [31, 777, 2025],
    depth: [1],
    kv: 'group',
    competenceRecipe: { epochs: 3, lr: 1e-3, batchSize: 16, maxLength: 128 },
    recipe: { epochs: 5, lr: 1e-3, batchSize: 16, maxLength: 128 },
    // 3 of the demo model's 48 heads per iteration (the paper keeps 6 of 336, about 2%; 2% of 48 would be one head).
    discovery: { selectionRatio: 0.0625, meanSize: 50, discoverySize: 50 },
    threads,
  };
}

/** "demo", or the first "demo-N" that is free or holds this very grid (so a re-run reuses it). */
export function demoExperimentName(ws: Workspace, fresh: boolean): string {
  for (let k = 1; ; k++) {
    const name = k === 1 ? 'demo' : `demo-${k}`;
    const existing = findExperimentRun(ws, name);
    if (!existing) return name;
    if (fresh) continue;
    const { datasetId: _d, modelId: _m, ...stored } = existing.config;
    if (JSON.stringify(experimentIdentity(stored)) === JSON.stringify(experimentIdentity(parseExperiment(demoExperiment(name), '/')))) return name;
  }
}

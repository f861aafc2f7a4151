// Qwen2.5-0.5B's depth at test size: a tiny Qwen2 with the real model's 24 layers goes through the
// pipeline as jobs, every training run in micro-batches of 2 (the memory-saving path the full-size
// model needs; bench:scale measures that one): competence, continued full fine-tuning and the
// norms-only control complete and store what they trained; so do circuit discovery through all 24
// layers (bounded by the MLP sign cleanup, see test/circuits/depth-stability.test.ts) and CT-SFT on
// the heads it found, which stores those heads' slices and the norms, nothing else.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SafetensorsFile } from '../../main/models/checkpoint/safetensors-file';
import { runTiny, tinyExperiment, tinySetup } from './helpers';

test('a 24-layer tiny Qwen2 goes through discovery, CT-SFT, full FT and the norms control as jobs, in micro-batches', { timeout: 600_000 }, async (t) => {
  const { root, ws: dir } = tinySetup(t, 24);
  const recipe = { epochs: 2, lr: 0.01, batchSize: 4, maxLength: 32, microBatch: 2 };
  const { ws, outcome } = await runTiny(t, dir, tinyExperiment(root, { methods: ['circuit', 'full', 'norms'], depth: [0], recipe }));
  const status = Object.fromEntries(outcome.cells.map((c) => [c.key.split('/').slice(1).join('/'), c.status]));
  assert.deepEqual(status, { competence: 'done', discover: 'done', 'jav/n6/circuit/d0': 'done', 'jav/n6/full': 'done', 'jav/n6/norms': 'done' });
  const runs = ws.runs.list();
  for (const r of runs.filter((x) => (x.kind === 'transfer' && x.status === 'done') || x.kind === 'competence')) {
    assert.equal((r.config as { recipe?: { microBatch?: number } }).recipe?.microBatch, 2, `run ${r.id} (${r.kind}) trained in micro-batches of 2`);
  }
  // What each run stored: full FT every tensor (all 24 layers' MLPs), the norms control only norms.
  const stored = (method: string) => {
    const run = runs.find((r) => r.kind === 'transfer' && (r.config as { method?: string }).method === method)!;
    const file = SafetensorsFile.open(ws.blobs.pathOf(run.outputBlob!));
    try {
      return file.names();
    } finally {
      file.close();
    }
  };
  assert.equal(new Set(stored('full').filter((n) => n.includes('.mlp.')).map((n) => n.split('.')[2])).size, 24, 'full FT trained all 24 layers');
  const norms = stored('norms');
  assert.ok(norms.length > 24 && norms.every((n) => n.includes('norm')), 'the control stored only norms');
  const circuit = stored('circuit');
  const headTensors = circuit.filter((n) => !n.includes('norm'));
  assert.ok(headTensors.length > 0 && headTensors.every((n) => n.includes('.self_attn.')), `CT-SFT stored head slices and norms only: ${headTensors.join(', ')}`);
});

// The demo's experiment: valid, pointing at the bundled model and data, three seeds of five cells in pipeline order
// (competence, discovery, CT-SFT, NearZero, continued full FT), and the demo's recipe where it
// departs from the paper's (documented in main/transfer/demo.ts and docs/transfer.md).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { demoExperiment } from '../../main/transfer/demo';
import { experimentCells } from '../../main/transfer/experiment/cells';
import { parseExperiment } from '../../main/transfer/experiment/experiment-file';

test('the demo experiment is a valid five-cell pipeline per seed on the bundled resources', () => {
  const spec = parseExperiment(demoExperiment(), '/');
  assert.ok(existsSync(join(spec.model, 'model.safetensors')), spec.model);
  assert.ok(existsSync(join(spec.data!, 'indonesian', 'train.csv')) && existsSync(join(spec.data!, 'javanese', 'test.csv')), spec.data);
  const cells = experimentCells(spec, 1, 1);
  assert.deepEqual(spec.seeds, [31, 777, 2025], 'several seeds, so every method has a mean ± std');
  const seed31 = cells.filter((c) => c.seed === 31);
  assert.deepEqual(seed31.map((c) => c.key), ['seed31/competence', 'seed31/discover', 'seed31/jav/n100/circuit/d1', 'seed31/jav/n100/nearzero/d1', 'seed31/jav/n100/full']);
  assert.equal(cells.length, 15);
  const runIds = new Map(cells.map((c, i) => [c.key, i + 1]));
  const transfer = seed31[2]!.config((key) => runIds.get(key)!);
  assert.deepEqual([transfer['competenceRunId'], transfer['discoveryRunId'], transfer['method'], transfer['n']], [1, 2, 'circuit', 100]);
  assert.equal(spec.recipe.lr, 1e-3);
  assert.equal(spec.competenceRecipe?.epochs, 3);
});

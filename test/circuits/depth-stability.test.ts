// CD-T through Qwen2.5-0.5B's 24 layers, in float64 on the tests' tiny random Qwen2. Without sign
// cleanup, β and γ grow apart through the MLPs (the γ-first SwiGLU product gives β every cross term, so
// once they cancel each other the growth compounds: scores of 1e104 and NaN at 24 layers), and
// discovery must stop saying so. With the reference's cleanup in the MLPs (the default) the scores
// stay of the order of the clean logit margins, and iteration 0 ranks every head.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_DISCOVERY, runDiscovery } from '../../main/circuits/run-discovery';
import { readExamples } from '../../main/cli/read-examples';
import type { SignCleanup } from '../../main/engine/ops/op-def';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { tempDir } from '../jobs/helpers';
import { tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';
import { writeCorpus } from '../transfer/fixtures';

test('through 24 random layers, relevance stays bounded with the MLP sign cleanup and overflows without it', { timeout: 300_000 }, async (t) => {
  const root = tempDir(t, 'lontar-depth-');
  writeTinyModel(join(root, 'model'), tinyModel('qwen2', 11, 24), 'F64');
  writeCorpus(join(root, 'corpus'));
  const model = loadModel(join(root, 'model'));
  const task = resolveTask(model);
  const data = {
    pool: readExamples(join(root, 'corpus'), { split: 'train', language: 'ind' }),
    validation: readExamples(join(root, 'corpus'), { split: 'valid', language: 'ind' }),
  };
  const discover = (signCleanup: SignCleanup) =>
    runDiscovery(model, task, data, { ...DEFAULT_DISCOVERY, selectionRatio: 0.125, meanSize: 6, discoverySize: 6, batchSize: 6, maxDepth: 0, fastScreen: false, cd: { ...DEFAULT_DISCOVERY.cd, signCleanup } });

  assert.equal(DEFAULT_DISCOVERY.cd.signCleanup, 'mlp');
  const file = await discover('mlp');
  const scores = file.iterations[0]!.scores;
  assert.equal(scores.length, 24 * model.config.numHeads);
  const largest = Math.max(...scores.map((s) => Math.abs(s.directional)));
  assert.ok(scores.every((s) => Number.isFinite(s.directional) && Number.isFinite(s.magnitude)));
  assert.ok(largest < 100, `largest |directional score| ${largest}`);
  t.diagnostic(`mlp cleanup: largest |directional score| ${largest.toPrecision(3)}`);

  await assert.rejects(discover('off'), /CD-T relevance overflowed at depth 0 on this 24-layer model.*Sign cleanup is off/s);
});

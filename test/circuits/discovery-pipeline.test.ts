// The discovery job end to end on a tiny model: the circuit file validates and round-trips, example
// sets come only from the pool (M and D disjoint when possible), seeded runs reproduce the same
// circuit and scores, controls match the circuit's size without overlapping it, expansion targets
// only earlier layers, and the helpers (selection size, Spearman) behave.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCircuitFile, writeCircuitFile } from '../../main/circuits/circuit-file';
import { DEFAULT_DISCOVERY, runDiscovery } from '../../main/circuits/run-discovery';
import { selectionSize, spearman } from '../../main/circuits/selection';
import { Rng } from '../../main/engine/random';
import { BatchEncoder } from '../../main/models/classification/batch-encoder';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { tinyModel, writeTinyModel, TEXTS } from '../models/fixtures/tiny-models';
import { testRunner } from '../helpers/engine';

const dir = mkdtempSync(join(tmpdir(), 'lontar-discovery-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeTinyModel(join(dir, 'model'), tinyModel('qwen2', 11), 'F32');

const words = [...new Set(TEXTS.flatMap((t) => t.split(' ')))];
const rng = new Rng(4);
const labels = ['negative', 'neutral', 'positive'];
const sentence = () => Array.from({ length: 2 + rng.int(5) }, () => words[rng.int(words.length)]!).join(' ');
const pool = Array.from({ length: 150 }, (_, i) => ({ id: `pool${i}`, text: sentence(), label: labels[rng.int(3)]! }));
const validation = Array.from({ length: 30 }, (_, i) => ({ id: `valid${i}`, text: sentence(), label: labels[rng.int(3)]! }));

async function run(seed: number) {
  const model = loadModel(join(dir, 'model'));
  return runDiscovery(model, resolveTask(model), { pool, validation }, { ...DEFAULT_DISCOVERY, seed, selectionRatio: 0.125, maxDepth: 2, meanSize: 8, discoverySize: 8, batchSize: 8, runner: testRunner() });
}

test('a discovery run writes a valid, reproducible circuit file built from the pool only', async () => {
  const first = await run(7);
  const path = join(dir, 'circuit.json');
  writeCircuitFile(path, first);
  const back = readCircuitFile(path);
  assert.deepEqual(back, JSON.parse(JSON.stringify(first)));

  const poolIds = new Set(pool.map((e) => e.id));
  assert.ok([...first.examples.mean, ...first.examples.discovery].every((id) => poolIds.has(id)), 'M and D come from the pool');
  if (!first.examples.overlapping) assert.ok(first.examples.mean.every((id) => !first.examples.discovery.includes(id)), 'M and D are disjoint');

  assert.equal(first.settings.perIteration, 1); // 12.5% of 8 heads
  // μ's coverage: left padding, so M reaches as many positions as its longest prompt has tokens.
  const model = loadModel(join(dir, 'model'));
  const length = (id: string) => new BatchEncoder(model, resolveTask(model)).tokenize([...pool, ...validation].find((e) => e.id === id)!).ids.length;
  const longestM = Math.max(...first.examples.mean.map(length));
  const atUnreached = [...first.examples.discovery, ...validation.map((e) => e.id)].filter((id) => length(id) > longestM).length;
  assert.deepEqual(first.meanBaseline, {
    examples: 8, seq: first.settings.sequenceLength, reachedPositions: longestM, unreachedPositions: first.settings.sequenceLength - longestM, unreached: 'pooled', examplesAtUnreached: atUnreached,
  });
  assert.equal(first.iterations[0]!.targets, 'logits');
  assert.equal(first.iterations[0]!.scores.length, 8, 'every head is scored against the logits');
  for (const it of first.iterations.slice(1)) {
    const deepest = Math.max(...(it.targets as { layer: number }[]).map((t) => t.layer));
    assert.ok(it.scores.every((s) => s.layer < deepest), 'expansion candidates lie in earlier layers');
  }
  const inCircuit = new Set(first.circuit.map((h) => `${h.layer}.${h.head}`));
  assert.equal(inCircuit.size, first.circuit.length, 'no head is selected twice');
  for (const control of Object.values(first.comparisons)) {
    assert.equal(control.length, first.circuit.length);
    assert.ok(control.every((h) => !inCircuit.has(`${h.layer}.${h.head}`)));
  }
  assert.ok(first.faithfulness && first.faithfulness.circuits.length === first.iterations.length + 3);
  assert.ok(first.fastScreen && Math.abs(first.fastScreen.spearmanWithCdt) <= 1);

  const again = await run(7);
  assert.deepEqual(again.circuit, first.circuit);
  assert.deepEqual(again.iterations.map((i) => i.scores), first.iterations.map((i) => i.scores));
  assert.deepEqual(again.examples, first.examples);
});

test('selection size and rank correlation', () => {
  assert.equal(selectionSize(336, 0.02), 6); // Qwen2.5-0.5B: 24 layers × 14 heads
  assert.equal(selectionSize(16, 0.02), 1);
  assert.equal(selectionSize(336, 0.05), 16);
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 3, 2, 4]) - 4.5 / Math.sqrt(22.5)) < 1e-12); // ties get average ranks
});

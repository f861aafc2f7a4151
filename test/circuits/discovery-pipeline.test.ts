// The discovery job end to end on a tiny model: the circuit file validates and round-trips, example
// sets come only from the pool (M and D disjoint when possible), seeded runs reproduce the same
// circuit and scores, controls match the circuit's size without overlapping it, expansion targets
// only earlier layers, the fast screen finds a planted head as CD-T does, and the helpers (selection
// size, Spearman) behave.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCircuitFile, writeCircuitFile } from '../../main/circuits/circuit-file';
import { sourceLayerWork } from '../../main/circuits/discovery';
import { layerProfile } from '../../main/circuits/layer-profile';
import { DEFAULT_DISCOVERY, runDiscovery } from '../../main/circuits/run-discovery';
import { selectionSize, spearman } from '../../main/circuits/selection';
import { Rng } from '../../main/engine/random';
import { BatchEncoder } from '../../main/models/classification/batch-encoder';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { tinyModel, writeTinyModel, TEXTS } from '../models/fixtures/tiny-models';
import { testRunner } from '../helpers/engine';
import { plantHead, selfLabelled } from './fixtures/planted';

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
  // The null: the default number of random sets, compared with the deepest circuit, the first being the random control.
  const n = first.faithfulness.randomNull!;
  assert.deepEqual([n.draws, n.heads, n.circuit], [20, first.circuit.length, `circuit depth ${first.iterations.length - 1}`]);
  const control = first.faithfulness.circuits.find((c) => c.name === 'random')!;
  assert.ok(n.accuracyFaithfulness.min <= control.accuracyFaithfulness && control.accuracyFaithfulness <= n.accuracyFaithfulness.max);
  assert.ok(n.pAccuracy >= 1 / 21 && n.pAccuracy <= 1);
  assert.deepEqual(first.fastScreen?.attribution.map((row) => row.length), [4, 4], 'one attribution per head');

  // Two layers, depth 2 asked: expansion must stop, and say it stopped because its targets sit in layer 0.
  const reached = first.iterations.length - 1;
  assert.ok(reached < 2);
  assert.deepEqual({ ...first.expansion!, reason: undefined }, { asked: 2, reached, stop: 'targets-in-layer-0', reason: undefined });
  assert.ok(first.iterations[reached]!.selected.every((h) => h.layer === 0), 'the last targets are all in layer 0');
  assert.match(first.expansion!.reason, new RegExp(`stopped at depth ${reached} of 2 asked: .*layer 0`));
  // The per-layer score distribution: one row per iteration and scored layer, counting the kept heads.
  for (const it of first.iterations) {
    const rows = first.layerProfile!.filter((p) => p.iteration === it.depth);
    assert.equal(rows.reduce((a, p) => a + p.heads, 0), it.scores.length);
    assert.equal(rows.reduce((a, p) => a + p.selected, 0), it.selected.length);
    for (const p of rows) {
      const values = it.scores.filter((x) => x.layer === p.layer).map((x) => x[first.settings.rankBy]);
      assert.equal(p.max, Math.max(...values));
      assert.equal(p.min, Math.min(...values));
      assert.ok(p.min <= p.q1 && p.q1 <= p.median && p.median <= p.q3 && p.q3 <= p.max);
    }
  }

  const again = await run(7);
  assert.deepEqual(again.circuit, first.circuit);
  assert.deepEqual(again.iterations.map((i) => i.scores), first.iterations.map((i) => i.scores));
  assert.deepEqual(again.examples, first.examples);
});

test('layer profile: NumPy-default quartiles per layer, kept heads counted', () => {
  const row = (layer: number, score: number, selected = false) => ({ layer, score, selected });
  const [l0, l2] = layerProfile(3, [row(2, 5, true), row(0, 4), row(0, 1), row(0, 3, true), row(0, 2)]);
  // np.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) = [1.75, 2.5, 3.25]
  assert.deepEqual(l0, { iteration: 3, layer: 0, heads: 4, min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4, mean: 2.5, selected: 1 });
  assert.deepEqual(l2, { iteration: 3, layer: 2, heads: 1, min: 5, q1: 5, median: 5, q3: 5, max: 5, mean: 5, selected: 1 });
});

test('the fast screen agrees with CD-T on a model whose label logits only one head writes', async () => {
  const planted = { layer: 1, head: 2 };
  writeTinyModel(join(dir, 'planted'), tinyModel('qwen2', 5), 'F64');
  const model = loadModel(join(dir, 'planted'));
  plantHead(model, resolveTask(model), planted);
  const { task, examples } = await selfLabelled(model, pool.map((e) => e.text));
  const file = await runDiscovery(model, task, { pool: examples, validation: [] }, { ...DEFAULT_DISCOVERY, selectionRatio: 0.125, maxDepth: 0, meanSize: 12, discoverySize: 12, batchSize: 6, runner: testRunner() });
  const { attribution, spearmanWithCdt } = file.fastScreen!;
  const strongest = attribution.flatMap((row, layer) => row.map((a, head) => ({ layer, head, a }))).sort((x, y) => y.a - x.a)[0]!;
  assert.deepEqual({ layer: strongest.layer, head: strongest.head }, planted, 'the fast screen ranks the planted head first');
  assert.ok(spearmanWithCdt > 0.9, `ρ with CD-T ${spearmanWithCdt}`);
});

test('scoring progress is weighted by each source layer\'s cost, so the ETA from it is true', async () => {
  writeTinyModel(join(dir, 'progress'), tinyModel('qwen2', 5, 4), 'F64');
  const model = loadModel(join(dir, 'progress'));
  const task = resolveTask(model);
  const examples = pool.map((e, i) => ({ ...e, label: task.labels[i % task.labels.length]!.name }));
  const calls: { phase: string; done: number; fraction?: number }[] = [];
  await runDiscovery(model, task, { pool: examples, validation: [] }, { ...DEFAULT_DISCOVERY, selectionRatio: 0.125, maxDepth: 0, meanSize: 6, discoverySize: 6, batchSize: 6, fastScreen: false, runner: testRunner() }, (phase, done, _of, fraction) => void calls.push({ phase, done, fraction }));
  const scoring = calls.filter((c) => c.phase.startsWith('scoring heads (depth 0)'));
  assert.deepEqual(scoring.map((c) => c.done), [1, 2, 3, 4], 'one report per source layer, in layers');
  // the default settings take the label-row path with each batch's forward traced first (a phase of
  // its own); a source layer then costs its layers above: 4, 3, 2, 1
  const work = [0, 1, 2, 3].map((l) => sourceLayerWork(l, 4, 'row'));
  assert.deepEqual(work, [4, 3, 2, 1]);
  const total = work.reduce((a, b) => a + b, 0);
  scoring.forEach((c, i) => assert.ok(Math.abs(c.fraction! - work.slice(0, i + 1).reduce((a, b) => a + b, 0) / total) < 1e-12));
  assert.deepEqual(calls.filter((c) => c.phase === 'tracing the clean forward').map((c) => c.done), [1], 'one batch traced, before scoring');
  assert.ok(calls.findIndex((c) => c.phase === 'tracing the clean forward') < calls.findIndex((c) => c.phase.startsWith('scoring')));
  // over the sequence, layers 0-3 of 4 would cost 5, 4, 3, 2 (the layers from it to the top, plus one)
  assert.deepEqual([0, 1, 2, 3].map((l) => sourceLayerWork(l, 4, 'sequence')), [5, 4, 3, 2]);
});

test('selection size and rank correlation', () => {
  assert.equal(selectionSize(336, 0.02), 6); // Qwen2.5-0.5B: 24 layers × 14 heads
  assert.equal(selectionSize(16, 0.02), 1);
  assert.equal(selectionSize(336, 0.05), 16);
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 3, 2, 4]) - 4.5 / Math.sqrt(22.5)) < 1e-12); // ties get average ranks
});

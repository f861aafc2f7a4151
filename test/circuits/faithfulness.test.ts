// Faithfulness checked against things computed without the ablation graph:
// - keeping every head gives the predictor's logits (plain classification forward, its own padding);
// - ablating heads equals the float64 plain-loop reference (helpers/naive-models.ts) with those heads'
//   z replaced by μ by hand at each token's padded position, pooled positions included;
// - the accuracy, margin and faithfulness formulas on logits written down here.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CircuitSession } from '../../main/circuits/circuit-session';
import { ablatedLogits, circuitMetrics, evaluateFaithfulness, faithfulness, randomNull, type ExampleLogits } from '../../main/circuits/faithfulness';
import { comparisonSets, randomDraws } from '../../main/circuits/selection';
import { allHeads, headKey, headMask, type Head } from '../../main/circuits/heads';
import { computeMeanBaseline } from '../../main/circuits/mean-baseline';
import { Predictor } from '../../main/models/classification/predictor';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { testRunner } from '../helpers/engine';
import { naiveDecoderLabelLogits } from '../helpers/naive-models';
import { referenceWeights, TEXTS, tinyModel, writeTinyModel, type TinyFamily } from '../models/fixtures/tiny-models';

const root = mkdtempSync(join(tmpdir(), 'lontar-faithfulness-'));
after(() => rmSync(root, { recursive: true, force: true }));
const LABELS = ['negative', 'neutral', 'positive'];
const examples = [...TEXTS, 'cat', 'the dog'].map((text, i) => ({ id: `e${i}`, text, label: LABELS[i % 3]! }));
const meanSet = examples.filter((e) => e.text.length <= 16); // shorter than the longest: pooled positions exist

async function open(family: TinyFamily, dtype: 'F32' | 'F64') {
  const tiny = tinyModel(family, 3);
  const model = loadModel(writeTinyModel(join(root, `${family}-${dtype}`), tiny, dtype));
  const task = resolveTask(model);
  const session = await CircuitSession.open(model, task, { runner: testRunner(), batchSize: 4, maxLength: 64 });
  // One padded length longer than any example, so the predictor's own batches are padded differently.
  session.fixLength([...examples, { id: 'long', text: TEXTS.slice(0, 3).join(' ') }]);
  const mean = await computeMeanBaseline(session, meanSet);
  return { tiny, model, task, session, mean };
}

const worst = (a: ExampleLogits[], b: number[][]) => Math.max(...a.flatMap((r, i) => r.logits.map((v, c) => Math.abs(v - b[i]![c]!) / Math.max(1, Math.abs(b[i]![c]!)))));

for (const [family, dtype, tolerance] of [['qwen2', 'F64', 1e-12], ['qwen2', 'F32', 1e-5], ['bert', 'F64', 1e-12]] as const) {
  test(`${family} ${dtype}: keeping every head reproduces the predictor's logits`, async () => {
    const { model, task, session, mean } = await open(family, dtype);
    const every = headMask(model.config, allHeads(model.config));
    const kept = await ablatedLogits(session, mean, examples, every);
    const predictor = Predictor.create(model, task, { runner: testRunner(), batchSize: 3 });
    const predicted = await predictor.predict(examples);
    await predictor.close();
    assert.deepEqual(kept.map((r) => r.id), predicted.map((p) => p.id));
    const diff = worst(kept, predicted.map((p) => p.logits));
    assert.ok(diff <= tolerance, `worst relative difference ${diff.toExponential(2)}`);
    // The report's full model is that model: its accuracy is the predictor's.
    const report = await evaluateFaithfulness(session, mean, examples, [{ name: 'every head', heads: allHeads(model.config) }, { name: 'none', heads: [] }]);
    const accuracy = predicted.filter((p) => p.label === p.gold).length / predicted.length;
    assert.equal(report.full.accuracy, accuracy);
    assert.deepEqual([report.circuits[0]!.accuracyFaithfulness, report.circuits[0]!.marginFaithfulness], [100, 100]);
    assert.ok(report.circuits[1]!.marginFaithfulness === 0, 'no head kept is the all-ablated model'); // −0 allowed
    assert.notEqual(report.full.margin, report.allAblated.margin);
    await session.close();
  });
}

test('ablating heads equals substituting μ by hand in the float64 reference', async () => {
  const { tiny, model, task, session, mean } = await open('qwen2', 'F64');
  const { numHeads: H, headDim: Dh } = model.config;
  const T = session.seq;
  assert.ok(mean.reached.some((r) => !r), 'some positions use the pooled value');
  const w = referenceWeights(tiny, 'F64');
  const labelTokens = task.labels.map((l) => l.tokenId!);
  const everyHead = allHeads(model.config);
  const cases: Head[][] = [[{ layer: 0, head: 1 }], [{ layer: 1, head: 3 }], everyHead];
  for (const ablated of cases) {
    const off = new Set(ablated.map(headKey));
    const engine = await ablatedLogits(session, mean, examples, headMask(model.config, everyHead.filter((h) => !off.has(headKey(h)))));
    const reference = examples.map((e) => {
      const ids = session.encoder.tokenize(e).ids;
      const slot = (t: number) => T - ids.length + t; // left padding
      const mu = (l: number, t: number, h: number) => Array.from(mean.layers[l]!.subarray((slot(t) * H + h) * Dh, (slot(t) * H + h + 1) * Dh));
      return naiveDecoderLabelLogits(tiny.config, w, ids, labelTokens, (l, t, h, z) => (off.has(`${l}.${h}`) ? mu(l, t, h) : z));
    });
    const clean = examples.map((e) => naiveDecoderLabelLogits(tiny.config, w, session.encoder.tokenize(e).ids, labelTokens));
    const what = ablated.length === 1 ? headKey(ablated[0]!) : 'every head';
    assert.ok(worst(engine, clean) > 1e-3, `ablating ${what} changes the logits`);
    const diff = worst(engine, reference);
    assert.ok(diff <= 1e-10, `${what}: worst relative difference ${diff.toExponential(2)}`);
  }
  await session.close();
});

test('accuracy, margin and faithfulness on a hand-computed case', () => {
  const rows: ExampleLogits[] = [
    { id: 'a', logits: [2, 0, 1], label: 0 }, //    correct; margin 2 − (0 + 1)/2 = 1.5
    { id: 'b', logits: [0, 3, 0], label: 2 }, //    wrong;   margin 0 − (0 + 3)/2 = −1.5
    { id: 'c', logits: [1, 1, -1], label: 0 }, //   a tie: the predictor says label 0, correct; margin 1 − (1 − 1)/2 = 1
    { id: 'd', logits: [5, 5, 5], label: null }, // unlabelled: not counted
    { id: 'e', logits: [-1, 0.5, 2], label: 2 }, // correct; margin 2 − (−1 + 0.5)/2 = 2.25
  ];
  // accuracy 3/4; margin (1.5 − 1.5 + 1 + 2.25)/4 = 0.8125
  assert.deepEqual(circuitMetrics(rows), { accuracy: 0.75, margin: 0.8125 });
  // Two labels: the margin is gold − the other.
  assert.deepEqual(circuitMetrics([{ id: 'x', logits: [0.5, 2], label: 0 }]), { accuracy: 0, margin: -1.5 });
  assert.deepEqual(circuitMetrics([]), { accuracy: 0, margin: 0 });

  const full = { accuracy: 0.8, margin: 2 };
  const none = { accuracy: 0.3, margin: 0.5 };
  // accuracy: 100 · 0.75 / 0.8 = 93.75; margin: 100 · (0.8125 − 0.5) / (2 − 0.5) = 31.25 / 1.5 = 20.8333…
  const f = faithfulness({ accuracy: 0.75, margin: 0.8125 }, full, none);
  assert.equal(f.accuracyFaithfulness, 93.75);
  assert.ok(Math.abs(f.marginFaithfulness - 125 / 6) < 1e-12, `${f.marginFaithfulness}`);
  // Undefined ratios are reported as 0: a full model that gets nothing right, a margin span of 0.
  assert.deepEqual(faithfulness({ accuracy: 0.5, margin: 1 }, { accuracy: 0, margin: 1 }, { accuracy: 0, margin: 1 }), { accuracyFaithfulness: 0, marginFaithfulness: 0 });
});

test('the random-set null: spread and permutation p-value on a hand-computed case', () => {
  const circuit = { name: 'circuit depth 1', heads: 2, accuracy: 0.6, margin: 1, accuracyFaithfulness: 80, marginFaithfulness: 30 };
  const draws = [50, 80, 90, 60].map((a, i) => ({ accuracyFaithfulness: a, marginFaithfulness: [10, 20, 25, 5][i]! }));
  const n = randomNull(circuit, draws);
  // accuracy: mean 70, deviations −20 10 20 −10 → sample variance 1000/3; draws ≥ 80: two → p = (1 + 2)/(1 + 4)
  assert.equal(n.accuracyFaithfulness.mean, 70);
  assert.ok(Math.abs(n.accuracyFaithfulness.std - Math.sqrt(1000 / 3)) < 1e-12);
  assert.deepEqual([n.accuracyFaithfulness.min, n.accuracyFaithfulness.max, n.pAccuracy], [50, 90, 0.6]);
  // margin: no draw reaches 30 → the smallest p four draws allow, 1/5
  assert.deepEqual([n.pMargin, n.marginFaithfulness.mean, n.draws, n.heads, n.circuit], [0.2, 15, 4, 2, 'circuit depth 1']);
});

test('random draws: seeded, of the circuit size, outside it; the first is the random control', () => {
  const heads = Array.from({ length: 12 }, (_, i) => ({ layer: Math.floor(i / 4), head: i % 4 }));
  const circuit = [{ layer: 2, head: 1 }, { layer: 1, head: 0 }];
  const draws = randomDraws(heads, circuit, 5, 30);
  assert.equal(draws.length, 30);
  assert.ok(draws.every((d) => d.length === 2 && d.every((h) => !circuit.some((c) => headKey(c) === headKey(h)))));
  assert.deepEqual(draws[0], comparisonSets(heads, new Map(), circuit, 5).random);
  assert.deepEqual(randomDraws(heads, circuit, 5, 30), draws, 'the same seed gives the same draws');
  assert.ok(new Set(draws.map((d) => d.map(headKey).join(' '))).size > 10, 'draws differ from one another');
});

test('evaluateFaithfulness measures each random draw like a named set', async () => {
  const { model, session, mean } = await open('qwen2', 'F64');
  const every = allHeads(model.config);
  const draws = [[{ layer: 0, head: 1 }], every, [{ layer: 1, head: 3 }]];
  const named = draws.map((heads, i) => ({ name: `draw ${i}`, heads }));
  const report = await evaluateFaithfulness(session, mean, examples, [...named, { name: 'target', heads: [{ layer: 1, head: 2 }] }], { against: 'target', draws });
  const rows = report.circuits.slice(0, 3);
  const n = report.randomNull!;
  assert.equal(n.circuit, 'target');
  assert.deepEqual([n.accuracyFaithfulness.max, n.marginFaithfulness.max], [100, 100], 'the all-heads draw is the full model');
  assert.equal(n.accuracyFaithfulness.min, Math.min(...rows.map((r) => r.accuracyFaithfulness)));
  assert.ok(Math.abs(n.marginFaithfulness.mean - rows.reduce((a, r) => a + r.marginFaithfulness, 0) / 3) < 1e-9);
  const target = report.circuits[3]!;
  assert.equal(n.pMargin, (1 + rows.filter((r) => r.marginFaithfulness >= target.marginFaithfulness).length) / 4);
  // No draws, or an unknown row: no null.
  assert.equal((await evaluateFaithfulness(session, mean, examples, named, { against: 'nothing', draws })).randomNull, undefined);
  await session.close();
});

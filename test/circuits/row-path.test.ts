// Discovery's label-row path (decoder-row.ts) against β over the whole sequence: for label-position
// sources under the fixed attention rule in a causal decoder, both must give the same directional and
// magnitude scores, for logit targets from every source layer and for head targets, with left and
// right padding, GQA with q/k/v biases (qwen2) and head_dim ≠ hidden/heads with an untied head
// (llama), with sign cleanup off and in the MLPs; and so must the row path that reads the clean
// forward traced once per batch (row-trace.ts). Where the row path is not exact it is refused.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CircuitSession } from '../../main/circuits/circuit-session';
import { computeMeanBaseline } from '../../main/circuits/mean-baseline';
import { buildRelevanceGraph, MEAN_INPUT, rowPathApplies, type RelevanceSpec, type RelevanceTargets } from '../../main/circuits/relevance-graph';
import { RowTraces } from '../../main/circuits/row-trace';
import type { SignCleanup } from '../../main/engine/ops/op-def';
import { Rng } from '../../main/engine/random';
import { hostTensor } from '../../main/engine/tensor';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { testRunner } from '../helpers/engine';
import { tinyModel, writeTinyModel, TEXTS, type TinyFamily } from '../models/fixtures/tiny-models';

const root = mkdtempSync(join(tmpdir(), 'lontar-row-path-'));
after(() => rmSync(root, { recursive: true, force: true }));

const words = [...new Set(TEXTS.flatMap((t) => t.split(' ')))];
const rng = new Rng(5);
const examples = Array.from({ length: 12 }, (_, i) => ({
  id: `e${i}`,
  text: Array.from({ length: 1 + rng.int(7) }, () => words[rng.int(words.length)]!).join(' '),
  label: ['negative', 'neutral', 'positive'][i % 3]!,
}));

async function scores(session: CircuitSession, mean: Awaited<ReturnType<typeof computeMeanBaseline>>, spec: RelevanceSpec, traces?: RowTraces) {
  const { numHeads: H, headDim: Dh } = session.model.config;
  const feeds = { [MEAN_INPUT]: hostTensor('float64', [1, session.seq, H, Dh], mean.layers[spec.sourceLayer]!) };
  const key = `check|${spec.path}|${spec.trace}|${spec.sourceLayer}|${JSON.stringify(spec.targets)}|${spec.cd.signCleanup}`;
  const out: number[][] = [];
  for (const [i, batch] of session.batches(examples).entries()) {
    const o = await session.run(key, () => buildRelevanceGraph(session, spec), batch, { ...feeds, ...traces?.feeds(i, spec.sourceLayer) }, ['directional', 'magnitude']);
    out.push([...(o.directional!.data as Float64Array)], [...(o.magnitude!.data as Float64Array)]);
  }
  return out.flat();
}

for (const family of ['qwen2', 'llama'] as TinyFamily[]) {
  for (const padding of ['left', 'right'] as const) {
    test(`${family}, ${padding} padding: the label-row path gives the sequence path's scores`, { timeout: 120_000 }, async () => {
      const dir = join(root, `${family}-${padding}`);
      writeTinyModel(dir, tinyModel(family, 11, 3), 'F64');
      const model = loadModel(dir);
      (model.tokenizer as { paddingSide: string }).paddingSide = padding;
      const task = resolveTask(model);
      const session = await CircuitSession.open(model, task, { runner: testRunner(), batchSize: 5, maxLength: 64 });
      try {
        session.fixLength(examples);
        const mean = await computeMeanBaseline(session, examples);
        const traces = await RowTraces.compute(session, session.batches(examples));
        const targetSets: [number, RelevanceTargets][] = [
          [0, { kind: 'logits' }], [1, { kind: 'logits' }], [2, { kind: 'logits' }],
          [0, { kind: 'heads', heads: [{ layer: 1, head: 2 }, { layer: 2, head: 0 }, { layer: 2, head: 3 }] }],
        ];
        for (const signCleanup of ['off', 'mlp'] as SignCleanup[]) {
          for (const [sourceLayer, targets] of targetSets) {
            const base = { sourceLayer, targets, cd: { attention: 'fixed' as const, tol: 1e-8, signCleanup }, sourceScope: 'label-position' as const };
            const [row, seq] = [await scores(session, mean, { ...base, path: 'row' }), await scores(session, mean, { ...base, path: 'sequence' })];
            const fed = await scores(session, mean, { ...base, trace: 'fed' }, traces);
            const largest = Math.max(...seq.map(Math.abs));
            assert.ok(largest > 1e-3, 'the scores are not all zero');
            seq.forEach((s, i) => assert.ok(Math.abs(row[i]! - s) <= 1e-10 * Math.max(1, Math.abs(s)), `${signCleanup} ${sourceLayer} ${targets.kind} #${i}: row ${row[i]} vs sequence ${s}`));
            seq.forEach((s, i) => assert.ok(Math.abs(fed[i]! - s) <= 1e-10 * Math.max(1, Math.abs(s)), `${signCleanup} ${sourceLayer} ${targets.kind} #${i}: row with the traced forward fed ${fed[i]} vs sequence ${s}`));
          }
        }
      } finally {
        await session.close();
      }
    });
  }
}

test('the label-row path is refused where it is not exact', async () => {
  const dir = join(root, 'refused');
  writeTinyModel(dir, tinyModel('qwen2', 11, 2), 'F64');
  const model = loadModel(dir);
  const cd = { attention: 'fixed' as const, tol: 1e-8, signCleanup: 'mlp' as const };
  assert.equal(rowPathApplies(model.config, { sourceScope: 'label-position', cd }), true);
  assert.equal(rowPathApplies(model.config, { sourceScope: 'all-positions', cd }), false);
  assert.equal(rowPathApplies(model.config, { sourceScope: 'label-position', cd: { ...cd, attention: 'beta-softmax' } }), false);
  const bert = join(root, 'bert');
  writeTinyModel(bert, tinyModel('bert', 11, 2), 'F64');
  assert.equal(rowPathApplies(loadModel(bert).config, { sourceScope: 'label-position', cd }), false);
  const session = await CircuitSession.open(model, resolveTask(model), { runner: testRunner(), batchSize: 5, maxLength: 64 });
  try {
    session.fixLength(examples);
    assert.throws(() => buildRelevanceGraph(session, { sourceLayer: 0, targets: { kind: 'logits' }, cd, sourceScope: 'all-positions', path: 'row' }), /label-row path needs/);
    assert.throws(() => buildRelevanceGraph(session, { sourceLayer: 0, targets: { kind: 'logits' }, cd: { ...cd, attention: 'beta-softmax' }, sourceScope: 'label-position', trace: 'fed' }), /label-row path needs/);
  } finally {
    await session.close();
  }
});

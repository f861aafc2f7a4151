// Discovery scores checked against things computed independently of the CD machinery:
// - a last-layer head whose relevance reaches the logits linearly (the last MLP is silenced): its
//   Eq. 4 score equals its contribution through W_O, the final norm's linearisation and the label
//   rows of the unembedding, computed here by hand from clean activations;
// - a planted circuit: a model whose label logits are written by one head only must rank it first.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CircuitSession } from '../../main/circuits/circuit-session';
import { discover, sourceGroups, type DiscoveryOptions } from '../../main/circuits/discovery';
import { Rng } from '../../main/engine/random';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { tinyModel, writeTinyModel, TEXTS } from '../models/fixtures/tiny-models';
import { testRunner } from '../helpers/engine';
import { plantHead, selfLabelled, setTensor } from './fixtures/planted';

const dir = mkdtempSync(join(tmpdir(), 'lontar-relevance-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeTinyModel(dir, tinyModel('qwen2', 5), 'F64');

const words = [...new Set(TEXTS.flatMap((t) => t.split(' ')))];
const rng = new Rng(12);
const texts = Array.from({ length: 90 }, () => Array.from({ length: 2 + rng.int(4) }, () => words[rng.int(words.length)]!).join(' '));
const OPTIONS: DiscoveryOptions = {
  seed: 3, selectionRatio: 0.125, maxDepth: 0, meanSize: 12, discoverySize: 12, rankBy: 'directional',
  cd: { attention: 'fixed', tol: 1e-8, signCleanup: 'off' }, sourceScope: 'all-positions',
};

test('a last-layer head reaching the logits linearly scores exactly its direct contribution (Eq. 4)', async () => {
  const model = loadModel(dir);
  setTensor(model, 'model.layers.1.mlp.down_proj.weight', () => 0); // the last MLP writes nothing
  const { task, examples } = await selfLabelled(model, texts);
  const session = await CircuitSession.open(model, task, { runner: testRunner(), batchSize: 6, maxLength: 64 });
  const run = await discover(session, examples, [], OPTIONS);
  const cfg = model.config;
  const [H, Dh, D, T] = [cfg.numHeads, cfg.headDim, cfg.hiddenSize, session.seq];
  const labelRows = task.labels.map((l) => l.tokenId!);
  const emb = model.weights.get('model.embed_tokens.weight')!.data as Float64Array;
  const wo = model.weights.get('model.layers.1.self_attn.o_proj.weight')!.data as Float64Array; // [D, H·Dh]
  const wNorm = model.weights.get('model.norm.weight')!.data as Float64Array;
  const mu = run.mean.layers[1]!;
  const direct = new Array<number>(H).fill(0);
  const build = () => {
    const m = session.taskModel();
    const norm = m.graph.tape.filter((e) => e.op.name === 'RMSNorm').at(-1)!; // the final norm
    m.graph.output(m.z[1]!, 'z');
    m.graph.output((norm.saved as { invStd: typeof m.z[0] }).invStd, 'inv');
    return m.graph;
  };
  for (const batch of session.batches(run.sets.discovery)) {
    const out = await session.run('direct', build, batch, {}, ['z', 'inv']);
    const [z, inv] = [out.z!.data as Float64Array, out.inv!.data as Float64Array];
    const pos = batch.feeds.label_position!.data as BigInt64Array;
    batch.rows.forEach((row, b) => {
      const t = Number(pos[b]);
      for (let h = 0; h < H; h++) {
        const logits = labelRows.map((tok) => {
          let s = 0;
          for (let d = 0; d < D; d++) {
            let write = 0;
            for (let e = 0; e < Dh; e++) write += (z[((b * T + t) * H + h) * Dh + e]! - mu[(t * H + h) * Dh + e]!) * wo[d * H * Dh + h * Dh + e]!;
            s += write * inv[b * T + t]! * wNorm[d]! * emb[tok * D + d]!;
          }
          return s;
        });
        const gold = logits[row.label!]!;
        direct[h]! += (gold - (logits.reduce((a, x) => a + x, 0) - gold) / (logits.length - 1)) / run.sets.discovery.length;
      }
    });
  }
  const scored = run.iterations[0]!.scores.filter((s) => s.head.layer === 1);
  assert.equal(scored.length, H);
  for (const s of scored) {
    assert.ok(Math.abs(s.directional - direct[s.head.head]!) < 1e-9, `head 1.${s.head.head}: CD-T ${s.directional} vs direct ${direct[s.head.head]}`);
  }
  assert.ok(direct.some((x) => Math.abs(x) > 1e-3), 'the contributions are not trivially zero');
  await session.close();
});

test('a planted circuit: the only head writing toward the label tokens ranks first', async () => {
  const model = loadModel(dir);
  const task = resolveTask(model);
  const planted = { layer: 1, head: 2 };
  plantHead(model, task, planted);
  const { examples } = await selfLabelled(model, texts);
  assert.ok(new Set(examples.map((e) => e.label)).size >= 2, 'the planted head separates at least two labels');
  const session = await CircuitSession.open(model, task, { runner: testRunner(), batchSize: 6, maxLength: 64 });
  const run = await discover(session, examples, [], OPTIONS);
  const [top] = run.iterations[0]!.selected;
  assert.deepEqual(top, planted);
  const scores = run.iterations[0]!.scores;
  const plantedScore = scores.find((s) => s.head.layer === 1 && s.head.head === 2)!.directional;
  assert.ok(plantedScore > 0.05, `planted head scores ${plantedScore}`);
  for (const s of scores) if (s !== scores.find((x) => x.head.layer === 1 && x.head.head === 2)) assert.ok(Math.abs(s.directional) < 1e-9);
  await session.close();
});


test('splitting a layer\'s heads over several runs gives the same scores as one run (depth 1)', async () => {
  const model = loadModel(dir);
  const { task, examples } = await selfLabelled(model, texts);
  const session = await CircuitSession.open(model, task, { runner: testRunner(), batchSize: 6, maxLength: 64 });
  const options = { ...OPTIONS, maxDepth: 1 };
  const whole = await discover(session, examples, [], { ...options, sourceRowsPerRun: 1e9 });
  const split = await discover(session, examples, [], { ...options, sourceRowsPerRun: 1 }); // one head per run
  await session.close();
  assert.equal(split.iterations.length, whole.iterations.length);
  whole.iterations.forEach((it, d) => {
    assert.deepEqual(split.iterations[d]!.selected, it.selected);
    it.scores.forEach((s, i) => {
      const o = split.iterations[d]!.scores[i]!;
      assert.deepEqual(o.head, s.head);
      assert.ok(Math.abs(o.directional - s.directional) <= 1e-12 * Math.max(1, Math.abs(s.directional)), `${d} ${s.head.layer}.${s.head.head}`);
      assert.ok(Math.abs(o.magnitude - s.magnitude) <= 1e-12 * Math.max(1, Math.abs(s.magnitude)));
    });
  });
});

test('source groups: contiguous, near-equal, within the row budget', () => {
  assert.deepEqual(sourceGroups(14, 1280, 9000), [[0, 1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12, 13]]);
  assert.deepEqual(sourceGroups(8, 480, 9000), [[0, 1, 2, 3, 4, 5, 6, 7]]);
  assert.deepEqual(sourceGroups(5, 100, 250), [[0], [1, 2], [3, 4]]);
  assert.deepEqual(sourceGroups(3, 10_000, 9000), [[0], [1], [2]]);
  for (const [h, rows, budget] of [[14, 1280, 9000], [5, 100, 250], [7, 1, 3]] as const) {
    const groups = sourceGroups(h, rows, budget);
    assert.deepEqual(groups.flat(), Array.from({ length: h }, (_, i) => i));
    const perRun = Math.max(1, Math.floor(budget / rows));
    for (const g of groups) assert.ok(g.length <= perRun && g.length >= Math.max(...groups.map((x) => x.length)) - 1);
  }
});

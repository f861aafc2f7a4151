// A known late-layer circuit in a 4-layer model whose other heads and MLPs stay active: only head
// 3.1 writes into the dimensions the label tokens read, every other head and MLP writes elsewhere
// (and feeds 3.1). Whatever the source scope (all positions, label position) and attention rule
// (fixed, beta-softmax): which of them rank 3.1 first at iteration 0?
// Measured (docs/circuits.md): only the label-position scope with the fixed attention rule ranks the
// planted head first. All positions credit an early head with its deviation at every position that
// 3.1 reads (layer-0 head 0.1 scored 0.805 against 3.1's 0.664), and beta-softmax's uniform leak
// inflates heads that reach the logits only through 3.1 (1.0 at 1.32; 0.2 at 34.8 at the label position). The test holds that variant to the
// known answer, and the others to what was measured, so a change in either shows.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CircuitSession } from '../../main/circuits/circuit-session';
import { discover, type DiscoveryOptions } from '../../main/circuits/discovery';
import { Rng } from '../../main/engine/random';
import { hostTensor } from '../../main/engine/tensor';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel, type LoadedModel } from '../../main/models/load';
import { testRunner } from '../helpers/engine';
import { TEXTS, tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';
import { selfLabelled } from './fixtures/planted';

const dir = mkdtempSync(join(tmpdir(), 'lontar-planted-late-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeTinyModel(dir, tinyModel('qwen2', 5, 4), 'F64');
const PLANTED = { layer: 3, head: 1 };

function scale(model: LoadedModel, name: string, keep: (row: number, col: number, cols: number) => number): void {
  const t = model.weights.get(name)!;
  const cols = t.shape[1]!;
  const data = Float64Array.from(t.data as Float64Array, (x, i) => x * keep(Math.floor(i / cols), i % cols, cols));
  model.weights.set(name, hostTensor('float64', t.shape, data));
}

/** The planted model: label tokens embedded in [D/2, D), prompt tokens in [0, D/2); only 3.1 writes to [D/2, D). */
function plantedModel(): LoadedModel {
  const model = loadModel(dir);
  const { hiddenSize: D, headDim: Dh, numLayers } = model.config;
  const labels = new Set(resolveTask(model).labels.map((l) => l.tokenId!));
  scale(model, 'model.embed_tokens.weight', (tok, d) => (labels.has(tok) === d >= D / 2 ? 1 : 0));
  for (let l = 0; l < numLayers; l++) {
    scale(model, `model.layers.${l}.mlp.down_proj.weight`, (row) => (row < D / 2 ? 1 : 0));
    const mine = (col: number) => l === PLANTED.layer && Math.floor(col / Dh) === PLANTED.head;
    scale(model, `model.layers.${l}.self_attn.o_proj.weight`, (row, col) => (row >= D / 2 ? (mine(col) ? 4 : 0) : mine(col) ? 0 : 1));
  }
  return model;
}

test('a planted head in the last layer: label-position scope with fixed attention ranks it first; the other variants favour earlier heads', { timeout: 120_000 }, async () => {
  const model = plantedModel();
  const task = resolveTask(model);
  const words = [...new Set(TEXTS.flatMap((t) => t.split(' ')))];
  const rng = new Rng(12);
  const { examples } = await selfLabelled(model, Array.from({ length: 60 }, () => Array.from({ length: 2 + rng.int(4) }, () => words[rng.int(words.length)]!).join(' ')));
  assert.ok(new Set(examples.map((e) => e.label)).size >= 2, 'the planted head separates at least two labels');

  const session = await CircuitSession.open(model, task, { runner: testRunner(), batchSize: 6, maxLength: 64 });
  try {
    for (const signCleanup of ['off', 'mlp'] as const) {
      for (const sourceScope of ['all-positions', 'label-position'] as const) {
        for (const attention of ['fixed', 'beta-softmax'] as const) {
          const options: DiscoveryOptions = {
            seed: 3, selectionRatio: 1 / 16, maxDepth: 0, meanSize: 12, discoverySize: 12, rankBy: 'directional',
            cd: { attention, tol: 1e-8, signCleanup }, sourceScope,
          };
          const run = await discover(session, examples, [], options);
          const ranked = [...run.iterations[0]!.scores].sort((a, b) => b.directional - a.directional);
          const what = `cleanup ${signCleanup}, ${sourceScope}, ${attention}: ${ranked.slice(0, 3).map((s) => `${s.head.layer}.${s.head.head}=${s.directional.toFixed(4)}`).join(' ')}`;
          const planted = ranked.findIndex((s) => s.head.layer === PLANTED.layer && s.head.head === PLANTED.head);
          if (sourceScope === 'label-position' && attention === 'fixed') assert.equal(planted, 0, what);
          // measured without cleanup; with the MLP cleanup all-positions + fixed ranks the planted head first too (3.1 = 0.51, then 0.3 = 0.44)
          else if (signCleanup === 'off') assert.ok(ranked[0]!.head.layer < PLANTED.layer, `measured: an earlier head outranks the planted one (${what})`);
          assert.ok(ranked.some((s) => s.head.layer < 3 && Math.abs(s.directional) > 1e-6), `earlier heads feed it and score too (${what})`);
        }
      }
    }
  } finally {
    await session.close();
  }
});

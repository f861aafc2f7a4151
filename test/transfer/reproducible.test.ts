// Seeded runs are reproducible end to end: the same experiment in two fresh workspaces gives the
// same pools, circuit, checkpoints (bit for bit), accuracies and report. Every method runs once, and
// each stored checkpoint changes only what its method may change.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCircuitBlob } from '../../main/transfer/circuit-store';
import { buildReport } from '../../main/transfer/experiment/report';
import { markdownTable } from '../../main/transfer/experiment/render';
import { collectResults } from '../../main/transfer/experiment/results';
import { METHODS } from '../../main/transfer/methods';
import { readTensorBlob, RunModels } from '../../main/transfer/run-models';
import { trainableScope } from '../../main/transfer/trainable-scope';
import { runTiny, tinyExperiment, tinySetup } from './helpers';

test('the same seeded experiment twice: same circuit, same checkpoints, same accuracies, same report', { timeout: 180_000 }, async (t) => {
  const { root } = tinySetup(t);
  const spec = tinyExperiment(root, { methods: [...METHODS], depth: [1] });
  const first = await runTiny(t, join(root, 'ws-a'), spec);
  const second = await runTiny(t, join(root, 'ws-b'), spec);
  for (const r of [first, second]) assert.ok(r.outcome.complete, JSON.stringify(r.outcome.cells));

  const byKey = (r: typeof first) => new Map(r.outcome.plan.map((p) => [p.cell.key, r.ws.runs.get(p.runId!)!]));
  const [a, b] = [byKey(first), byKey(second)];
  assert.equal(a.size, 2 + METHODS.length);
  for (const [key, runA] of a) {
    const runB = b.get(key)!;
    if (runA.kind === 'discover') {
      assert.deepEqual(timeless(readCircuitBlob(first.ws, runA.outputBlob!)), timeless(readCircuitBlob(second.ws, runB.outputBlob!)), `${key}: the same circuit file`);
    } else {
      assert.equal(runA.outputBlob, runB.outputBlob, `${key}: the same checkpoint, bit for bit`);
    }
    const scores = (ws: typeof first.ws, id: number) => ws.evaluations.byRun(id).map((e) => [e.language, e.split, e.accuracy, e.macroF1, e.loss]);
    assert.deepEqual(scores(first.ws, runA.id), scores(second.ws, runB.id), key);
  }
  const circuitA = readCircuitBlob(first.ws, a.get('seed31/discover')!.outputBlob!);
  assert.ok(circuitA.circuit.length > 0);
  // Every table but the one with wall time (the clock is not seeded).
  const tables = (r: typeof first) => buildReport(collectResults(r.ws, 'tiny')).tables.filter((x) => x.title !== 'Cost per method').map(markdownTable);
  assert.deepEqual(tables(first), tables(second));

  // Each transfer checkpoint holds only tensors its method may touch, equal to the competence
  // checkpoint outside the trainable slices.
  const models = new RunModels(first.ws);
  const competence = models.of(a.get('seed31/competence')!.id);
  for (const [key, run] of a) {
    if (!key.includes('/jav/')) continue;
    const extra = first.ws.evaluations.byRun(run.id)[0]!.extra;
    const heads = String(extra['heads'] ?? '').split(' ').filter(Boolean).map((h) => ({ layer: Number(h.split('.')[0]), head: Number(h.split('.')[1]) }));
    const method = String(extra['method']);
    const spec = method === 'full' || method === 'direct' ? { kind: 'all' as const } : method === 'norms' ? { kind: 'norms' as const } : { kind: 'heads' as const, heads, kv: 'group' as const };
    const scope = trainableScope(competence.config, competence.weights, spec);
    assert.equal(extra['trainable'], scope.trainable, key);
    const stored = readTensorBlob(first.ws, run.outputBlob!);
    assert.deepEqual([...stored.keys()].sort(), scope.tensors.map((x) => x.name).sort(), `${key}: stored tensors`);
    if (spec.kind !== 'heads') continue;
    for (const [name, tensor] of stored) {
      const how = scope.trainability(name);
      if (how.kind !== 'slices') continue;
      const before = competence.weights.get(name)!;
      const cols = tensor.shape.length === 2 ? tensor.shape[1]! : 1;
      for (let i = 0; i < tensor.data.length; i++) {
        const index = how.axis === 0 ? Math.floor(i / cols) : i % cols;
        if (!how.ranges.some((r) => index >= r.start && index < r.end)) assert.ok(Object.is(tensor.data[i], before.data[i]), `${key}: ${name}[${i}] outside the heads changed`);
      }
    }
  }
});

/** A circuit file without what depends on the clock (creation time, timings). */
function timeless(file: ReturnType<typeof readCircuitBlob>) {
  return { ...file, createdAt: '', timings: {}, iterations: file.iterations.map((it) => ({ ...it, seconds: 0 })), fastScreen: file.fastScreen && { ...file.fastScreen, seconds: 0 } };
}

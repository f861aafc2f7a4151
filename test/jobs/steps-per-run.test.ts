// Several optimizer steps per engine run (an ONNX Loop) inside a real job: the same weights, losses
// and observed metrics as one step per run, with every run ending at a checkpoint or observed step;
// and the automatic choice by device, pace and steps left.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoStepsPerRun } from '../../main/jobs/steps-per-run';
import type { Workspace } from '../../main/store/index';
import { readTensors, TINY, workspaceWithRunner } from './helpers';

const bits = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');

async function trainTiny(t: Parameters<typeof workspaceWithRunner>[0], stepsPerRun: number | 'auto') {
  const { ws, runner } = await workspaceWithRunner(t);
  const logs: string[] = [];
  const checkpoints: number[] = [];
  runner.on('log', (e) => logs.push(e.message));
  runner.on('checkpoint', (e) => checkpoints.push(e.step));
  runner.start();
  const job = await runner.waitFor(runner.enqueue({ kind: 'train-tiny', config: { ...TINY, stepsPerRun }, seed: 3, checkpointEvery: 7 }).id);
  assert.equal(job.status, 'done', job.error ?? '');
  const run = ws.runs.get(job.runId!)!;
  return { ws, run, logs, checkpoints, weights: readTensors(ws, run.outputBlob!) };
}

const series = (ws: Workspace, runId: number, name: string) => ws.metrics.series(runId, name).map((p) => `${p.step}:${p.value}`);

test('four steps per run train the same weights, losses and accuracies as one, ending runs at checkpoints and observed steps', async (t) => {
  const single = await trainTiny(t, 1);
  const looped = await trainTiny(t, 4);
  for (const [name, tensor] of single.weights) assert.equal(bits(looped.weights.get(name)!.data), bits(tensor.data), name);
  for (const metric of ['loss', 'lr', 'grad_norm', 'accuracy']) {
    assert.deepEqual(series(looped.ws, looped.run.id, metric), series(single.ws, single.run.id, metric), metric);
  }
  assert.deepEqual(looped.checkpoints, [7, 14, 21, 28, 35]);
  assert.deepEqual(looped.checkpoints, single.checkpoints);
  // runs of 4 steps, and of 3 where a checkpoint (7) or an accuracy (10) comes sooner: two Loop sizes
  assert.deepEqual(
    looped.logs.filter((l) => l.includes('ONNX Loop')).map((l) => l.split(':')[0]),
    ['steps 1-4', 'steps 5-7'],
  );
  assert.deepEqual(single.logs.filter((l) => l.includes('ONNX Loop')), []);
});

test('auto: single steps for short CPU runs or slow steps, four for long runs of quick ones, up to eight on CUDA, each run within half a minute', () => {
  assert.equal(autoStepsPerRun('cpu', 0.1, 20), 1, 'compiling the Loop would not repay itself');
  assert.equal(autoStepsPerRun('cpu', 0.1, 200), 4);
  assert.equal(autoStepsPerRun('cpu', 4, 200), 4);
  assert.equal(autoStepsPerRun('cpu', 6, 200), 1, 'slow CPU steps gain nothing from a Loop (a 24-layer CT-SFT epoch took 1.6× as long)');
  assert.equal(autoStepsPerRun('cpu', 10, 200), 1);
  assert.equal(autoStepsPerRun('cpu', 40, 200), 1);
  assert.equal(autoStepsPerRun('cuda', 0.05, 20), 8);
  assert.equal(autoStepsPerRun('cuda', 0.05, 3), 3);
  assert.equal(autoStepsPerRun('cuda', 5, 100), 6, 'a run stays within half a minute (cancel waits for it)');
});

// The service for transfer: a tiny pipeline launched through the API (competence with A0 on the
// target, discovery on its checkpoint, CT-SFT and continued full FT over two seeds) runs as jobs,
// its runs list with their scores and cost, its curves read back step by step, and its comparison
// agrees with the runs' own evaluations; launches that could not work are refused at once; a run
// stopped by closing the workspace is resumable and ends with its whole curve; the first-run demo
// queues the demo pipeline as an experiment's jobs; and an experiment compares with exactly the
// tables `lontar experiment report` prints, naming the depth its circuits reached (and the demo's
// printout says why expansion stopped).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TransferRun } from '../../main/api/contract/index';
import { LontarService } from '../../main/api/index';
import { JobRegistry } from '../../main/jobs/index';
import { tempDir } from '../store/helpers';
import { buildReport } from '../../main/transfer/experiment/report';
import { collectResults } from '../../main/transfer/experiment/results';
import { demoSummary } from '../../main/transfer/demo-summary';
import { POOLS, writeCorpus, writeModel } from '../transfer/fixtures';
import { runTiny, tinyExperiment, tinySetup } from '../transfer/helpers';
import { jobEnd, ok, refusedCall, startService } from './fixtures';

const RECIPE = { epochs: 2, lr: 0.01, batchSize: 4, maxLength: 32 };
const MONITOR = { examples: 12, everySteps: 2 };

async function allDone(service: Parameters<typeof jobEnd>[0], jobIds: number[]): Promise<void> {
  for (const end of await Promise.all(jobIds.map((id) => jobEnd(service, id)))) assert.equal(end.status, 'done', end.error ?? '');
}

const accuracy = (run: TransferRun, language: string) => run.evaluations.find((e) => e.language === language && e.split === 'test')!.accuracy!;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

test('a tiny pipeline launched through the API: runs, curves and the forgetting comparison', { timeout: 240_000 }, async (t) => {
  const { dir, service } = await startService(t);
  const corpus = writeCorpus(join(dir, 'corpus'));
  const { report } = await ok(service, 'datasets.validate', { path: corpus });
  const imported = await ok(service, 'datasets.import', { path: corpus, acceptWarnings: true, expected: { examples: report.examples, warnings: report.warnings } });
  const datasetId = (await jobEnd(service, imported.jobId)).detail.summary!['datasetId'] as number;
  const { model } = await ok(service, 'models.import', { path: writeModel(join(dir, 'model')) });

  const base = { modelId: model.id, datasetId, source: 'ind', nSrc: 12, pools: POOLS, recipe: RECIPE, monitor: MONITOR };
  assert.match((await refusedCall(service, 'transfer.launchCompetence', { ...base, targets: ['sun'] })).message, /no sun examples/);
  assert.match((await refusedCall(service, 'transfer.launchCompetence', { ...base, nSrc: 30 })).message, /nSrc \(30\) is larger than the discovery pool/);
  assert.equal((await refusedCall(service, 'transfer.launchCompetence', { ...base, modelId: 999 })).code, 'not-found');

  const competence = await ok(service, 'transfer.launchCompetence', { ...base, targets: ['jav'] });
  assert.equal(competence.jobIds.length, 1);
  const anchor = competence.runIds[0];
  const circuit = await ok(service, 'transfer.discover', { competenceRunId: anchor, depth: 1, selectionRatio: 0.125, meanSize: 6, discoverySize: 6, batchSize: 6 });
  const launch = { competenceRunId: anchor, discoveryRunId: circuit.runId, target: 'jav', n: 6, seeds: [31, 7], recipe: RECIPE, monitor: MONITOR };
  assert.match((await refusedCall(service, 'transfer.launch', { ...launch, methods: ['full'], n: 13 })).message, /n \(13\) is larger than the tuning pool/);
  assert.equal((await refusedCall(service, 'transfer.launch', { ...launch, methods: ['circuit'], discoveryRunId: anchor })).code, 'not-found', 'a competence run is no discovery run');
  const transfers = await ok(service, 'transfer.launch', { ...launch, methods: ['circuit', 'full'] });
  assert.equal(transfers.jobIds.length, 4, 'one job per method and seed');
  await allDone(service, [...competence.jobIds, circuit.jobId, ...transfers.jobIds]);

  const { runs } = await ok<{ runs: TransferRun[] }>(service, 'transfer.runs', {});
  assert.deepEqual(runs.map((r) => r.kind), ['transfer', 'transfer', 'transfer', 'transfer', 'discover', 'competence'], 'newest first');
  const comp = runs.find((r) => r.id === anchor)!;
  assert.deepEqual(comp.evaluations.map((e) => `${e.language}/${e.split}`), ['ind/test', 'ind/valid', 'jav/test'], 'the source, and the target for A0');
  const tuned = runs.filter((r) => r.kind === 'transfer');
  for (const r of tuned) {
    assert.equal(r.status, 'done');
    assert.equal(r.competenceRunId, anchor);
    assert.equal(r.job?.status, 'done');
    assert.ok(r.trainSeconds! > 0);
  }
  const circuitRuns = tuned.filter((r) => r.method === 'circuit');
  const fullRuns = tuned.filter((r) => r.method === 'full');
  assert.equal(fullRuns[0]!.trainableFraction, 1);
  assert.ok(circuitRuns[0]!.trainableFraction! > 0 && circuitRuns[0]!.trainableFraction! < 0.5, 'CT-SFT trains a small share');
  assert.equal(circuitRuns[0]!.depth, 1);
  assert.equal((await ok(service, 'transfer.runs', { kinds: ['competence'] })).runs.length, 1);

  // 6 examples in batches of 4 for 2 epochs: 4 steps, validation scored every 2 steps.
  const series = await ok(service, 'transfer.series', { runId: circuitRuns[0]!.id });
  assert.deepEqual(series.loss.map((p: { step: number }) => p.step), [1, 2, 3, 4]);
  assert.deepEqual(series.valAccuracy.map((p: { step: number }) => p.step), [2, 4]);
  assert.ok(series.valAccuracy.every((p: { value: number }) => p.value >= 0 && p.value <= 1));
  assert.equal((await refusedCall(service, 'transfer.series', { runId: 999 })).code, 'not-found');

  const { pipelines } = await ok(service, 'transfer.comparisons');
  assert.deepEqual(pipelines.map((p: { competenceRunId: number; transfers: number; done: number }) => [p.competenceRunId, p.transfers, p.done]), [[anchor, 4, 4]]);
  const cmp = await ok(service, 'transfer.compare', { competenceRunId: anchor });
  assert.equal(cmp.kind, 'pipeline');
  assert.deepEqual(cmp.seeds, [7, 31]);
  assert.deepEqual(cmp.missing, []);
  const point = (method: string) => cmp.points.find((p: { method: string }) => p.method === method);
  for (const [method, group] of [['circuit', circuitRuns], ['full', fullRuns]] as const) {
    const p = point(method);
    assert.equal(p.targetAcc.count, 2);
    assert.ok(Math.abs(p.targetAcc.mean - mean(group.map((r) => accuracy(r, 'jav')))) < 1e-12, `${method}: target accuracy is the mean over seeds`);
    const lost = mean(group.map((r) => accuracy(comp, 'ind') - accuracy(r, 'ind')));
    assert.ok(Math.abs(p.forgetting.mean - lost) < 1e-12, `${method}: forgetting against the competence checkpoint`);
  }
  assert.equal(point('circuit').depth, 1);
  assert.equal(cmp.competence[0].a0.mean, accuracy(comp, 'jav'), 'A0 is the competence checkpoint on the target');
  assert.equal(cmp.tables[0].title, 'Target test accuracy (ind → target)');
  assert.ok(cmp.tables.some((tb: { title: string }) => tb.title === 'Cost per method'));
  assert.equal((await refusedCall(service, 'transfer.compare', { competenceRunId: circuit.runId })).code, 'not-found');
  assert.equal((await refusedCall(service, 'transfer.compare', { experiment: 'nothing' })).code, 'not-found');
});

test('the first-run demo queues the demo pipeline as jobs, and shows as an experiment to compare', { timeout: 120_000 }, async (t) => {
  const { service } = await startService(t);
  const started = await ok(service, 'transfer.runDemo', {});
  assert.equal(started.experiment, 'demo');
  assert.equal(started.complete, false);
  const { jobs } = await ok(service, 'jobs.list', {});
  const queued = jobs.filter((j: { id: number }) => started.jobIds.includes(j.id)).map((j: { name: string; kind: string }) => `${j.kind} ${j.name}`).sort();
  // Before discovery nothing is measured, so a head method's job is named by the depth it may reach.
  assert.deepEqual(queued, [2025, 31, 777].flatMap((seed) => [
    `competence demo/seed${seed}/competence`,
    `discover demo/seed${seed}/discover`,
    `transfer demo/seed${seed}/jav/n100/circuit/d1`,
    `transfer demo/seed${seed}/jav/n100/full`,
    `transfer demo/seed${seed}/jav/n100/nearzero/d1`,
  ]).sort());
  for (const id of [...started.jobIds].reverse()) await ok(service, 'jobs.cancel', { id });

  const { experiments } = await ok(service, 'transfer.comparisons');
  assert.deepEqual(experiments.map((e: { name: string }) => e.name), ['demo']);
  const cmp = await ok(service, 'transfer.compare', { experiment: 'demo' });
  assert.equal(cmp.kind, 'experiment');
  assert.deepEqual(cmp.targets, ['jav']);
  assert.equal(cmp.missing.length, 12, 'per seed competence and three transfer cells, none finished');
  assert.equal(cmp.tables[0].rows[0][0], 'jav');
});

test('a run stopped by closing the workspace shows as resumable, resumes and ends with every step of its curve', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t, 'lontar-api-resume-');
  const open = async () => LontarService.start({ host: 'browser', workspaceDir: join(dir, 'workspace'), threads: 1, registry: await JobRegistry.load() });
  const first = await open();
  let firstOpen = true;
  t.after(() => (firstOpen ? first.close() : undefined));
  const corpus = writeCorpus(join(dir, 'corpus'));
  const { report } = await ok(first, 'datasets.validate', { path: corpus });
  const imported = await ok(first, 'datasets.import', { path: corpus, acceptWarnings: true, expected: { examples: report.examples, warnings: report.warnings } });
  const datasetId = (await jobEnd(first, imported.jobId)).detail.summary!['datasetId'] as number;
  const { model } = await ok(first, 'models.import', { path: writeModel(join(dir, 'model')) });
  // 12 examples one at a time for 30 epochs: 360 steps, still training when the workspace closes.
  const recipe = { epochs: 30, lr: 0.01, batchSize: 1, maxLength: 32 };
  const trained = new Promise<void>((resolve) => first.onEvent((e) => e.type === 'job-progress' && e.progress.step >= 5 && resolve()));
  const { runIds } = await ok(first, 'transfer.launchCompetence', { modelId: model.id, datasetId, source: 'ind', nSrc: 12, pools: POOLS, recipe, monitor: { examples: 12 } });
  await trained;
  await first.close();
  firstOpen = false;

  const second = await open();
  t.after(() => second.close());
  const stopped = (await ok<{ runs: TransferRun[] }>(second, 'transfer.runs', { kinds: ['competence'] })).runs[0]!;
  assert.equal(stopped.id, runIds[0]);
  assert.equal(stopped.status, 'interrupted');
  assert.equal(stopped.job?.resumable, true);
  const resumedFrom = new Promise<number | null>((resolve) => second.onEvent((e) => e.type === 'job-started' && resolve(e.resumedFromStep)));
  await ok(second, 'jobs.resume', { id: stopped.job!.id });
  assert.ok(((await resumedFrom) ?? 0) >= 5, 'it continues from the checkpoint taken when the workspace closed');
  assert.equal((await jobEnd(second, stopped.job!.id)).status, 'done');
  const series = await ok(second, 'transfer.series', { runId: stopped.id });
  assert.deepEqual(series.loss.map((p: { step: number }) => p.step), Array.from({ length: 360 }, (_, i) => i + 1), 'every step once');
  assert.deepEqual(series.valAccuracy.map((p: { step: number }) => p.step), Array.from({ length: 30 }, (_, i) => 12 * (i + 1)), 'validation accuracy after every epoch');
});

test('an experiment, run as `lontar experiment run` runs it, compares with the tables `lontar experiment report` prints', { timeout: 180_000 }, async (t) => {
  // One layer: iteration 0 can only pick layer-0 heads, so depth 1 is asked and never reached.
  const { root, ws: dir } = tinySetup(t, 1);
  const { ws, outcome } = await runTiny(t, dir, tinyExperiment(root));
  assert.ok(outcome.complete);
  const results = collectResults(ws, 'tiny');
  const expected = buildReport(results);
  const demo = demoSummary(results, 'jav', 6);
  ws.close();

  const service = await LontarService.start({ host: 'browser', workspaceDir: dir, create: false, threads: 1, registry: await JobRegistry.load() });
  t.after(() => service.close());
  const { experiments, pipelines } = await ok(service, 'transfer.comparisons');
  assert.deepEqual(experiments, [{ name: 'tiny', runs: 5, done: 5 }]);
  assert.deepEqual(pipelines, [], "an experiment's competence run is not listed again on its own");
  const cmp = await ok(service, 'transfer.compare', { experiment: 'tiny' });
  assert.deepEqual(cmp.tables.map((tb: { title: string; header: string[]; rows: string[][] }) => [tb.title, tb.header, tb.rows]), expected.tables.map((tb) => [tb.title, tb.header, tb.rows]));
  assert.deepEqual(cmp.points.map((p: { label: string }) => p.label), ['Full FT (continued)', 'Circuit (CT-SFT) d0 (asked d1)', 'NearZero d0 (asked d1)', 'CT-SFT (val-chosen) d0 (asked d1)']);
  assert.deepEqual(cmp.points.map((p: { depth: number | null; depthReached: number[] }) => [p.depth, p.depthReached]), [[null, []], [1, [0]], [1, [0]], [1, [0]]]);
  assert.ok(cmp.points.every((p: { targetAcc: unknown; sourceAcc: unknown }) => p.targetAcc && p.sourceAcc), 'every method measured');

  // The runs list and the demo's printout say the same: depth 0 reached, and why expansion stopped.
  const { runs } = await ok<{ runs: TransferRun[] }>(service, 'transfer.runs', {});
  assert.deepEqual(runs.filter((r) => r.method === 'circuit' || r.kind === 'discover').map((r) => [r.depthReached, r.depthTag]), [[0, 'd0 (asked d1)'], [0, 'd0 (asked d1)']]);
  const { jobs } = await ok(service, 'jobs.list', {});
  const discovery = jobs.find((j: { kind: string }) => j.kind === 'discover');
  assert.deepEqual([discovery.progress, discovery.detail.step, discovery.detail.summary.depthReached], [1, discovery.detail.total, 0], 'a discovery that stopped early ends its bar at 100%');
  assert.match(discovery.detail.summary.expansion, /^expansion stopped at depth 0 of 1 asked/);
  const printed = demo.lines.join('\n');
  assert.match(printed, /\| Circuit \(CT-SFT\) d0 \(asked d1\) +\|/);
  assert.match(printed, /Discovery, seed 31: expansion stopped at depth 0 of 1 asked: every target of depth 1 \(.*\) is in layer 0/);
  assert.doesNotMatch(printed, / d1 +\|/, 'no row is named by the depth asked alone');
});

// The Export wizard's calls through the service: the exportable runs with their evaluations; a
// destination inside the workspace, with `..` segments or relative is refused before any job is
// queued; an export runs as a job whose summary names the export; its card can be read back; a
// verification job stores a passing result; and none of these calls is an annotator's.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LontarService, mayCall, type ExportableRun, type ExportSummary } from '../../main/api/index';
import { API_METHODS } from '../../main/api/contract/index';
import { JobRegistry } from '../../main/jobs/index';
import { jobEnd, ok, refusedCall } from '../api/fixtures';
import { trainedWorkspace, type TrainedWorkspace } from './fixtures';

let w: TrainedWorkspace;
let service: LontarService;
const cleanups: (() => void)[] = [];
before(async () => {
  w = await trainedWorkspace({ after: (fn) => cleanups.push(fn) });
  service = await LontarService.start({ host: 'browser', workspaceDir: w.wsDir, threads: 1, registry: await JobRegistry.load() });
});
after(async () => {
  await service?.close();
  for (const fn of cleanups) fn();
});

test('export and verify through the API, with the card; bad destinations are refused up front', { timeout: 120_000 }, async () => {
  const { runs } = await ok<{ runs: ExportableRun[] }>(service, 'exports.runs');
  const run = runs.find((r) => r.id === w.transferRunId)!;
  assert.equal(run.method, 'circuit');
  assert.equal(run.target, 'jav');
  assert.ok(run.evaluations.length >= 2 && run.evaluations.every((e) => e.count > 0));
  assert.ok(runs.some((r) => r.id === w.competenceRunId && r.kind === 'competence'));

  for (const [destination, why] of [
    [join(w.wsDir, 'blobs', 'mine'), /inside the workspace/],
    [`${w.root}/x/../ws/blobs`, /must not contain "\.\." segments/],
    [w.root, /contains the workspace/],
  ] as const) {
    const error = await refusedCall(service, 'exports.create', { runId: run.id, format: 'hf', destination });
    assert.equal(error.code, 'rejected', destination);
    assert.match(error.message, why);
  }
  assert.equal((await refusedCall(service, 'exports.create', { runId: run.id, format: 'hf', destination: 'relative/out' })).code, 'invalid-request');
  assert.equal((await refusedCall(service, 'exports.create', { runId: run.id, format: 'zip', destination: join(w.root, 'z') })).code, 'invalid-request');
  assert.equal((await ok<{ jobs: unknown[] }>(service, 'jobs.list')).jobs.filter((j) => (j as { kind: string }).kind === 'export-run').length, 0, 'nothing queued');

  const { jobId } = await ok<{ jobId: number }>(service, 'exports.create', { runId: run.id, format: 'patch', destination: join(w.root, 'api-patch') });
  const end = await jobEnd(service, jobId);
  assert.equal(end.status, 'done', end.error ?? '');
  const exportId = end.detail.summary!['exportId'] as number;
  const got = await ok<{ export: ExportSummary; card: string }>(service, 'exports.get', { id: exportId });
  assert.equal(got.export.format, 'patch');
  assert.deepEqual(Object.keys(got.export.files).sort(), ['README.md', 'patch.lontar.safetensors']);
  assert.match(got.card, /CT-SFT \(Circuit-Targeted Supervised Fine-Tuning\)/);
  assert.equal(got.export.verification, null);

  const verify = await ok<{ jobId: number }>(service, 'exports.verify', { id: exportId });
  assert.equal((await jobEnd(service, verify.jobId)).status, 'done');
  const { exports } = await ok<{ exports: ExportSummary[] }>(service, 'exports.list');
  const verified = exports.find((e) => e.id === exportId)!;
  assert.equal(verified.verification?.ok, true, verified.verification?.message);
  assert.ok(verified.verifiedAt);
  assert.equal((await refusedCall(service, 'exports.get', { id: 999 })).code, 'not-found');
});

test('every export call is the owner\'s: an annotator is refused', () => {
  const calls = API_METHODS.filter((m) => m.startsWith('exports.'));
  assert.equal(calls.length, 5);
  for (const m of calls) {
    assert.equal(mayCall({ role: 'annotator' }, m), false, m);
    assert.equal(mayCall({ role: 'owner' }, m), true, m);
  }
});

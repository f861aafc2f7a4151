// Exporting a tiny trained CT-SFT run in each format, then verifying it: the folder holds what its
// format promises, a model card with the run's facts and a correct SHA256SUMS, and the reloaded
// export reproduces the stored predictions. A changed byte, a rewritten checksum file, changed
// weights with matching checksums and a damaged patch all fail verification with a clear message.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CHECKSUM_FILE, listFiles, writeChecksums } from '../../main/exports/checksums';
import { exportRun, PATCH_FILE, type ExportKind } from '../../main/exports/export-run';
import { TOLERANCE, verifyExport } from '../../main/exports/verify-export';
import { Checkpoint } from '../../main/models/checkpoint/checkpoint';
import { writeSafetensors } from '../../main/models/checkpoint/safetensors-write';
import { Workspace, type ExportRecord } from '../../main/store/index';
import { testRunner } from '../helpers/engine';
import { lontar } from '../models/fixtures/run-cli';
import { trainedWorkspace, type TrainedWorkspace } from './fixtures';

let w: TrainedWorkspace;
let ws: Workspace;
const cleanups: (() => void)[] = [];
before(async () => {
  w = await trainedWorkspace({ after: (fn) => cleanups.push(fn) });
  ws = Workspace.open(w.wsDir);
});
after(() => {
  ws?.close();
  for (const fn of cleanups) fn();
});

/** Flips bits of the byte `back` bytes before the end of a file. */
function flip(file: string, back: number, bits: number): void {
  const bytes = readFileSync(file);
  const i = bytes.length - back;
  bytes.writeUInt8(bytes.readUInt8(i) ^ bits, i);
  writeFileSync(file, bytes);
}

async function exportAndRecord(runId: number, format: ExportKind, name: string, extra: { replace?: boolean } = {}): Promise<ExportRecord> {
  const outcome = await exportRun(ws, runId, { format, destination: join(w.root, name), ...extra });
  return ws.exports.create({ runId, format: outcome.format, destination: outcome.destination, details: outcome.details });
}

async function verify(record: ExportRecord) {
  const verification = await verifyExport(ws, record, { runner: testRunner() });
  return ws.exports.recordVerification(record.id, verification).verification!;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function assertChecksums(dir: string): void {
  const lines = readFileSync(join(dir, CHECKSUM_FILE), 'utf8').trimEnd().split('\n');
  const listed = lines.map((l) => {
    const [hash, file] = l.split('  ');
    assert.equal(hash, sha256(join(dir, file!)), `${file} checksum`);
    return file!;
  });
  assert.deepEqual(listed, readdirSync(dir).filter((f) => f !== CHECKSUM_FILE).sort(), 'every file listed once, sorted');
}

const EXPECTED: Record<ExportKind, string[]> = {
  hf: ['README.md', 'SHA256SUMS', 'config.json', 'model.safetensors', 'tokenizer.json'],
  onnx: ['README.md', 'SHA256SUMS', 'lontar-task.json', 'model.onnx', 'model.onnx.data', 'tokenizer.json'],
  patch: ['README.md', 'SHA256SUMS', PATCH_FILE],
};

for (const format of ['hf', 'onnx', 'patch'] as const) {
  test(`${format}: the CT-SFT run exports with card and checksums, and verification reproduces its predictions`, { timeout: 120_000 }, async () => {
    const record = await exportAndRecord(w.transferRunId, format, `export-${format}`);
    const dir = record.destination!;
    for (const file of EXPECTED[format]) assert.ok(readdirSync(dir).includes(file), `${format} has ${file}`);
    assert.deepEqual(readdirSync(w.root).filter((f) => f.startsWith('.')), [], 'no staging or scratch folder left');
    assertChecksums(dir);
    assert.deepEqual(Object.keys(record.details['files'] as object), listFiles(dir), 'the recorded checksums list the files');

    const card = readFileSync(join(dir, 'README.md'), 'utf8');
    const base = ws.models.list()[0]!;
    assert.match(card, new RegExp(`base_model: "${base.name}"`));
    assert.ok(card.includes(base.contentHash), 'the base content hash');
    assert.match(card, /CT-SFT \(Circuit-Targeted Supervised Fine-Tuning\)/);
    assert.match(card, /## Circuit\n\nThe circuit: \d+ attention heads/);
    assert.match(card, /CC BY-SA 4\.0 \(share alike/);
    assert.match(card, /\| target accuracy \(jav test\) \| [\d.]+ \|/);
    assert.match(card, /\| proxy retention \(ind test, after ÷ before\) \| [\d.]+ \|/);
    assert.match(card, /Exported: \d{4}-\d\d-\d\dT/);
    if (format === 'patch') assert.match(card, /lontar patch apply --base BASE --patch patch\.lontar\.safetensors/);

    const verification = await verify(record);
    assert.equal(verification['ok'], true, String(verification['message']));
    assert.equal(verification['compared'], ws.evaluations.predictions(record.details['evaluationId'] as number).length);
    assert.ok((verification['maxProbabilityDiff'] as number) <= 1e-4);
    assert.ok(ws.exports.get(record.id)!.verifiedAt, 'the verification time is stored');
  });
}

for (const dtype of ['BF16', 'F16'] as const) {
  test(`hf in ${dtype}: every float tensor is stored narrowed, and verification holds it to the reduced tolerance`, { timeout: 120_000 }, async (t) => {
    const outcome = await exportRun(ws, w.transferRunId, { format: 'hf', destination: join(w.root, `export-hf-${dtype}`), dtype });
    const record = ws.exports.create({ runId: w.transferRunId, format: outcome.format, destination: outcome.destination, details: outcome.details });
    const file = readFileSync(join(record.destination!, 'model.safetensors'));
    const header = JSON.parse(file.subarray(8, 8 + Number(file.readBigUInt64LE(0))).toString('utf8')) as Record<string, { dtype: string }>;
    const stored = new Set(Object.entries(header).filter(([name]) => name !== '__metadata__').map(([, spec]) => spec.dtype));
    assert.deepEqual([...stored].filter((d) => d.startsWith('F') || d === 'BF16'), [dtype], `float tensors are ${dtype}`);
    const verification = await verify(record);
    assert.equal(verification['ok'], true, String(verification['message']));
    assert.equal(verification['tolerance'], TOLERANCE.reduced);
    assert.equal(verification['labelMismatches'], 0);
    t.diagnostic(`${dtype}: largest label-probability difference ${verification['maxProbabilityDiff']} over ${verification['compared']} predictions`);
  });
}

test('patch of a competence run is made against the registered base model folder, and is smaller for CT-SFT', { timeout: 60_000 }, async () => {
  const competence = await exportAndRecord(w.competenceRunId, 'patch', 'competence-patch');
  assert.equal((competence.details['patch'] as { baseKind: string }).baseKind, 'base-model');
  assert.equal((await verify(competence))['ok'], true);
  const ctsft = ws.exports.list().find((e) => e.runId === w.transferRunId && e.format === 'head-delta')!;
  const share = (e: ExportRecord) => {
    const p = e.details['patch'] as { changedElements: number; totalElements: number };
    return p.changedElements / p.totalElements;
  };
  assert.ok(share(ctsft) < share(competence) / 2, `CT-SFT changes a small share (${share(ctsft)}) against full FT (${share(competence)})`);
});

test('a changed byte fails verification naming the file; so does a rewritten SHA256SUMS', { timeout: 60_000 }, async () => {
  const record = await exportAndRecord(w.transferRunId, 'hf', 'tampered-byte');
  const weights = join(record.destination!, 'model.safetensors');
  flip(weights, 3, 0x01);
  const v = await verify(record);
  assert.equal(v['ok'], false);
  assert.match(String(v['message']), /^the files differ from the export: changed since export: model\.safetensors/);
  writeChecksums(record.destination!); // a forger's fresh checksum file does not help
  const again = await verify(record);
  assert.equal(again['ok'], false);
  assert.match(String(again['message']), /changed since export: model\.safetensors; SHA256SUMS is missing or differs/);
});

test('weights changed behind consistent checksums fail the prediction check; a damaged patch fails to apply', { timeout: 60_000 }, async () => {
  const hf = await exportAndRecord(w.transferRunId, 'hf', 'tampered-weights');
  const file = join(hf.destination!, 'model.safetensors');
  const checkpoint = Checkpoint.open(file);
  const tensors = new Map(checkpoint.names().map((n) => [n, checkpoint.read(n)]));
  checkpoint.close();
  const norm = tensors.get('model.norm.weight')!;
  norm.data.forEach((v, i) => (norm.data[i] = -4 * (v as number) + (i % 3)));
  writeSafetensors(file, tensors, { format: 'pt' });
  const forged = ws.exports.create({ runId: hf.runId, format: 'hf-folder', destination: hf.destination!, details: { ...hf.details, files: writeChecksums(hf.destination!) } });
  const v = await verify(forged);
  assert.equal(v['ok'], false);
  assert.match(String(v['message']), /^did not reproduce the stored predictions: \d+ of \d+ labels differ, largest probability difference/);

  const patch = await exportAndRecord(w.transferRunId, 'patch', 'tampered-patch');
  const patchFile = join(patch.destination!, PATCH_FILE);
  flip(patchFile, 5, 0x40);
  const damaged = ws.exports.create({ runId: patch.runId, format: 'head-delta', destination: patch.destination!, details: { ...patch.details, files: writeChecksums(patch.destination!) } });
  const p = await verify(damaged);
  assert.equal(p['ok'], false);
  assert.match(String(p['message']), /could not be loaded back: .*do not match the adapted checkpoint's hash \(the patch is damaged\)/);
});

test('an export folder that was moved away fails verification saying so', { timeout: 60_000 }, async () => {
  const record = await exportAndRecord(w.transferRunId, 'patch', 'moved');
  renameSync(record.destination!, `${record.destination!}-elsewhere`);
  const v = await verify(record);
  assert.equal(v['ok'], false);
  assert.equal(v['message'], `the export folder ${record.destination} no longer exists`);
});

test('an earlier export is replaced only when asked', { timeout: 60_000 }, async () => {
  const first = await exportAndRecord(w.transferRunId, 'onnx', 'replaced');
  await assert.rejects(exportAndRecord(w.transferRunId, 'hf', 'replaced'), /already exists and is not empty/);
  const second = await exportAndRecord(w.transferRunId, 'hf', 'replaced', { replace: true });
  assert.equal(second.destination, first.destination);
  const files = readdirSync(second.destination!);
  for (const f of EXPECTED.hf) assert.ok(files.includes(f), f);
  assert.ok(!files.some((f) => f.startsWith('model.onnx')), 'nothing of the replaced export is left');
  assertChecksums(second.destination!);
});

test('CLI: lontar export RUN --format onnx --verify, lontar export verify ID, and refused destinations', { timeout: 120_000 }, async () => {
  ws.close(); // the CLI takes the workspace's writer lock
  try {
    const out = join(w.root, 'cli-onnx');
    const exported = await lontar('export', String(w.transferRunId), '--format', 'onnx', '--out', out, '--verify', '--workspace', w.wsDir, '--threads', '1', '--json');
    assert.equal(exported.code, 0, exported.stderr);
    const record = (JSON.parse(exported.stdout) as { export: ExportRecord }).export;
    assert.equal(record.format, 'onnx');
    assert.equal(record.verification?.['ok'], true);
    assertChecksums(out);

    const verified = await lontar('export', 'verify', String(record.id), '--workspace', w.wsDir, '--threads', '1');
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /verification: passed: reproduced all \d+ stored predictions/);

    flip(join(out, 'model.onnx.data'), 1, 0x10);
    const failed = await lontar('export', 'verify', String(record.id), '--workspace', w.wsDir, '--threads', '1');
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /verification: FAILED: the files differ from the export: changed since export: model\.onnx\.data/);

    for (const [dest, why] of [
      [join(w.wsDir, 'blobs', 'x'), /inside the workspace/],
      [`${w.root}/a/../ws/x`, /must not contain "\.\." segments/],
      [out, /already exists and is not empty/],
    ] as const) {
      const refused = await lontar('export', String(w.transferRunId), '--format', 'hf', '--out', dest, '--workspace', w.wsDir);
      assert.equal(refused.code, 1, dest);
      assert.match(refused.stderr, why);
    }
    const notTrained = await lontar('export', '999', '--format', 'hf', '--out', join(w.root, 'nope'), '--workspace', w.wsDir);
    assert.equal(notTrained.code, 1);
    assert.match(notTrained.stderr, /no run 999/);
  } finally {
    ws = Workspace.open(w.wsDir);
  }
});

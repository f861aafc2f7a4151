// Exports an adapted run's checkpoint to a folder outside the workspace, in one of three formats:
//   hf     a Hugging Face folder (config, F32/BF16/F16 safetensors, tokenizer, README model card)
//   onnx   a standalone ONNX classifier (model.onnx + data, lontar-task.json, tokenizer, README)
//   patch  a head-delta patch against the checkpoint the run started from (its competence run's, or
//          the registered base model folder), with a README saying how to apply it
// Every export gets SHA256SUMS. The folder is assembled under a hidden name beside the destination
// and renamed into place when complete; the details returned are what the exports table records.

import { existsSync, mkdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { fsyncPath } from '../models/checkpoint/atomic-file';
import { resolveTask } from '../models/classification/task';
import { writeHfFolder, type WeightStorage } from '../models/export/hf-folder';
import { renderModelCard, type ModelCard } from '../models/export/model-card';
import { writeOnnxFolder } from '../models/export/onnx-model';
import { createPatch } from '../models/patch/create-patch';
import type { ExportFormat, JsonObject, Workspace } from '../store/index';
import { InputError } from '../transfer/workspace-inputs';
import { listFiles, writeChecksums } from './checksums';
import { checkDestination } from './destination';
import { runModelCard } from './run-card';
import { evaluationToReproduce, runCheckpoints, runSource, type RunSource } from './run-source';

export const EXPORT_FORMATS = ['hf', 'onnx', 'patch'] as const;
export type ExportKind = (typeof EXPORT_FORMATS)[number];
/** The exports table's names for the formats. */
export const STORED_FORMAT: Record<ExportKind, ExportFormat> = { hf: 'hf-folder', onnx: 'onnx', patch: 'head-delta' };
export const PATCH_FILE = 'patch.lontar.safetensors';

export interface ExportOptions {
  format: ExportKind;
  destination: string;
  /** Replace an earlier Lontar export at the destination (never any other folder). */
  replace?: boolean;
  /** hf: float storage (default F32, so trained deltas smaller than a bf16 step survive). */
  dtype?: WeightStorage;
  /** onnx: rows per run (default 1) and tokens per row (default the run's longest prompt). */
  batch?: number;
  seq?: number;
  /** The evaluation a later verification reproduces (default: the run's first). */
  evaluationId?: number;
  /** Awaited between phases: a job reports progress there and may be stopped there. */
  onProgress?: (done: number, total: number, phase: string) => void | Promise<void>;
}

export interface ExportOutcome {
  format: ExportFormat;
  destination: string;
  details: JsonObject;
}

const STEPS = 4;

export async function exportRun(ws: Workspace, runId: number, options: ExportOptions): Promise<ExportOutcome> {
  const target = checkDestination(options.destination, { workspaceDir: ws.dir, replace: options.replace });
  const source = runSource(ws, runId);
  const evaluation = evaluationToReproduce(source, options.evaluationId);
  const progress = async (step: number, phase: string) => options.onProgress?.(step, STEPS, phase);
  await progress(0, 'reading the checkpoint');
  const { adapted, start } = runCheckpoints(ws, source);
  const exportedAt = new Date().toISOString();
  const card = runModelCard(ws, source, exportedAt);
  const hidden = (what: string) => join(dirname(target.dir), `.${basename(target.dir)}.${what}-${randomBytes(4).toString('hex')}`);
  const staging = hidden('lontar-staging');
  const scratch = hidden('lontar-scratch');
  await progress(1, `writing the ${options.format} export`);
  try {
    let extra: JsonObject = {};
    if (options.format === 'hf') {
      writeHfFolder(staging, adapted, { card, dtype: options.dtype ?? 'F32' });
      extra = { dtype: options.dtype ?? 'F32' };
    } else if (options.format === 'onnx') {
      const task = resolveTask(adapted, source.task);
      const result = writeOnnxFolder(staging, adapted, task, { batch: options.batch ?? 1, seq: options.seq ?? source.maxLength });
      writeFileSync(join(staging, 'README.md'), renderModelCard(card, adapted.config));
      extra = { inputs: result.inputs, outputs: result.outputs } as unknown as JsonObject;
    } else {
      extra = writePatchExport(source, { adapted, start }, card, staging, scratch);
    }
    await progress(2, 'computing checksums');
    const files = writeChecksums(staging);
    for (const f of listFiles(staging)) fsyncPath(join(staging, f));
    fsyncPath(join(staging, 'SHA256SUMS'));
    await progress(3, 'moving the export into place');
    moveIntoPlace(staging, target.dir, target.replaces);
    await progress(4, 'done');
    const details: JsonObject = {
      format: options.format,
      runKind: source.run.kind,
      method: source.method,
      exportedAt,
      evaluationId: evaluation.id,
      base: { name: source.baseModel.name, contentHash: source.baseModel.contentHash },
      files,
      card: card as unknown as JsonObject,
      ...extra,
    };
    return { format: STORED_FORMAT[options.format], destination: target.dir, details };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Writes the patch and its README into `staging` (new); returns the details that describe it. */
function writePatchExport(source: RunSource, models: ReturnType<typeof runCheckpoints>, card: ModelCard, staging: string, scratch: string): JsonObject {
  mkdirSync(scratch);
  const adaptedDir = writeHfFolder(join(scratch, 'adapted'), models.adapted, { card }).dir;
  // A competence checkpoint exists only in the workspace: it is written exactly as `lontar export
  // RUN --format hf` writes it (F32), so the recipient's copy of it has the content hash the patch names.
  const baseDir =
    source.start.kind === 'base-model'
      ? source.start.model.sourcePath
      : writeHfFolder(join(scratch, 'base'), models.start, { card: { baseModel: source.baseModel.name, method: 'competence checkpoint' } }).dir;
  mkdirSync(staging);
  const patch = createPatch(baseDir, adaptedDir, join(staging, PATCH_FILE));
  const baseHash = patch.manifest.base.contentHash;
  if (source.start.kind === 'base-model' && baseHash !== source.start.model.contentHash) {
    throw new InputError(`the base model folder ${baseDir} changed since it was registered (content hash ${baseHash.slice(0, 16)}…, registered ${source.start.model.contentHash.slice(0, 16)}…)`);
  }
  const baseText =
    source.start.kind === 'base-model'
      ? `the base model **${source.baseModel.name}** itself (the folder registered in Lontar)`
      : `the competence checkpoint of run ${source.start.runId} as an F32 Hugging Face folder (\`lontar export ${source.start.runId} --format hf --out BASE\`)`;
  const howTo = [
    `This is a head-delta patch: only the weights this run changed (${patch.manifest.entries.length} slices, ${patch.manifest.replaced.length} whole tensors, ` +
      `${((100 * patch.manifest.stats.changedElements) / Math.max(1, patch.manifest.stats.totalElements)).toFixed(3)}% of the weights).`,
    `It applies to ${baseText}, whose content hash is \`${baseHash}\`; any other base is refused.`,
    `Rebuild the adapted model with \`lontar patch apply --base BASE --patch ${PATCH_FILE} --out ADAPTED\`.`,
  ].join('\n');
  const patchCard: ModelCard = { ...card, notes: [card.notes, howTo].filter(Boolean).join('\n\n') };
  writeFileSync(join(staging, 'README.md'), renderModelCard(patchCard, models.adapted.config));
  return {
    patch: {
      file: PATCH_FILE,
      bytes: patch.bytes,
      baseKind: source.start.kind,
      ...(source.start.kind === 'competence' ? { baseRunId: source.start.runId } : { baseModelId: source.start.model.id }),
      baseHash,
      entries: patch.manifest.entries.length,
      replaced: patch.manifest.replaced.length,
      changedElements: patch.manifest.stats.changedElements,
      totalElements: patch.manifest.stats.totalElements,
    },
  };
}

/** Renames the finished folder to the destination; an earlier export there is removed only after. */
function moveIntoPlace(staging: string, dir: string, replaces: boolean): void {
  if (!replaces) {
    if (existsSync(dir)) rmdirSync(dir); // empty when checked; rmdir refuses if anything arrived since
    renameSync(staging, dir);
  } else {
    const old = `${staging}.old`;
    renameSync(dir, old);
    try {
      renameSync(staging, dir);
    } catch (error) {
      renameSync(old, dir);
      throw error;
    }
    rmSync(old, { recursive: true, force: true });
  }
  fsyncPath(dirname(dir));
}

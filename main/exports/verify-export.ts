// Verifies an export: every file still matches the checksums recorded when it was written, and the
// export, loaded back as a recipient would load it (a patch applied to its base first), reproduces
// the predictions stored with the run's evaluation: the same label for every example, and every
// label probability (softmax of the label logits) within the tolerance. Reduced-precision folders
// (bf16/f16) round every weight, so they are held to a looser tolerance, said in the result.

import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { Runner } from '../engine/runtime/runner';
import type { ExportRecord, JsonObject, PredictionRecord, Workspace } from '../store/index';
import { toExample } from '../transfer/pipeline-data';
import { InputError } from '../transfer/workspace-inputs';
import { checkChecksums, describeChecksumCheck } from './checksums';
import { reproduce } from './reload';
import { runSource } from './run-source';

/** Largest allowed difference of a label probability: float32 exports, and bf16/f16 ones. */
export const TOLERANCE = { exact: 1e-4, reduced: 2e-2 } as const;

const detailsSchema = z.object({
  format: z.enum(['hf', 'onnx', 'patch']),
  evaluationId: z.number().int().positive(),
  files: z.record(z.string(), z.string()),
  dtype: z.enum(['F32', 'BF16', 'F16']).optional(),
  patch: z.object({ file: z.string(), baseKind: z.enum(['base-model', 'competence']), baseRunId: z.number().int().optional() }).optional(),
});

export interface Verification extends JsonObject {
  ok: boolean;
  message: string;
  checkedAt: string;
  checksums: JsonObject;
  evaluationId: number;
  tolerance: number;
  compared: number;
  labelMismatches: number;
  maxProbabilityDiff: number | null;
  /** The examples that differ most (at most five). */
  worst: JsonObject[];
}

export interface VerifyOptions {
  runner: Runner;
  onProgress?: (done: number, total: number) => void;
}

export async function verifyExport(ws: Workspace, record: ExportRecord, options: VerifyOptions): Promise<Verification> {
  const parsed = detailsSchema.safeParse(record.details);
  if (!parsed.success) throw new InputError(`export ${record.id} was not made by this version of Lontar's export (its details lack ${parsed.error.issues[0]?.path.join('.')})`);
  const details = parsed.data;
  const dir = record.destination!;
  const evaluation = ws.evaluations.get(details.evaluationId);
  if (!evaluation) throw new InputError(`evaluation ${details.evaluationId} of export ${record.id} is no longer in the workspace`);
  const tolerance = details.dtype && details.dtype !== 'F32' ? TOLERANCE.reduced : TOLERANCE.exact;
  const base = { checkedAt: new Date().toISOString(), evaluationId: evaluation.id, tolerance, compared: 0, labelMismatches: 0, maxProbabilityDiff: null, worst: [] };
  if (!existsSync(dir)) return { ...base, ok: false, message: `the export folder ${dir} no longer exists`, checksums: {} };

  const checksums = checkChecksums(dir, details.files);
  if (!checksums.ok) return { ...base, ok: false, message: `the files differ from the export: ${describeChecksumCheck(checksums)}`, checksums: { ...checksums } };

  const source = runSource(ws, record.runId);
  const stored = ws.evaluations.predictions(evaluation.id);
  const examples = stored.map((p) => {
    const row = ws.examples.get(p.exampleId);
    if (!row) throw new InputError(`example ${p.exampleId} of evaluation ${evaluation.id} is no longer in the workspace`);
    return toExample(row);
  });
  let reproduced;
  try {
    reproduced = await reproduce({
      ws,
      dir,
      format: details.format,
      baseModelDir: source.baseModel.sourcePath,
      ...(details.patch && { patch: details.patch }),
      task: source.task,
      maxLength: source.maxLength,
      examples,
      runner: options.runner,
      onProgress: options.onProgress,
    });
  } catch (error) {
    if (error instanceof InputError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    return { ...base, ok: false, message: `the export could not be loaded back: ${why}`, checksums: { ...checksums } };
  }
  return { ...base, ...compare(stored, reproduced.labels, reproduced.logits, tolerance), checksums: { ...checksums } };
}

const softmax = (logits: readonly number[]) => {
  const max = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
};
const argmax = (xs: readonly number[]) => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);

/** Compares stored predictions with reproduced logits; a near tie (top two within 2× tolerance) may flip. */
export function compare(stored: readonly PredictionRecord[], labels: readonly string[], logits: ReadonlyMap<number, number[]>, tolerance: number) {
  let labelMismatches = 0;
  let maxProbabilityDiff = 0;
  const rows: JsonObject[] = [];
  for (const p of stored) {
    const now = logits.get(p.exampleId);
    const before = labels.map((l) => p.scores[l]);
    if (!now || before.some((v) => v === undefined)) throw new Error(`example ${p.exampleId}: no reproduced or stored score for every label (${labels.join(', ')})`);
    const [pb, pn] = [softmax(before as number[]), softmax(now)];
    const diff = Math.max(...pb.map((v, i) => Math.abs(v - pn[i]!)));
    const sorted = [...pb].sort((a, b) => b - a);
    const tie = sorted[0]! - (sorted[1] ?? 0) <= 2 * tolerance;
    const label = labels[argmax(now)]!;
    const mismatch = label !== p.predicted && !tie;
    if (mismatch) labelMismatches++;
    maxProbabilityDiff = Math.max(maxProbabilityDiff, diff);
    rows.push({ exampleId: p.exampleId, stored: p.predicted, reproduced: label, probabilityDiff: diff });
  }
  const worst = rows.sort((a, b) => (b['probabilityDiff'] as number) - (a['probabilityDiff'] as number)).slice(0, 5);
  const ok = labelMismatches === 0 && maxProbabilityDiff <= tolerance;
  const message = ok
    ? `reproduced all ${stored.length} stored predictions: same labels, probabilities within ${tolerance} (largest difference ${maxProbabilityDiff.toExponential(2)})`
    : `did not reproduce the stored predictions: ${labelMismatches} of ${stored.length} labels differ, largest probability difference ${maxProbabilityDiff.toExponential(2)} (tolerance ${tolerance})`;
  return { ok, message, compared: stored.length, labelMismatches, maxProbabilityDiff, worst };
}


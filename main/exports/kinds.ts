// The export job kinds. Both load whole checkpoints and run the engine, so they run as jobs: in
// their own process (the workspace owner stays responsive), with progress the wizard and the CLI
// show, and their records written through the owner.
//   export-run     writes the export folder and records it (exports row with its details)
//   verify-export  checks the files and reproduces the stored predictions; records the outcome
// A verification that finds a difference is a finished job with `ok: false` in its summary and in
// the exports row: the job worked, the export did not pass.

import { z } from 'zod';
import { defineJobKind } from '../jobs/types';
import { InputError } from '../transfer/workspace-inputs';
import { EXPORT_FORMATS, exportRun } from './export-run';
import { verifyExport } from './verify-export';

const id = z.number().int().positive();

export const exportRunConfig = z.strictObject({
  runId: id,
  format: z.enum(EXPORT_FORMATS),
  destination: z.string().min(1).max(4096),
  replace: z.boolean().default(false),
  dtype: z.enum(['F32', 'BF16', 'F16']).default('F32'),
  batch: z.number().int().min(1).max(1024).default(1),
  /** Tokens per row of the ONNX model; null: the run's longest prompt. */
  seq: z.number().int().min(8).max(32_768).nullable().default(null),
  /** The evaluation verification reproduces; null: the run's first. */
  evaluationId: id.nullable().default(null),
});
export type ExportRunConfig = z.output<typeof exportRunConfig>;

export const verifyExportConfig = z.strictObject({ exportId: id });

export const exportRunKind = defineJobKind({
  kind: 'export-run',
  description: 'export a trained run as a Hugging Face folder, an ONNX classifier or a head-delta patch, with model card and SHA256SUMS',
  config: exportRunConfig,
  async run(ctx) {
    const c = ctx.config;
    const ws = ctx.workspace();
    const outcome = await exportRun(ws, c.runId, {
      format: c.format,
      destination: c.destination,
      replace: c.replace,
      dtype: c.dtype,
      batch: c.batch,
      ...(c.seq !== null && { seq: c.seq }),
      ...(c.evaluationId !== null && { evaluationId: c.evaluationId }),
      onProgress: async (step, total, phase) => {
        ctx.log(phase);
        await ctx.progress({ step, total }); // also the cancellation point between phases
      },
    });
    const record = await ctx.store.exports.create({ runId: c.runId, format: outcome.format, destination: outcome.destination, details: outcome.details });
    return { summary: { exportId: record.id, destination: outcome.destination, format: c.format } };
  },
});

export const verifyExportKind = defineJobKind({
  kind: 'verify-export',
  description: 'check an export\'s files against its checksums and reproduce the stored predictions with it',
  config: verifyExportConfig,
  async run(ctx) {
    const ws = ctx.workspace();
    const record = ws.exports.get(ctx.config.exportId);
    if (!record) throw new InputError(`no export ${ctx.config.exportId}`);
    const verification = await verifyExport(ws, record, {
      runner: ctx.runner,
      onProgress: (done, total) => void ctx.progress({ step: done, total }).catch(() => undefined),
    });
    await ctx.store.exports.recordVerification(record.id, verification);
    ctx.log(verification.message);
    return { summary: { exportId: record.id, ok: verification.ok, message: verification.message } };
  },
});

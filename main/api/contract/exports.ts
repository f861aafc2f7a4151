// Export calls (the Export wizard): the runs that can be exported, exporting one as a Hugging Face
// folder, an ONNX classifier or a head-delta patch (a job: its progress streams as job events), the
// exports made, one with its model card, and verifying one (a job: checksums, then the stored
// predictions reproduced). Owner-only: none of these is on the annotator list (access-policy.ts).

import { z } from 'zod';
import { absolutePath, id, noArguments, timestamp } from './common';

export const EXPORT_FORMATS = ['hf', 'onnx', 'patch'] as const;
export const exportFormat = z.enum(EXPORT_FORMATS);
export type ExportFormatName = z.infer<typeof exportFormat>;

export const exportableRun = z.object({
  id,
  kind: z.enum(['competence', 'transfer']),
  name: z.string().nullable(),
  /** competence, or the transfer method (circuit = CT-SFT). */
  method: z.string(),
  source: z.string(),
  /** Transfer runs only. */
  target: z.string().nullable(),
  baseModel: z.string(),
  finishedAt: timestamp.nullable(),
  evaluations: z.array(z.object({ id, language: z.string(), split: z.string(), count: z.number().int(), accuracy: z.number().nullable() })),
});
export type ExportableRun = z.infer<typeof exportableRun>;

export const verificationResult = z.object({
  ok: z.boolean(),
  message: z.string(),
  checkedAt: z.string(),
  evaluationId: id,
  tolerance: z.number(),
  compared: z.number().int(),
  labelMismatches: z.number().int(),
  maxProbabilityDiff: z.number().nullable(),
});
export type VerificationResult = z.infer<typeof verificationResult>;

export const exportSummary = z.object({
  id,
  runId: id,
  format: exportFormat,
  destination: z.string(),
  createdAt: timestamp,
  /** File → sha256, as in the folder's SHA256SUMS. */
  files: z.record(z.string(), z.string()),
  verification: verificationResult.nullable(),
  verifiedAt: timestamp.nullable(),
});
export type ExportSummary = z.infer<typeof exportSummary>;

export const exportCalls = {
  'exports.runs': { request: noArguments, response: z.object({ runs: z.array(exportableRun) }) },
  'exports.list': { request: noArguments, response: z.object({ exports: z.array(exportSummary) }) },
  'exports.get': {
    request: z.strictObject({ id }),
    /** `card`: the README.md model card as written (null when the folder can no longer be read). */
    response: z.object({ export: exportSummary, card: z.string().nullable() }),
  },
  'exports.create': {
    request: z.strictObject({
      runId: id,
      format: exportFormat,
      /** A new or empty folder outside the workspace; its parent must exist. */
      destination: absolutePath,
      /** Replace an earlier Lontar export at the destination (never any other folder). */
      replace: z.boolean().default(false),
      /** hf: float storage. */
      dtype: z.enum(['F32', 'BF16', 'F16']).default('F32'),
      /** The evaluation verification reproduces (default: the run's first). */
      evaluationId: id.optional(),
    }),
    /** The export-run job; its summary names the export (`exportId`) when it is done. */
    response: z.object({ jobId: id }),
  },
  'exports.verify': { request: z.strictObject({ id }), response: z.object({ jobId: id }) },
} as const;

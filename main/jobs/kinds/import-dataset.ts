// `import-dataset`: reads and validates a file or a NusaX/XNLI folder again in the job process (the
// files may have changed since the person saw the report), refuses it when the report now differs
// from the one they confirmed, and writes the dataset with all its examples in one fsynced
// transaction through the owner. Reading and validating 12,000 rows takes seconds: a job keeps
// that off the process that serves the UI.

import { z } from 'zod';
import { checkAgainstWorkspace, isAccepted, newDataset, prepareImport, type ImportOptions, type ValidationReport } from '../../data/index';
import { defineJobKind } from '../types';

const name = z.string().trim().min(1).max(200);

export const importDatasetConfig = z.strictObject({
  path: z.string().min(1),
  options: z
    .strictObject({
      format: z.enum(['csv', 'tsv', 'jsonl', 'nusax', 'xnli']).optional(),
      name: name.optional(),
      mapping: z.partialRecord(z.enum(['text', 'premise', 'hypothesis', 'label', 'id', 'language', 'split']), name).optional(),
      header: z.boolean().optional(),
      language: name.optional(),
      split: z.enum(['train', 'valid', 'test']).optional(),
      labels: z.array(name).optional(),
      languages: z.array(name).optional(),
    })
    .default({}),
  acceptWarnings: z.boolean().default(false),
  /** What the report the person confirmed said. */
  expected: z.strictObject({ examples: z.number().int(), warnings: z.number().int() }).optional(),
});

function refusal(report: ValidationReport): string {
  const first = report.issues.filter((i) => i.severity === 'error' || i.severity === 'warning').slice(0, 3);
  const examples = first.map((i) => `${i.code}${i.file ? ` (${i.file}${i.line ? `:${i.line}` : ''})` : ''}: ${i.message}`).join('; ');
  const counts = report.errors > 0 ? `${report.errors} error(s)` : `${report.warnings} warning(s) not accepted`;
  return `the data was not imported: ${counts}${examples ? ` — ${examples}` : ''}`;
}

export const importDataset = defineJobKind({
  kind: 'import-dataset',
  description: 'validate a CSV/TSV/JSONL file or a NusaX/XNLI folder and import it as a dataset',
  config: importDatasetConfig,
  async run(ctx) {
    const { path, acceptWarnings, expected } = ctx.config;
    const options = ctx.config.options as ImportOptions;
    await ctx.progress({ step: 0, total: 3 });
    const prepared = prepareImport(path, options);
    await ctx.progress({ step: 1, total: 3 });
    const report = checkAgainstWorkspace(ctx.workspace(), prepared, options.name !== undefined);
    if (!isAccepted(report, acceptWarnings)) throw new Error(refusal(report));
    if (expected && (expected.examples !== report.examples || expected.warnings !== report.warnings)) {
      throw new Error(
        `the data changed since it was validated (${report.examples} examples and ${report.warnings} warning(s) now, ` +
          `${expected.examples} and ${expected.warnings} in the report you confirmed); validate it again`,
      );
    }
    await ctx.progress({ step: 2, total: 3 });
    const dataset = await ctx.store.datasets.createWithExamples(newDataset({ read: prepared.read, report }), prepared.read.examples);
    await ctx.progress({ step: 3, total: 3 });
    return { summary: { datasetId: dataset.id, name: dataset.name, examples: report.examples, warnings: report.warnings } };
  },
});

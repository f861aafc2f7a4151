// Dataset calls: validate a file or folder (the report comes back BEFORE anything is written),
// import it as a job once the user has confirmed, list datasets with their counts, page through
// examples, and the seeded discovery/tuning pools.

import { z } from 'zod';
import { absolutePath, id, labelCounts, languageCode, noArguments, shortText, split, timestamp } from './common';

const columnName = z.string().min(1).max(200);

export const columnMapping = z.strictObject({
  text: columnName.optional(),
  premise: columnName.optional(),
  hypothesis: columnName.optional(),
  label: columnName.optional(),
  id: columnName.optional(),
  language: columnName.optional(),
  split: columnName.optional(),
});
export type ColumnMappingInput = z.infer<typeof columnMapping>;

export const importOptions = z.strictObject({
  format: z.enum(['csv', 'tsv', 'jsonl', 'nusax', 'xnli']).optional(),
  name: shortText(100).optional(),
  mapping: columnMapping.optional(),
  header: z.boolean().optional(),
  language: languageCode.optional(),
  split: split.optional(),
  labels: z.array(shortText(100)).min(2, 'give at least two labels').max(64).optional(),
  languages: z.array(languageCode).min(1).max(64).optional(),
});
export type ImportOptionsInput = z.infer<typeof importOptions>;

export const issue = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  code: z.string(),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
});

export const splitCounts = z.object({ language: z.string(), split, total: z.number().int(), labels: labelCounts });

export const validationReport = z.object({
  source: z.string(),
  format: z.string(),
  task: z.enum(['classification', 'nli']),
  name: z.string(),
  licence: z.string().nullable(),
  labels: z.array(z.string()),
  files: z.number().int(),
  examples: z.number().int(),
  counts: z.array(splitCounts),
  errors: z.number().int(),
  warnings: z.number().int(),
  infos: z.number().int(),
  /** At most ISSUES_PER_CODE findings of each code; `issueCounts` has every total. */
  issues: z.array(issue),
  issueCounts: z.record(z.string(), z.number().int()),
});
export type ValidationReportView = z.infer<typeof validationReport>;
export const ISSUES_PER_CODE = 25;

export const datasetSummary = z.object({
  id,
  name: z.string(),
  task: z.enum(['classification', 'nli']),
  labels: z.array(z.string()),
  format: z.string(),
  sourcePath: z.string(),
  licence: z.string().nullable(),
  createdAt: timestamp,
  examples: z.number().int(),
  counts: z.array(splitCounts),
});
export type DatasetSummary = z.infer<typeof datasetSummary>;

export const exampleRow = z.object({
  id,
  sourceId: z.string(),
  language: z.string(),
  split,
  text: z.string().nullable(),
  premise: z.string().nullable(),
  hypothesis: z.string().nullable(),
  label: z.string(),
  sourceFile: z.string(),
  sourceLine: z.number().int(),
});
export type ExampleRow = z.infer<typeof exampleRow>;

export const poolSplit = z.object({
  id,
  datasetId: id,
  language: z.string(),
  seed: z.number().int(),
  discoverySize: z.number().int(),
  tuningSize: z.number().int(),
  createdAt: timestamp,
  labels: z.object({ discovery: labelCounts, tuning: labelCounts }),
});
export type PoolSplitView = z.infer<typeof poolSplit>;

const jobStarted = z.object({ jobId: id });

export const datasetCalls = {
  'datasets.validate': {
    request: z.strictObject({ path: absolutePath, options: importOptions.default({}) }),
    response: z.object({
      report: validationReport,
      /** Single files: the columns found and the mapping that applies (explicit or recognised by name). */
      file: z.object({ columns: z.array(z.string()), mapping: z.record(z.string(), z.string()) }).nullable(),
    }),
  },
  'datasets.import': {
    request: z.strictObject({
      path: absolutePath,
      options: importOptions.default({}),
      /** The user saw the warnings of the report and accepted them. */
      acceptWarnings: z.boolean().default(false),
      /** What the confirmed report said; the import refuses data that changed since. */
      expected: z.strictObject({ examples: z.number().int().nonnegative(), warnings: z.number().int().nonnegative() }).optional(),
    }),
    response: jobStarted,
  },
  'datasets.list': { request: noArguments, response: z.object({ datasets: z.array(datasetSummary) }) },
  'datasets.examples': {
    request: z.strictObject({
      datasetId: id,
      language: languageCode.optional(),
      split: split.optional(),
      label: shortText(100).optional(),
      /** Case-insensitive substring of the text, premise, hypothesis or source id. */
      search: z.string().trim().max(200).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    }),
    response: z.object({ total: z.number().int(), offset: z.number().int(), rows: z.array(exampleRow) }),
  },
  'datasets.pools': { request: z.strictObject({ datasetId: id }), response: z.object({ pools: z.array(poolSplit) }) },
  'datasets.createPools': {
    request: z.strictObject({
      datasetId: id,
      language: languageCode,
      seed: z.number().int().min(0).max(2 ** 31 - 1),
      discoverySize: z.number().int().min(1).max(1_000_000).default(400),
      tuningSize: z.number().int().min(0).max(1_000_000).default(100),
    }),
    response: poolSplit,
  },
} as const;

// datasets.*: validation reports before anything is written, imports as jobs, counts, a searchable
// example table and the seeded pools.

import { basename } from 'node:path';
import { checkAgainstWorkspace, createPoolSplit, prepareImport, type ImportOptions, type ValidationReport } from '../../data/index';
import type { SplitCount, Workspace } from '../../store/index';
import { ApiError, ISSUES_PER_CODE, type PoolSplitView, type ValidationReportView } from '../contract/index';
import { notFound } from '../error-mapping';
import type { Handlers } from '../handler-types';
import { expandHome } from './workspace';

type SplitView = { language: string; split: SplitCount['split']; total: number; labels: Record<string, number> };

/** The report with at most ISSUES_PER_CODE findings per code (a broken file can have thousands). */
export function reportView(report: ValidationReport): ValidationReportView {
  const issueCounts: Record<string, number> = {};
  const issues = report.issues.filter((i) => (issueCounts[i.code] = (issueCounts[i.code] ?? 0) + 1) <= ISSUES_PER_CODE);
  return { ...report, issues, issueCounts };
}

/** Per language and split: the total and the count of each label. */
export function splitCounts(rows: readonly SplitCount[]): SplitView[] {
  const out = new Map<string, SplitView>();
  for (const r of rows) {
    const key = `${r.language}\u0000${r.split}`;
    const entry = out.get(key) ?? out.set(key, { language: r.language, split: r.split, total: 0, labels: {} }).get(key)!;
    entry.total += r.count;
    entry.labels[r.label] = r.count;
  }
  return [...out.values()];
}

function dataset(ws: Workspace, id: number) {
  const d = ws.datasets.get(id);
  if (!d) throw notFound(`dataset ${id}`);
  return d;
}

function labelCounts(rows: readonly { label: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.label] = (counts[r.label] ?? 0) + 1;
  return counts;
}

function poolView(ws: Workspace, id: number): PoolSplitView {
  const p = ws.pools.get(id)!;
  return { ...p, labels: { discovery: labelCounts(ws.pools.members(id, 'discovery')), tuning: labelCounts(ws.pools.members(id, 'tuning')) } };
}

export const datasetHandlers: Handlers = {
  'datasets.validate': (ctx, req) => {
    const path = expandHome(req.path);
    const options = req.options as ImportOptions; // the contract's schema is a subset of ImportOptions
    const prepared = prepareImport(path, options);
    const report = checkAgainstWorkspace(ctx.ws, prepared, options.name !== undefined);
    const table = prepared.read.table;
    const mapping = Object.fromEntries(Object.entries(table?.mapping ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return { report: reportView(report), file: table ? { columns: table.columns, mapping } : null };
  },
  'datasets.import': (ctx, req) => {
    const path = expandHome(req.path);
    const job = ctx.runner.enqueue({
      kind: 'import-dataset',
      name: `import ${req.options.name ?? basename(path)}`,
      config: { path, options: req.options, acceptWarnings: req.acceptWarnings, ...(req.expected && { expected: req.expected }) },
    });
    return { jobId: job.id };
  },
  'datasets.list': (ctx) => ({
    datasets: ctx.ws.datasets.list().map((d) => ({ ...d, examples: ctx.ws.examples.count(d.id), counts: splitCounts(ctx.ws.datasets.counts(d.id)) })),
  }),
  'datasets.examples': (ctx, req) => {
    dataset(ctx.ws, req.datasetId);
    const { total, rows } = ctx.ws.examples.search(req.datasetId, {
      ...(req.language && { language: req.language }),
      ...(req.split && { split: req.split }),
      ...(req.label && { label: req.label }),
      ...(req.search && { text: req.search }),
      offset: req.offset,
      limit: req.limit,
    });
    return { total, offset: req.offset, rows };
  },
  'datasets.pools': (ctx, req) => {
    dataset(ctx.ws, req.datasetId);
    return { pools: ctx.ws.pools.list(req.datasetId).map((p) => poolView(ctx.ws, p.id)) };
  },
  'datasets.createPools': (ctx, req) => {
    const d = dataset(ctx.ws, req.datasetId);
    const train = ctx.ws.examples.search(d.id, { language: req.language, split: 'train', offset: 0, limit: 1 }).total;
    if (train === 0) throw new ApiError('rejected', `dataset "${d.name}" has no training examples in language "${req.language}"`);
    if (req.discoverySize + req.tuningSize > train) {
      throw new ApiError('rejected', `pools of ${req.discoverySize} + ${req.tuningSize} need ${req.discoverySize + req.tuningSize} training examples; "${d.name}" has ${train} in ${req.language}`);
    }
    const split = createPoolSplit(ctx.ws, d.id, req.language, req.seed, { discoverySize: req.discoverySize, tuningSize: req.tuningSize });
    return poolView(ctx.ws, split.id);
  },
};

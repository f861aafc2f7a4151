// Dataset import: read the source, validate everything, and only then write, in one fsynced
// transaction. A rejected import writes nothing: not a row, and not even a new workspace folder.

import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { combinedHash } from './source-files';
import { DB_FILE, Workspace, type DatasetRecord, type NewDataset } from '../store/index';
import { IssueList } from './issues';
import type { ColumnMapping } from './mapping';
import { formatOfFile, readFile, type FileFormat } from './read-file';
import { looksLikeNusax, readNusax } from './read-nusax';
import { looksLikeXnli, readXnli, type XnliSizes } from './read-xnli';
import { buildReport, isAccepted, type ValidationReport } from './report';
import type { SourceFormat, SourceRead, Split } from './types';
import { DEFAULT_LIMITS, validate, type ValidationLimits } from './validate';

export interface ImportOptions {
  format?: SourceFormat;
  name?: string;
  mapping?: ColumnMapping;
  header?: boolean;
  quotes?: boolean;
  language?: string;
  split?: Split;
  labels?: string[];
  licence?: string;
  /** Folder layouts: import only these languages. */
  languages?: string[];
  /** XNLI: rows to sample per split, and the seed. */
  xnliSizes?: XnliSizes;
  seed?: number;
  limits?: Partial<ValidationLimits>;
}

export interface PreparedImport {
  read: SourceRead;
  report: ValidationReport;
}

export type ImportStatus = 'imported' | 'rejected' | 'validated';

export interface ImportOutcome {
  status: ImportStatus;
  report: ValidationReport;
  dataset?: DatasetRecord;
  workspaceCreated: boolean;
}

/** Reads a file or a NusaX/XNLI folder, choosing the reader from the path (or options.format). */
export function readSource(path: string, options: ImportOptions = {}): SourceRead {
  const abs = resolve(path);
  const dir = existsSync(abs) && statSync(abs).isDirectory();
  const format = options.format ?? (dir ? (looksLikeXnli(abs) ? 'xnli' : looksLikeNusax(abs) ? 'nusax' : undefined) : formatOfFile(abs));
  const common = { labels: options.labels, licence: options.licence };
  if (format === 'xnli') return readXnli(abs, { languages: options.languages, sizes: options.xnliSizes, seed: options.seed, licence: options.licence });
  if (format === 'nusax') return readNusax(abs, { languages: options.languages, ...common });
  if (dir) {
    const issues = new IssueList();
    issues.add(
      'layout-unrecognised',
      'this folder is neither NusaX (<language>/train.csv, valid.csv, test.csv) nor XNLI (dev-<lang>.tsv, test-<lang>.tsv, test-genre-labels.tsv); import a file instead',
    );
    return { format: 'csv', task: 'classification', root: abs, files: [], examples: [], issues: issues.items, declaredLabels: undefined, licence: null, suggestedName: '' };
  }
  return readFile(abs, {
    format: format as FileFormat | undefined,
    mapping: options.mapping,
    header: options.header,
    quotes: options.quotes,
    language: options.language,
    split: options.split,
    ...common,
  });
}

/** Reads and validates; touches no workspace. */
export function prepareImport(path: string, options: ImportOptions = {}): PreparedImport {
  const read = readSource(path, options);
  const issues = new IssueList();
  issues.items.push(...read.issues);
  const { labels, counts } = validate(read, { ...DEFAULT_LIMITS, ...options.limits }, issues);
  return { read, report: buildReport(read, options.name ?? read.suggestedName, labels, counts, issues.items) };
}

/** Checks that depend on what the workspace already holds: the name, and a re-import of the same files. */
export function checkAgainstWorkspace(ws: Workspace, prepared: PreparedImport, explicitName: boolean): ValidationReport {
  const { read, report } = prepared;
  const issues = new IssueList();
  let name = report.name;
  if (ws.datasets.byName(name)) {
    if (explicitName) issues.add('dataset-name-taken', `a dataset named "${name}" already exists in this workspace; choose another --name`);
    else for (let k = 2; ws.datasets.byName(name); k++) name = `${report.name}-${k}`;
  }
  for (const d of ws.datasets.withSourceHash(combinedHash(read.files))) {
    issues.add('dataset-already-imported', `these exact files were already imported as dataset "${d.name}" (${d.createdAt})`);
  }
  return buildReport(read, name, report.labels, report.counts, [...report.issues, ...issues.items]);
}

/** Writes a validated import into an open workspace, in one fsynced transaction. */
export function commitImport(ws: Workspace, prepared: PreparedImport): DatasetRecord {
  return ws.datasets.createWithExamples(newDataset(prepared), prepared.read.examples);
}

/** The dataset row a validated import creates. */
export function newDataset({ read, report }: PreparedImport): NewDataset {
  return {
    name: report.name,
    task: read.task,
    labels: report.labels,
    format: read.format,
    sourcePath: read.root,
    sourceHash: combinedHash(read.files),
    sourceFiles: read.files,
    licence: read.licence,
  };
}

/**
 * The whole import for the CLI: validate; stop if rejected; open (or, only now, create) the
 * workspace; re-check against what it holds; write. `dryRun` validates everything and writes nothing.
 */
export function importSource(workspaceDir: string, path: string, options: ImportOptions & { acceptWarnings?: boolean; dryRun?: boolean } = {}): ImportOutcome {
  const prepared = prepareImport(path, options);
  const accept = Boolean(options.acceptWarnings);
  const exists = existsSync(join(workspaceDir, DB_FILE));
  if (!isAccepted(prepared.report, accept) || (!exists && options.dryRun)) {
    return { status: isAccepted(prepared.report, accept) ? 'validated' : 'rejected', report: prepared.report, workspaceCreated: false };
  }
  const ws = Workspace.open(workspaceDir, { create: true });
  try {
    const report = checkAgainstWorkspace(ws, prepared, options.name !== undefined);
    if (!isAccepted(report, accept)) return { status: 'rejected', report, workspaceCreated: !exists };
    if (options.dryRun) return { status: 'validated', report, workspaceCreated: false };
    const dataset = commitImport(ws, { read: prepared.read, report });
    return { status: 'imported', report, dataset, workspaceCreated: !exists };
  } finally {
    ws.close();
  }
}


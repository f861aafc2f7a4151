// `lontar data import|list|pools`. An import prints its validation report and writes nothing
// unless the data passes (errors always block; warnings block until --accept-warnings).
// Exit codes: 0 imported / listed, 1 data rejected, 2 usage, 3 workspace unavailable.

import { InvalidArgumentError, type Command } from 'commander';
import {
  createPoolSplit,
  formatReport,
  importSource,
  normaliseSplit,
  type ColumnMapping,
  type ImportOutcome,
  type SourceFormat,
} from '../../data/index';
import { Workspace, type DatasetRecord } from '../../store/index';
import { CliError, emit } from '../output';
import { WORKSPACE_HELP, withWorkspaceErrors, workspaceDir } from './workspace';

interface ImportFlags {
  workspace?: string;
  format?: SourceFormat;
  name?: string;
  text?: string;
  premise?: string;
  hypothesis?: string;
  label?: string;
  id?: string;
  languageColumn?: string;
  splitColumn?: string;
  language?: string;
  split?: string;
  header: boolean;
  quotes: boolean;
  labels?: string[];
  languages?: string[];
  licence?: string;
  seed?: number;
  xnliSizes?: [number, number, number];
  maxChars?: number;
  longChars?: number;
  imbalanceRatio?: number;
  acceptWarnings?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

function integer(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function positive(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function format(v: string): SourceFormat {
  if (!['csv', 'tsv', 'jsonl', 'nusax', 'xnli'].includes(v)) throw new InvalidArgumentError('one of csv, tsv, jsonl, nusax, xnli');
  return v as SourceFormat;
}

function sizes(v: string): [number, number, number] {
  const parts = list(v).map(integer);
  if (parts.length !== 3) throw new InvalidArgumentError('three numbers: train,valid,test');
  return parts as [number, number, number];
}

export function registerData(program: Command): void {
  const group = program.command('data').description('datasets: import with validation, list, pools');

  group
    .command('import')
    .description('validate and import a CSV/TSV/JSONL file, a NusaX folder or an XNLI folder')
    .argument('<path>', 'a .csv/.tsv/.jsonl file, or a NusaX or XNLI folder')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--format <format>', 'csv, tsv, jsonl, nusax or xnli (default: from the path)', format)
    .option('--name <name>', 'dataset name (default: the file or folder name)')
    .option('--text <column>', 'column holding the text')
    .option('--premise <column>', 'column holding the NLI premise')
    .option('--hypothesis <column>', 'column holding the NLI hypothesis')
    .option('--label <column>', 'column holding the label')
    .option('--id <column>', 'column holding a row id')
    .option('--language-column <column>', 'column holding the language code')
    .option('--split-column <column>', 'column holding the split (train, valid/dev, test)')
    .option('--language <code>', 'language of every row without a language column')
    .option('--split <split>', 'split of every row (else a split column or the file name)')
    .option('--no-header', 'the file has no header row; name columns by number (--text 1 --label 2)')
    .option('--no-quotes', 'TSV: double quotes are ordinary characters')
    .option('--labels <labels>', 'the allowed labels, comma-separated (default: NusaX/XNLI sets, else the training labels)', list)
    .option('--languages <codes>', 'NusaX/XNLI folders: import only these languages', list)
    .option('--licence <text>', 'licence of the data (recorded with the dataset)')
    .option('--seed <n>', 'XNLI: sampling seed (default 0)', integer)
    .option('--xnli-sizes <train,valid,test>', 'XNLI: rows per split (default 500,100,400)', sizes)
    .option('--max-chars <n>', 'rows longer than this are errors (default 20000)', integer)
    .option('--long-chars <n>', 'rows longer than this are warnings (default 2000)', integer)
    .option('--imbalance-ratio <r>', 'largest/smallest label count per split that warns (default 3)', positive)
    .option('--accept-warnings', 'import even though the report has warnings (errors always block)')
    .option('--dry-run', 'validate only; write nothing')
    .option('--json', 'machine-readable output')
    .action((path: string, flags: ImportFlags) =>
      withWorkspaceErrors(() => {
        const dir = workspaceDir(flags.workspace);
        const split = flags.split === undefined ? undefined : normaliseSplit(flags.split);
        if (flags.split !== undefined && !split) throw new CliError(`--split ${flags.split}: expected train, valid (dev) or test`);
        const mapping: ColumnMapping = {};
        const roles = { text: flags.text, premise: flags.premise, hypothesis: flags.hypothesis, label: flags.label, id: flags.id };
        for (const [role, column] of Object.entries(roles)) if (column !== undefined) mapping[role as keyof ColumnMapping] = column;
        if (flags.languageColumn !== undefined) mapping.language = flags.languageColumn;
        if (flags.splitColumn !== undefined) mapping.split = flags.splitColumn;
        const limits = {
          ...(flags.maxChars !== undefined && { maxChars: flags.maxChars }),
          ...(flags.longChars !== undefined && { longChars: flags.longChars }),
          ...(flags.imbalanceRatio !== undefined && { imbalanceRatio: flags.imbalanceRatio }),
        };
        const outcome = importSource(dir, path, {
          format: flags.format,
          name: flags.name,
          mapping,
          header: flags.header,
          quotes: flags.quotes,
          language: flags.language,
          split,
          labels: flags.labels,
          licence: flags.licence,
          languages: flags.languages,
          seed: flags.seed,
          xnliSizes: flags.xnliSizes && { train: flags.xnliSizes[0], valid: flags.xnliSizes[1], test: flags.xnliSizes[2] },
          limits,
          acceptWarnings: flags.acceptWarnings,
          dryRun: flags.dryRun,
        });
        emit(Boolean(flags.json), { workspace: dir, ...outcome }, () => `${formatReport(outcome.report)}\n${verdict(outcome, dir)}`);
        if (outcome.status === 'rejected') throw new CliError('data rejected; nothing was written', 1);
      }),
    );

  group
    .command('list')
    .description('datasets in the workspace with their rows per language and split')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--json', 'machine-readable output')
    .action((flags: { workspace?: string; json?: boolean }) =>
      withWorkspaceErrors(() => {
        const ws = Workspace.open(workspaceDir(flags.workspace), { readonly: true });
        try {
          const datasets = ws.datasets.list().map((d) => ({ ...d, splits: splitTotals(ws, d) }));
          emit(Boolean(flags.json), { workspace: ws.dir, datasets }, () => formatList(ws.dir, datasets));
        } finally {
          ws.close();
        }
      }),
    );

  group
    .command('pools')
    .description("split one language's training rows into discovery and tuning pools (seeded; test rows never enter)")
    .requiredOption('--dataset <name>', 'dataset name or id')
    .requiredOption('--language <code>', 'language code, e.g. jav')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--seed <n>', 'seed (default 0)', integer, 0)
    .option('--discovery <n>', 'discovery pool size (default 400)', integer, 400)
    .option('--tuning <n>', 'held-out tuning pool size (default 100)', integer, 100)
    .option('--json', 'machine-readable output')
    .action((flags: { workspace?: string; dataset: string; language: string; seed: number; discovery: number; tuning: number; json?: boolean }) =>
      withWorkspaceErrors(() => {
        const ws = Workspace.open(workspaceDir(flags.workspace));
        try {
          const dataset = ws.datasets.find(flags.dataset);
          if (!dataset) throw new CliError(`no dataset "${flags.dataset}" in ${ws.dir}`, 1);
          let split;
          try {
            split = createPoolSplit(ws, dataset.id, flags.language, flags.seed, { discoverySize: flags.discovery, tuningSize: flags.tuning });
          } catch (e) {
            throw new CliError((e as Error).message, 1);
          }
          const pools = (['discovery', 'tuning'] as const).map((pool) => ({ pool, labels: tally(ws.pools.members(split.id, pool).map((e) => e.label)) }));
          emit(Boolean(flags.json), { ...split, pools }, () =>
            [`pool split #${split.id}: ${dataset.name} ${split.language}, seed ${split.seed}`, ...pools.map((p) => `  ${p.pool.padEnd(9)} ${formatTally(p.labels)}`)].join('\n'),
          );
        } finally {
          ws.close();
        }
      }),
    );
}

function verdict(o: ImportOutcome, dir: string): string {
  if (o.status === 'imported') return `imported as dataset "${o.dataset!.name}" (#${o.dataset!.id}) into ${dir}${o.workspaceCreated ? ' (new workspace)' : ''}`;
  if (o.status === 'validated') return 'dry run: the data would be imported; nothing was written';
  if (o.report.errors > 0) return 'rejected: fix the errors above; nothing was written';
  return 'rejected: the warnings above need your decision; nothing was written (re-run with --accept-warnings to import anyway)';
}

function splitTotals(ws: Workspace, d: DatasetRecord): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of ws.datasets.counts(d.id)) {
    const lang = (out[c.language] ??= {});
    lang[c.split] = (lang[c.split] ?? 0) + c.count;
  }
  return out;
}

function formatList(dir: string, datasets: (DatasetRecord & { splits: Record<string, Record<string, number>> })[]): string {
  if (datasets.length === 0) return `no datasets in ${dir}; import one with \`lontar data import\``;
  const lines: string[] = [];
  for (const d of datasets) {
    const languages = Object.keys(d.splits);
    const total = Object.values(d.splits).reduce((a, s) => a + Object.values(s).reduce((x, y) => x + y, 0), 0);
    lines.push(`#${d.id} ${d.name}  (${d.format}, ${d.task}, ${total} examples, labels ${d.labels.join('/')}${d.licence ? `, ${d.licence}` : ''})`);
    for (const lang of languages) {
      const s = d.splits[lang]!;
      lines.push(`    ${lang.padEnd(5)} train ${String(s.train ?? 0).padStart(5)}  valid ${String(s.valid ?? 0).padStart(5)}  test ${String(s.test ?? 0).padStart(5)}`);
    }
  }
  return lines.join('\n');
}

function tally(labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels.sort()) out[l] = (out[l] ?? 0) + 1;
  return out;
}

function formatTally(t: Record<string, number>): string {
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  return `${String(total).padStart(4)}  (${Object.entries(t).map(([l, n]) => `${l} ${n}`).join(', ')})`;
}

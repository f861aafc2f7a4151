// The validation report: what was read, counts per language/split/label, and every finding. The
// same object is printed for people (formatReport) and as JSON for machines (`--json`).

import type { Issue, Severity } from './issues';
import type { SplitCounts } from './validate';
import type { SourceFormat, SourceRead, Task } from './types';

export interface ValidationReport {
  source: string;
  format: SourceFormat;
  task: Task;
  name: string;
  licence: string | null;
  labels: string[];
  files: number;
  examples: number;
  counts: SplitCounts[];
  errors: number;
  warnings: number;
  infos: number;
  issues: Issue[];
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function buildReport(read: SourceRead, name: string, labels: string[], counts: SplitCounts[], issues: readonly Issue[]): ValidationReport {
  const sorted = [...issues].sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0),
  );
  const n = (s: Severity) => sorted.filter((i) => i.severity === s).length;
  return {
    source: read.root,
    format: read.format,
    task: read.task,
    name,
    licence: read.licence,
    labels,
    files: read.files.length,
    examples: read.examples.length,
    counts,
    errors: n('error'),
    warnings: n('warning'),
    infos: n('info'),
    issues: sorted,
  };
}

/** Errors always block; warnings block unless the user accepted them. */
export function isAccepted(report: ValidationReport, acceptWarnings: boolean): boolean {
  return report.errors === 0 && (report.warnings === 0 || acceptWarnings);
}

/** Human-readable report; at most `perCode` findings of each kind are listed, the rest counted. */
export function formatReport(r: ValidationReport, perCode = 10): string {
  const out: string[] = [];
  out.push(`${r.source}`);
  out.push(`  format ${r.format}, task ${r.task}, ${r.files} file(s), ${r.examples} example(s), labels: ${r.labels.join(', ') || '(none)'}`);
  if (r.counts.length > 0) {
    out.push('');
    const header = ['language', 'split', 'rows', ...r.labels];
    const rows = r.counts.map((c) => [c.language, c.split, String(c.total), ...r.labels.map((l) => String(c.labels[l] ?? 0))]);
    out.push(...table([header, ...rows]).map((l) => `  ${l}`));
  }
  const byCode = new Map<string, Issue[]>();
  for (const i of r.issues) (byCode.get(i.code) ?? byCode.set(i.code, []).get(i.code)!).push(i);
  if (byCode.size > 0) out.push('');
  for (const [code, list] of byCode) {
    const sev = list[0]!.severity;
    out.push(`${sev.toUpperCase()} ${code} (${list.length})`);
    for (const i of list.slice(0, perCode)) {
      const where = i.file ? `${i.file}${i.line ? `:${i.line}` : ''}: ` : i.line ? `line ${i.line}: ` : '';
      out.push(`  ${where}${i.message}`);
    }
    if (list.length > perCode) out.push(`  … and ${list.length - perCode} more (see --json for all)`);
  }
  out.push('');
  out.push(`${r.errors} error(s), ${r.warnings} warning(s), ${r.infos} note(s)`);
  return out.join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => (r[k] ?? '').length)));
  return rows.map((r) => r.map((cell, k) => (k < 2 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join('  ').trimEnd());
}

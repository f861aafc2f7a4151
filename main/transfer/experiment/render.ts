// Reports as Markdown (columns padded, so it reads in a terminal too) and as files: report.md and
// the CSV files, written atomically into one output folder.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentReport, Table } from './report';

export function markdownTable(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length), 3));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [`### ${t.title}`, ''];
  if (t.note) out.push(t.note, '');
  out.push(line(t.header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...t.rows.map(line));
  return out.join('\n');
}

export function renderMarkdown(report: ExperimentReport): string {
  const parts = [`## Experiment ${report.name}`, '', ...report.tables.flatMap((t) => [markdownTable(t), ''])];
  if (report.missing.length > 0) {
    parts.push(`Not (yet) in the tables: ${report.missing.length} cell(s): ${report.missing.slice(0, 8).map((m) => `${m.key} (${m.status})`).join(', ')}${report.missing.length > 8 ? ', …' : ''}`, '');
  }
  return parts.join('\n');
}

/** Writes report.md and the CSV files into `dir` (created if needed); returns their paths. */
export function writeReport(report: ExperimentReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = { 'report.md': renderMarkdown(report), ...report.csv };
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    return path;
  });
}

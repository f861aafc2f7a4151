// JSON Lines: one JSON object per line. Blank lines are skipped; every other line must parse.

import type { IssueList } from './issues';
import type { RawTable } from './types';

export function parseJsonl(text: string, file: string, issues: IssueList): RawTable | undefined {
  const columns: string[] = [];
  const known = new Set<string>();
  const table: RawTable = { columns, rows: [] };
  let nonBlank = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    nonBlank++;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      issues.add('jsonl-syntax', `not valid JSON: ${(e as Error).message}`, { file, line });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.add('jsonl-not-object', `each line must be a JSON object, this one is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, {
        file,
        line,
      });
      return;
    }
    const values = value as Record<string, unknown>;
    for (const key of Object.keys(values)) {
      if (!known.has(key)) {
        known.add(key);
        columns.push(key);
      }
    }
    table.rows.push({ line, values });
  });
  if (nonBlank === 0) {
    issues.add('file-empty', 'the file has no rows', { file });
    return undefined;
  }
  return table;
}

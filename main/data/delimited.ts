// CSV and TSV through csv-parse (a real RFC 4180 parser: NusaX has quoted fields with newlines).
// Parsing stops at the first syntax error, reported with its line: after a broken quote every later
// row boundary is a guess, so reporting more would mislead.

import { parse } from 'csv-parse/sync';
import type { IssueList } from './issues';
import type { RawTable } from './types';

export interface DelimitedOptions {
  delimiter: ',' | '\t';
  /** First row names the columns (default). Without it columns are named "1", "2", …. */
  header: boolean;
  /**
   * Whether double quotes delimit fields. CSV: always. TSV: by default quotes are honoured when a
   * field starts with one (as pandas writes them) and literal elsewhere.
   */
  quotes: boolean;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number; empty_lines: number };
}

interface CsvParseError extends Error {
  code?: string;
  lines?: number;
}

const EXPLAIN: Record<string, string> = {
  INVALID_OPENING_QUOTE: 'a double quote inside an unquoted field; quote the whole field and double the inner quotes ("like ""this"""), or pass --no-quotes for TSV',
  CSV_INVALID_CLOSING_QUOTE: 'text follows a closing quote; inner quotes must be doubled ("like ""this""")',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field starting on this row is never closed',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'inconsistent number of fields',
};

export function parseDelimited(text: string, file: string, options: DelimitedOptions, issues: IssueList): RawTable | undefined {
  let lastEnd = 0;
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      delimiter: options.delimiter,
      quote: options.quotes ? '"' : false,
      relax_quotes: options.delimiter === '\t',
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      info: true,
      // with `info`, each record arrives wrapped as { record, info }; only the line count is needed
      on_record: (record, context) => {
        lastEnd = context.lines;
        return record;
      },
    }) as unknown as ParsedRecord[];
  } catch (e) {
    const err = e as CsvParseError;
    const unclosed = err.code === 'CSV_QUOTE_NOT_CLOSED';
    const line = unclosed ? lastEnd + 1 : (err.lines ?? lastEnd + 1);
    const what = (err.code && EXPLAIN[err.code]) ?? err.message;
    issues.add('csv-syntax', `${what} (${err.code ?? 'parse error'}); rows after this point were not checked`, { file, line });
    return undefined;
  }
  if (records.length === 0) {
    issues.add('file-empty', 'the file has no rows', { file });
    return undefined;
  }

  // csv-parse reports the line where a record ends; a record starts after the previous one ends
  // and after any blank lines skipped in between.
  let prevEnd = 0;
  let prevEmpty = 0;
  const starts = records.map((r) => {
    const start = prevEnd + 1 + (r.info.empty_lines - prevEmpty);
    prevEnd = r.info.lines;
    prevEmpty = r.info.empty_lines;
    return start;
  });

  let columns: string[];
  let first = 0;
  if (options.header) {
    columns = records[0]!.record.map((c) => c.trim());
    first = 1;
    const seen = new Set<string>();
    for (const c of columns) {
      if (c !== '' && seen.has(c)) issues.add('header-duplicate-column', `column "${c}" appears twice in the header`, { file, line: starts[0]! });
      seen.add(c);
    }
    if (records.length === 1) {
      issues.add('file-empty', 'the file has a header but no data rows', { file, line: 1 });
      return undefined;
    }
  } else {
    columns = records[0]!.record.map((_, i) => String(i + 1));
  }

  const table: RawTable = { columns, rows: [] };
  for (let i = first; i < records.length; i++) {
    const { record } = records[i]!;
    const line = starts[i]!;
    if (record.length !== columns.length) {
      const hint = record.length > columns.length ? ` (an unquoted ${options.delimiter === ',' ? 'comma' : 'tab'} inside a field?)` : '';
      issues.add('row-field-count', `the row has ${record.length} fields but the ${options.header ? 'header has' : 'first row has'} ${columns.length}${hint}`, {
        file,
        line,
      });
      continue;
    }
    const values: Record<string, unknown> = {};
    columns.forEach((c, k) => (values[c] = record[k]));
    table.rows.push({ line, values });
  }
  return table;
}

// Examples: one labelled text (or premise/hypothesis pair) with its language and split, and where
// in the source it came from so reports and annotators can point back at the original row.

import type { Database } from 'better-sqlite3';
import type { Split } from './datasets';

export interface NewExample {
  sourceId: string;
  language: string;
  split: Split;
  text: string | null;
  premise: string | null;
  hypothesis: string | null;
  label: string;
  sourceFile: string;
  sourceLine: number;
}

export interface ExampleRecord extends NewExample {
  id: number;
  datasetId: number;
}

export interface ExampleFilter {
  language?: string;
  split?: Split;
}

export interface ExampleSearch extends ExampleFilter {
  label?: string;
  /** Case-insensitive substring of the text, premise, hypothesis or source id. */
  text?: string;
  offset: number;
  limit: number;
}

const COLUMNS = `id, dataset_id AS datasetId, source_id AS sourceId, language, split, text, premise, hypothesis,
  label, source_file AS sourceFile, source_line AS sourceLine`;

export class ExampleRepository {
  constructor(private readonly db: Database) {}

  /** Inserts all rows in one transaction (joining the caller's if there is one); returns the count. */
  insertMany(datasetId: number, rows: readonly NewExample[]): number {
    const insert = this.db.prepare(
      `INSERT INTO examples (dataset_id, source_id, language, split, text, premise, hypothesis, label, source_file, source_line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const r of rows) {
        insert.run(datasetId, r.sourceId, r.language, r.split, r.text, r.premise, r.hypothesis, r.label, r.sourceFile, r.sourceLine);
      }
    })();
    return rows.length;
  }

  get(id: number): ExampleRecord | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM examples WHERE id = ?`).get(id) as ExampleRecord | undefined;
  }

  /** Examples of a dataset in a stable order (language, split, source order). */
  list(datasetId: number, filter: ExampleFilter = {}): ExampleRecord[] {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM examples WHERE dataset_id = @datasetId
           AND (@language IS NULL OR language = @language) AND (@split IS NULL OR split = @split)
         ORDER BY language, split, id`,
      )
      .all({ datasetId, language: filter.language ?? null, split: filter.split ?? null }) as ExampleRecord[];
  }

  /** One page of a filtered, searched listing (same order as `list`), with the total that matched. */
  search(datasetId: number, q: ExampleSearch): { total: number; rows: ExampleRecord[] } {
    const where = `dataset_id = @datasetId AND (@language IS NULL OR language = @language) AND (@split IS NULL OR split = @split)
      AND (@label IS NULL OR label = @label)
      AND (@pattern IS NULL OR coalesce(text, '') LIKE @pattern ESCAPE '\\' OR coalesce(premise, '') LIKE @pattern ESCAPE '\\'
           OR coalesce(hypothesis, '') LIKE @pattern ESCAPE '\\' OR source_id LIKE @pattern ESCAPE '\\')`;
    const params = {
      datasetId,
      language: q.language ?? null,
      split: q.split ?? null,
      label: q.label ?? null,
      // LIKE is case-insensitive for ASCII; % and _ typed by the user are matched literally.
      pattern: q.text ? `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
    };
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM examples WHERE ${where}`).get(params) as { total: number };
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM examples WHERE ${where} ORDER BY language, split, id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: q.limit, offset: q.offset }) as ExampleRecord[];
    return { total, rows };
  }

  count(datasetId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM examples WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
  }

  languages(datasetId: number): string[] {
    const rows = this.db.prepare('SELECT DISTINCT language FROM examples WHERE dataset_id = ? ORDER BY language').all(datasetId);
    return (rows as { language: string }[]).map((r) => r.language);
  }
}

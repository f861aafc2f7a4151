// Column mapping: which column holds the text (or premise and hypothesis), the label, and the
// optional id, language and split. Unmapped roles are looked up under common names; an explicit
// mapping that names a missing column is an error, never a silent fallback.

import type { IssueList } from './issues';
import { normaliseSplit, type ExampleDraft, type RawTable, type Split, type Task } from './types';

export const ROLES = ['text', 'premise', 'hypothesis', 'label', 'id', 'language', 'split'] as const;
export type Role = (typeof ROLES)[number];
export type ColumnMapping = Partial<Record<Role, string>>;

const COMMON_NAMES: Record<Role, string[]> = {
  text: ['text', 'sentence', 'content', 'review', 'tweet'],
  premise: ['premise', 'sentence1'],
  hypothesis: ['hypothesis', 'sentence2'],
  label: ['label', 'gold_label', 'labels', 'sentiment', 'class', 'category'],
  id: ['id', 'idx', 'guid', 'uid'],
  language: ['language', 'lang'],
  split: ['split', 'subset'],
};

export interface ResolvedMapping {
  task: Task;
  columns: ColumnMapping;
}

/** Fixed values for what the file itself does not say (from options, file or folder names). */
export interface RowDefaults {
  language?: string;
  split?: Split;
}

export function resolveMapping(table: RawTable, explicit: ColumnMapping, file: string, issues: IssueList): ResolvedMapping | undefined {
  const byLower = new Map(table.columns.map((c) => [c.toLowerCase(), c]));
  const columns: ColumnMapping = {};
  let ok = true;
  for (const role of ROLES) {
    const wanted = explicit[role];
    if (wanted !== undefined) {
      if (table.columns.includes(wanted)) columns[role] = wanted;
      else {
        issues.add('header-missing-column', `column "${wanted}" (given for ${role}) is not in the file; columns: ${list(table.columns)}`, { file, line: 1 });
        ok = false;
      }
    } else {
      const found = COMMON_NAMES[role].map((n) => byLower.get(n)).find((c) => c !== undefined);
      if (found !== undefined) columns[role] = found;
    }
  }
  if (!ok) return undefined;

  // NLI when a premise/hypothesis pair is mapped and no single text was asked for explicitly.
  const nli = explicit.text === undefined && columns.premise !== undefined && columns.hypothesis !== undefined;
  const task: Task = nli ? 'nli' : 'classification';
  if (nli) delete columns.text;
  else {
    delete columns.premise;
    delete columns.hypothesis;
  }
  const required: Role[] = nli ? ['premise', 'hypothesis', 'label'] : ['text', 'label'];
  const missing = required.filter((r) => columns[r] === undefined);
  if (missing.length > 0) {
    const flags = missing.map((r) => `--${r} COLUMN`).join(', ');
    issues.add('header-missing-column', `no ${missing.join(' or ')} column; columns: ${list(table.columns)}. Name them with ${flags}`, { file, line: 1 });
    return undefined;
  }
  const used = new Set(Object.values(columns));
  const unused = table.columns.filter((c) => !used.has(c) && c !== '');
  if (unused.length > 0) issues.add('header-unused-columns', `columns not imported: ${list(unused)}`, { file, line: 1 });
  return { task, columns };
}

/** Turns mapped rows into drafts; rows whose split cannot be known are reported and dropped. */
export function toDrafts(table: RawTable, mapping: ResolvedMapping, defaults: RowDefaults, file: string, issues: IssueList): ExampleDraft[] {
  const c = mapping.columns;
  const drafts: ExampleDraft[] = [];
  const whitespaceLabels: number[] = [];
  let noLanguage = 0;
  if (c.split === undefined && defaults.split === undefined) {
    issues.add('split-missing', 'no split column and no split given; name the file train/valid/test.<ext>, add a split column, or pass --split', { file });
    return drafts;
  }
  for (const row of table.rows) {
    const where = { file, line: row.line };
    const text = (role: Role): string | undefined => {
      const v = row.values[c[role]!];
      if (v === undefined || v === null) return '';
      if (typeof v === 'string') return v;
      issues.add('field-type', `${role} must be a string, found ${Array.isArray(v) ? 'an array' : typeof v}`, where);
      return undefined;
    };
    const scalar = (role: Role): string => {
      const v = c[role] === undefined ? undefined : row.values[c[role]!];
      return v === undefined || v === null || typeof v === 'object' ? '' : String(v);
    };

    let split = defaults.split;
    if (c.split !== undefined) {
      const raw = scalar('split');
      split = normaliseSplit(raw);
      if (!split) {
        issues.add('split-invalid', `split "${raw}" is not one of train, valid (dev, validation), test`, where);
        continue;
      }
    }
    let language = c.language !== undefined ? scalar('language').trim() : '';
    if (language === '') {
      language = defaults.language ?? 'und';
      if (defaults.language === undefined) noLanguage++;
    }
    const rawLabel = scalar('label');
    const label = rawLabel.trim();
    if (label !== rawLabel && label !== '') whitespaceLabels.push(row.line);

    let fields: Pick<ExampleDraft, 'text' | 'premise' | 'hypothesis'>;
    if (mapping.task === 'nli') {
      const [premise, hypothesis] = [text('premise'), text('hypothesis')];
      if (premise === undefined || hypothesis === undefined) continue;
      fields = { text: null, premise, hypothesis };
    } else {
      const single = text('text');
      if (single === undefined) continue;
      fields = { text: single, premise: null, hypothesis: null };
    }

    let sourceId = `line-${row.line}`;
    if (c.id !== undefined) {
      sourceId = scalar('id').trim();
      if (sourceId === '') {
        issues.add('id-empty', 'the id is empty', where);
        continue;
      }
    }
    drafts.push({ sourceId, language, split: split!, ...fields, label, sourceFile: file, sourceLine: row.line });
  }
  if (whitespaceLabels.length > 0) {
    issues.add('label-whitespace', `${whitespaceLabels.length} label(s) had spaces around them (first at line ${whitespaceLabels[0]}); they were trimmed`, {
      file,
      line: whitespaceLabels[0]!,
    });
  }
  if (noLanguage > 0) {
    issues.add('language-missing', `${noLanguage} row(s) have no language; they are stored as "und" (undetermined). Pass --language CODE or add a language column`, {
      file,
    });
  }
  return drafts;
}

function list(columns: string[]): string {
  return columns.length === 0 ? '(none)' : columns.map((c) => `"${c}"`).join(', ');
}

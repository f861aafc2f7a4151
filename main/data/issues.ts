// What validation can find. Every finding names the file and line it is about, so a linguist can
// open the file and fix it; errors always block an import, warnings block until accepted, info
// never blocks.

export type Severity = 'error' | 'warning' | 'info';

/** Every kind of finding, with its severity. The docs (docs/data-formats.md) list them all. */
export const ISSUE_SEVERITY = {
  'file-unreadable': 'error',
  'file-empty': 'error',
  'encoding-utf16': 'error',
  'encoding-invalid-utf8': 'error',
  'encoding-nul': 'error',
  'encoding-bom': 'warning',
  'csv-syntax': 'error',
  'jsonl-syntax': 'error',
  'jsonl-not-object': 'error',
  'header-missing-column': 'error',
  'header-duplicate-column': 'error',
  'header-unused-columns': 'info',
  'row-field-count': 'error',
  'field-type': 'error',
  'split-invalid': 'error',
  'split-missing': 'error',
  'language-missing': 'warning',
  'id-empty': 'error',
  'id-duplicate': 'error',
  'text-empty': 'error',
  'text-overlong': 'error',
  'text-long': 'warning',
  'text-control-chars': 'warning',
  'text-replacement-char': 'warning',
  'text-mojibake': 'warning',
  'text-duplicate': 'warning',
  'text-overlap': 'warning',
  'text-conflicting-labels': 'warning',
  'label-empty': 'error',
  'label-unknown': 'error',
  'label-whitespace': 'warning',
  'label-rare': 'warning',
  'labels-too-few': 'error',
  'label-imbalance': 'warning',
  'label-missing-in-split': 'warning',
  'split-no-train': 'info',
  'split-train-small': 'info',
  'layout-unrecognised': 'error',
  'layout-missing-file': 'error',
  'layout-ignored': 'info',
  'label-file': 'error',
  'label-file-mismatch': 'error',
  'dataset-name-taken': 'error',
  'dataset-already-imported': 'warning',
  sampling: 'info',
  licence: 'info',
} as const satisfies Record<string, Severity>;

export type IssueCode = keyof typeof ISSUE_SEVERITY;

export interface Issue {
  severity: Severity;
  code: IssueCode;
  message: string;
  /** Path relative to the imported file or folder. */
  file?: string;
  /** 1-based line where the row starts. */
  line?: number;
}

export function issue(code: IssueCode, message: string, where: { file?: string; line?: number } = {}): Issue {
  return { severity: ISSUE_SEVERITY[code], code, message, ...where };
}

/** Collects issues; readers and checks push into one of these. */
export class IssueList {
  readonly items: Issue[] = [];

  add(code: IssueCode, message: string, where: { file?: string; line?: number } = {}): void {
    this.items.push(issue(code, message, where));
  }

  has(severity: Severity): boolean {
    return this.items.some((i) => i.severity === severity);
  }
}

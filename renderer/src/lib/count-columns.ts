// The columns of a per-language, per-split count table: language, split, total, then one per label
// (used by the validation report and by a dataset's counts).

import type { ValidationReportView } from '../../../main/api/contract/index';
import { t } from '../strings/index';
import type { Column } from './table';

export type SplitCountRow = ValidationReportView['counts'][number];

export function countColumns(labels: readonly string[]): Column<SplitCountRow>[] {
  return [
    { label: t.datasets.columnLanguage, value: (c) => c.language },
    { label: t.datasets.columnSplit, value: (c) => c.split },
    { label: t.datasets.columnTotal, value: (c) => c.total, numeric: true },
    ...labels.map((l) => ({ label: l, value: (c: SplitCountRow) => c.labels[l] ?? 0, numeric: true })),
  ];
}

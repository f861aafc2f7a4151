// A table column: its header, how a row shows in it (and in the CSV export), and its alignment.

export interface Column<R> {
  label: string;
  value: (row: R) => string | number | null;
  numeric?: boolean;
}

// Exports: a table as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read the
// languages' characters correctly) and any data URL or text as a file the browser saves.

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function saveUrl(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
}

export function saveText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  saveUrl(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function saveCsv(fileName: string, header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  saveText(`\uFEFF${toCsv(header, rows)}`, fileName, 'text/csv;charset=utf-8');
}

/** A file-name-safe version of a title. */
export const fileSafe = (s: string): string => s.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'lontar';

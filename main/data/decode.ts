// Turns a file's bytes into text, or says precisely why it cannot: UTF-16/32 (by BOM), NUL bytes
// (binary, or UTF-16 without a BOM), invalid UTF-8 (with line numbers, and whether the file mixes
// valid UTF-8 with other bytes, the usual sign of Latin-1 / Windows-1252 text pasted into UTF-8).
// A UTF-8 BOM is stripped with a warning: left in, it glues itself to the first column name.

import type { IssueList } from './issues';

const MAX_POSITIONS = 5;

export function decodeUtf8(bytes: Uint8Array, file: string, issues: IssueList): string | undefined {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const kind = startsWith(bytes, [0xff, 0xfe, 0, 0]) ? 'UTF-32' : 'UTF-16';
    issues.add('encoding-utf16', `the file is ${kind} (byte-order mark); save it as UTF-8`, { file });
    return undefined;
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    issues.add('encoding-nul', 'the file contains NUL bytes: it is binary, or UTF-16 without a byte-order mark; save it as UTF-8 text', {
      file,
      line: lineAt(bytes, nul),
    });
    return undefined;
  }
  let body = bytes;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) {
    issues.add('encoding-bom', 'the file starts with a UTF-8 byte-order mark; it was removed', { file, line: 1 });
    body = bytes.subarray(3);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const { invalid, validMultibyte } = scanUtf8(body);
    const lines = invalid.slice(0, MAX_POSITIONS).map((off) => `line ${lineAt(body, off)} (byte 0x${body[off]!.toString(16).padStart(2, '0')})`);
    const more = invalid.length > MAX_POSITIONS ? ` and ${invalid.length - MAX_POSITIONS} more` : '';
    const why = validMultibyte
      ? 'the file mixes UTF-8 with another encoding (Latin-1 / Windows-1252?)'
      : 'the file is not UTF-8 (Latin-1 / Windows-1252?)';
    issues.add('encoding-invalid-utf8', `invalid UTF-8 at ${lines.join(', ')}${more}: ${why}; re-save it as UTF-8`, {
      file,
      line: lineAt(body, invalid[0]!),
    });
    return undefined;
  }
}

/** Offsets of bytes that start an invalid UTF-8 sequence, and whether valid multi-byte ones occur. */
export function scanUtf8(b: Uint8Array): { invalid: number[]; validMultibyte: boolean } {
  const invalid: number[] = [];
  let validMultibyte = false;
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    let ok = need > 0 && i + need < b.length;
    for (let k = 1; ok && k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) ok = false;
    }
    if (ok && need === 2) {
      const c1 = b[i + 1]!;
      if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) ok = false; // overlong / surrogates
    }
    if (ok && need === 3) {
      const c1 = b[i + 1]!;
      if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) ok = false; // overlong / above U+10FFFF
    }
    if (ok) {
      validMultibyte = true;
      i += need + 1;
    } else {
      invalid.push(i);
      i++;
    }
  }
  return { invalid, validMultibyte };
}

/** 1-based line number of byte `offset`. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((p, i) => bytes[i] === p);
}

// Checks on one example's text fields: empty, too long, control characters, and the traces that
// wrong decoding leaves in text that is itself valid UTF-8 (U+FFFD, mojibake such as "Ã©").

import type { IssueList } from './issues';
import type { ExampleDraft } from './types';

export interface TextLimits {
  /** Above this many characters a row is most likely a parsing accident (runaway quote): error. */
  maxChars: number;
  /** Above this many characters a row will not fit a 128-token prompt: warning. */
  longChars: number;
}

export const DEFAULT_TEXT_LIMITS: TextLimits = { maxChars: 20_000, longChars: 2_000 };

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** UTF-8 bytes of common letters and punctuation read as Latin-1/Windows-1252, then saved again. */
const MOJIBAKE = /Ã[\u0080-\u00BF]|Â[\u00A0-\u00BF]|â€[\u0080-\u00BF™œ“”˜š]|Ä[\u0080-\u00BF]|Å[\u0080-\u00BF]/;

export function textFields(d: ExampleDraft): [string, string][] {
  return d.text !== null ? [['text', d.text]] : [['premise', d.premise ?? ''], ['hypothesis', d.hypothesis ?? '']];
}

export function checkText(d: ExampleDraft, limits: TextLimits, issues: IssueList): void {
  const where = { file: d.sourceFile, line: d.sourceLine };
  let total = 0;
  for (const [field, value] of textFields(d)) {
    total += value.length;
    if (value.trim() === '') {
      issues.add('text-empty', `the ${field} is empty`, where);
      continue;
    }
    const control = CONTROL.exec(value);
    if (control) {
      const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      issues.add('text-control-chars', `the ${field} contains the control character U+${code}`, where);
    }
    if (value.includes('\uFFFD')) {
      issues.add('text-replacement-char', `the ${field} contains U+FFFD "�": it was decoded with the wrong encoding before it was saved`, where);
    }
    const garbled = MOJIBAKE.exec(value);
    if (garbled) {
      issues.add('text-mojibake', `the ${field} contains "${garbled[0]}", typical of UTF-8 text decoded as Latin-1 (mixed encodings)`, where);
    }
  }
  if (total > limits.maxChars) {
    issues.add('text-overlong', `the row has ${total} characters (limit ${limits.maxChars}): probably an unclosed quote swallowing later rows`, where);
  } else if (total > limits.longChars) {
    issues.add('text-long', `the row has ${total} characters; it will be truncated in a 128-token prompt (warning above ${limits.longChars})`, where);
  }
  if (d.label === '') issues.add('label-empty', 'the label is empty', where);
}

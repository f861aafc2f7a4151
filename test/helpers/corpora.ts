// Where the tests find the two corpora the paper uses. NusaX-Senti ships in resources/ (the
// product's copy, CC BY-SA 4.0), so its tests run on any clone; a fuller shared copy (CI's
// ../shared/data, or LONTAR_TEST_DATA) wins when present. XNLI (CC BY-NC 4.0) is never shipped:
// its tests run only where a copy exists and otherwise skip with that reason.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Corpora {
  nusax: string;
  xnli: string;
  /** false, or why the tests that need the corpus skip. */
  skipWithoutNusax: string | false;
  skipWithoutXnli: string | false;
}

export function findCorpora(sharedData = process.env['LONTAR_TEST_DATA'] ?? join(REPO, '..', 'shared', 'data'), repo = REPO): Corpora {
  const shipped = join(repo, 'resources', 'data', 'nusax-senti');
  const shared = join(sharedData, 'nusax-senti');
  const nusax = existsSync(shared) ? shared : shipped;
  const xnli = join(sharedData, 'xnli');
  return {
    nusax,
    xnli,
    skipWithoutNusax: existsSync(nusax) ? false : `NusaX found neither at ${shared} nor in ${shipped}`,
    skipWithoutXnli: existsSync(xnli)
      ? false
      : `XNLI not found at ${xnli}: it is not shipped (CC BY-NC 4.0); set LONTAR_TEST_DATA to a folder holding xnli/`,
  };
}

export const CORPORA = findCorpora();

// The NusaX layout: one folder per language, each with train.csv, valid.csv and test.csv (columns
// id, text, label), imported all at once as one dataset. NusaX-Senti is CC BY-SA 4.0: derived data
// must keep attribution and the same licence.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDelimited } from './delimited';
import { IssueList } from './issues';
import { resolveMapping, toDrafts } from './mapping';
import { licenceOfFolder, loadFile } from './source-files';
import { SPLITS, type SourceRead } from './types';

export const NUSAX_LABELS = ['negative', 'neutral', 'positive'];

/** NusaX folder names → ISO 639-3 codes (the codes the CT-SFT paper uses: ace, bug, jav, min, ind). */
export const NUSAX_LANGUAGE_CODES: Record<string, string> = {
  acehnese: 'ace',
  balinese: 'ban',
  banjarese: 'bjn',
  buginese: 'bug',
  english: 'eng',
  indonesian: 'ind',
  javanese: 'jav',
  madurese: 'mad',
  minangkabau: 'min',
  ngaju: 'nij',
  sundanese: 'sun',
  toba_batak: 'bbc',
};

export interface NusaxReadOptions {
  /** Only these languages (folder names or codes). */
  languages?: string[];
  labels?: string[];
  licence?: string;
}

function languageFolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .filter((name) => SPLITS.some((s) => existsSync(join(dir, name, `${s}.csv`))))
    .sort();
}

export function looksLikeNusax(dir: string): boolean {
  return languageFolders(dir).length > 0;
}

export function readNusax(dir: string, options: NusaxReadOptions = {}): SourceRead {
  const issues = new IssueList();
  const result: SourceRead = {
    format: 'nusax',
    task: 'classification',
    root: dir,
    files: [],
    examples: [],
    issues: issues.items,
    declaredLabels: options.labels ?? NUSAX_LABELS,
    licence: options.licence ?? licenceOfFolder(dir),
    suggestedName: basename(dir),
  };
  let folders = languageFolders(dir);
  const ignored = readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory() && !folders.includes(n));
  if (ignored.length > 0) issues.add('layout-ignored', `folders without train/valid/test.csv were ignored: ${ignored.join(', ')}`);
  if (options.languages) {
    const wanted = new Set(options.languages);
    for (const w of wanted) {
      if (!folders.some((f) => f === w || NUSAX_LANGUAGE_CODES[f] === w)) {
        issues.add('layout-missing-file', `language "${w}" is not in ${dir}; available: ${folders.join(', ')}`);
      }
    }
    folders = folders.filter((f) => wanted.has(f) || wanted.has(NUSAX_LANGUAGE_CODES[f] ?? f));
  }

  for (const folder of folders) {
    const language = NUSAX_LANGUAGE_CODES[folder] ?? folder;
    for (const split of SPLITS) {
      const name = `${folder}/${split}.csv`;
      const path = join(dir, folder, `${split}.csv`);
      if (!existsSync(path)) {
        issues.add('layout-missing-file', `${name} is missing: every language folder needs train.csv, valid.csv and test.csv`, { file: name });
        continue;
      }
      const loaded = loadFile(path, name, issues);
      result.files.push(loaded.record);
      if (loaded.text === undefined) continue;
      const table = parseDelimited(loaded.text, name, { delimiter: ',', header: true, quotes: true }, issues);
      if (!table) continue;
      const mapping = resolveMapping(table, {}, name, issues);
      if (!mapping) continue;
      result.examples.push(...toDrafts(table, mapping, { language, split }, name, issues));
    }
  }
  if (result.licence) {
    const note = result.licence === 'CC BY-SA 4.0' ? ': keep attribution, and share derived data under the same licence' : '';
    issues.add('licence', `licence: ${result.licence}${note}`);
  }
  return result;
}

// Writing an encoded model to disk as `<name>.onnx` plus its external-data file, each written to a
// temporary name, fsynced and renamed, so a crash never leaves a half-written model behind.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GraphError } from '../graph';
import type { EncodedModel } from './encode';

function writeAtomically(path: string, write: (fd: number) => void): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    write(fd);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/**
 * Writes a model encoded with `externalDataFile` (or without external data) next to its data file.
 * Returns the paths written. The data file name is the one given to encodeModel.
 */
export function writeOnnxModel(modelPath: string, model: EncodedModel): string[] {
  const files = new Set(model.externalData.map((b) => b.path));
  if (files.size > 1) throw new GraphError('writeOnnxModel: encode with `externalDataFile` to write external data to disk');
  const written: string[] = [];
  for (const file of files) {
    const dataPath = join(dirname(modelPath), file);
    writeAtomically(dataPath, (fd) => {
      for (const b of model.externalData) writeSync(fd, b.data, 0, b.data.length, b.offset);
    });
    written.push(dataPath);
  }
  writeAtomically(modelPath, (fd) => writeSync(fd, model.bytes));
  written.push(modelPath);
  return written;
}

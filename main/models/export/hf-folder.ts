// An adapted model as a Hugging Face folder any other tool loads: config.json (the original keys
// written back, dtype updated), model.safetensors under the checkpoint's own tensor names, the
// tokenizer files, and a README.md model card. Written atomically: the folder appears complete or
// not at all.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../../engine/tensor';
import { writeSafetensors } from '../checkpoint/safetensors-write';
import type { ModelConfig } from '../config';
import type { ResolvedLayout } from '../tensor-layout';
import { writeFolderAtomically } from './atomic-folder';
import { copyCompanionFiles } from './companion-files';
import { renderModelCard, type ModelCard } from './model-card';

export type WeightStorage = 'F32' | 'BF16' | 'F16';

export interface HfFolderSource {
  config: ModelConfig;
  /** Maps canonical names to the names the base checkpoint used (bert./roberta. prefixes). */
  layout: ResolvedLayout;
  /** Canonical name → tensor (e.g. `mergeTrained` output). */
  weights: ReadonlyMap<string, HostTensor>;
  /** The base folder: tokenizer and generation files are copied from it. */
  dir: string;
}

export interface HfExportOptions {
  card: ModelCard;
  /** Float storage (default F32: trained deltas smaller than a bf16 step survive). */
  dtype?: WeightStorage;
}

const TORCH_DTYPE: Record<WeightStorage, string> = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' };

/** config.json as the base wrote it, with its dtype keys naming the storage actually written. */
export function exportedConfigJson(config: ModelConfig, dtype: WeightStorage): string {
  const raw: Record<string, unknown> = { ...config.raw };
  if ('dtype' in raw) raw['dtype'] = TORCH_DTYPE[dtype];
  if ('torch_dtype' in raw || !('dtype' in raw)) raw['torch_dtype'] = TORCH_DTYPE[dtype];
  return `${JSON.stringify(raw, null, 2)}\n`;
}

/** Tensors keyed by the names the base checkpoint stored them under. */
export function storedNameTensors(model: Pick<HfFolderSource, 'layout' | 'weights'>): Map<string, HostTensor> {
  return new Map([...model.weights].map(([name, t]) => [model.layout.fileNames.get(name) ?? name, t]));
}

export function writeHfFolder(out: string, model: HfFolderSource, options: HfExportOptions): { dir: string; files: string[] } {
  const dtype = options.dtype ?? 'F32';
  const files: string[] = [];
  const dir = writeFolderAtomically(out, (temp) => {
    writeFileSync(join(temp, 'config.json'), exportedConfigJson(model.config, dtype));
    writeSafetensors(join(temp, 'model.safetensors'), storedNameTensors(model), { format: 'pt' }, { float32As: dtype });
    const copied = copyCompanionFiles(model.dir, temp);
    writeFileSync(join(temp, 'README.md'), renderModelCard(options.card, model.config));
    files.push('config.json', 'model.safetensors', ...copied, 'README.md');
  });
  return { dir, files };
}

// A random model folder with Qwen2.5-0.5B's shapes (optionally fewer layers), for benchmarks: the
// real config keys, a small byte-level BPE tokenizer whose label words are single tokens, and
// random weights (uniform ±0.05; the values do not change timings) stored as BF16.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostTensor, type HostTensor } from '../main/engine/tensor';
import { writeSafetensors } from '../main/models/checkpoint/safetensors-write';
import { parseModelConfig } from '../main/models/config';
import { expectedTensors } from '../main/models/tensor-layout';
import { QWEN25_05B } from '../test/models/fixtures/configs';
import { byteLevelBpeJson } from '../test/models/fixtures/tokenizer-files';

export const BENCH_WORDS = ['makanan', 'enak', 'sekali', 'filmnya', 'bagus', 'pelayanan', 'lambat', 'harga', 'murah', 'tempat', 'nyaman', 'kurang'];

export function writeRandomQwen(dir: string, options: { layers?: number } = {}): void {
  mkdirSync(dir, { recursive: true });
  const config = { ...QWEN25_05B, pad_token_id: 151643, num_hidden_layers: options.layers ?? QWEN25_05B.num_hidden_layers };
  const tokenizer = byteLevelBpeJson({ corpus: [BENCH_WORDS.join(' ')], merges: 50, wholeWords: [' negative', ' neutral', ' positive'] });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  let state = 0x9e3779b9;
  const tensors = new Map<string, HostTensor>();
  for (const t of expectedTensors(parseModelConfig(config))) {
    if (t.optional) continue;
    const data = new Float32Array(t.shape.reduce((a, b) => a * b, 1));
    if (t.name.endsWith('norm.weight')) data.fill(1);
    else {
      for (let i = 0; i < data.length; i++) {
        state ^= state << 13; // xorshift32: fast enough for half a billion values
        state ^= state >>> 17;
        state ^= state << 5;
        data[i] = ((state >>> 0) / 4294967296 - 0.5) * 0.1;
      }
    }
    tensors.set(t.name, hostTensor('float32', t.shape, data));
  }
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' }, { float32As: 'BF16' });
}

// Position ids from the attention mask, as each family's Hugging Face code derives them:
//   decoders: count of real tokens before each position (so left padding does not shift positions;
//             padded slots get 0)
//   BERT: 0, 1, 2, ... (right padding keeps real tokens first)
//   XLM-R: padding_idx + 1 + (count of real tokens before), padded slots get padding_idx

import type { ModelConfig } from '../config';

export function positionIds(c: ModelConfig, mask: ArrayLike<number>, batch: number, seq: number): number[] {
  const out = new Array<number>(batch * seq).fill(0);
  for (let b = 0; b < batch; b++) {
    let seen = 0;
    for (let t = 0; t < seq; t++) {
      const i = b * seq + t;
      const real = mask[i] === 1;
      if (c.kind === 'decoder') out[i] = real ? seen : 0;
      else if (c.family === 'bert') out[i] = t;
      else out[i] = real ? c.positionOffset + seen : (c.padTokenId ?? 1);
      if (real) seen++;
    }
  }
  return out;
}

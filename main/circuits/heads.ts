// Attention heads as circuit nodes, addressed (layer, head) as in the paper's tables.

import type { ModelConfig } from '../models/config';

export interface Head {
  layer: number;
  head: number;
}

export const headKey = (h: Head): string => `${h.layer}.${h.head}`;

export function parseHeadKey(key: string): Head {
  const m = /^(\d+)\.(\d+)$/.exec(key.trim());
  if (!m) throw new Error(`"${key}" is not a head (expected layer.head, e.g. 3.1)`);
  return { layer: Number(m[1]), head: Number(m[2]) };
}

export function allHeads(config: ModelConfig): Head[] {
  const out: Head[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) for (let head = 0; head < config.numHeads; head++) out.push({ layer, head });
  return out;
}

/** A per-layer keep mask [layers][heads] for the given heads. */
export function headMask(config: ModelConfig, heads: readonly Head[]): boolean[][] {
  const mask = Array.from({ length: config.numLayers }, () => new Array<boolean>(config.numHeads).fill(false));
  for (const h of heads) mask[h.layer]![h.head] = true;
  return mask;
}

// The stage-2 methods CT-SFT is compared with (CT-SFT method §5), all under one recipe:
//   circuit   the discovered circuit's heads + norms, from the competence checkpoint (CT-SFT, "editing")
//   nearzero  the K heads whose logit relevance is closest to 0 + norms ("preserving")
//   random    K heads drawn with the discovery seed + norms
//   least     the K heads with the lowest (most negative) logit relevance + norms
//   norms     the norms alone
//   full      every parameter, from the competence checkpoint (continued full fine-tuning)
//   direct    every parameter, from the base model (no source competence)
// K is the circuit's size at the chosen depth; controls never contain circuit heads.

import { z } from 'zod';
import type { CircuitFile } from '../circuits/circuit-file';
import { allHeads, headKey, type Head } from '../circuits/heads';
import { comparisonSets } from '../circuits/selection';
import type { ModelConfig } from '../models/config';
import type { KvMode, ScopeSpec } from './trainable-scope';

export const METHODS = ['circuit', 'nearzero', 'random', 'least', 'full', 'direct', 'norms'] as const;
export type TransferMethod = (typeof METHODS)[number];
export const methodSchema = z.enum(METHODS);

export const HEAD_METHODS: readonly TransferMethod[] = ['circuit', 'nearzero', 'random', 'least'];

export const METHOD_LABELS: Record<TransferMethod, string> = {
  circuit: 'Circuit (CT-SFT)',
  nearzero: 'NearZero',
  random: 'Random heads',
  least: 'Least-relevant',
  full: 'Full FT (continued)',
  direct: 'Direct FT',
  norms: 'Norms only',
};

export const isHeadMethod = (m: TransferMethod): boolean => HEAD_METHODS.includes(m);

/** Which checkpoint a method starts from. */
export function methodStart(m: TransferMethod): 'competence' | 'base' {
  return m === 'direct' ? 'base' : 'competence';
}

/** The circuit after expansion iteration `depth` (all of it when expansion stopped earlier). */
export function circuitAtDepth(file: CircuitFile, depth: number): { heads: Head[]; depth: number } {
  const last = Math.min(depth, file.iterations.length - 1);
  return { heads: file.iterations.slice(0, last + 1).flatMap((it) => it.selected), depth: last };
}

/** The heads a head method trains at `depth`; the controls are recomputed for that depth's K. */
export function methodHeads(config: ModelConfig, file: CircuitFile, method: TransferMethod, depth: number): Head[] {
  const circuit = circuitAtDepth(file, depth).heads;
  if (method === 'circuit') return circuit;
  const rank = file.settings.rankBy;
  const scores = new Map(file.iterations[0]!.scores.map((s) => [headKey(s), s[rank]]));
  const controls = comparisonSets(allHeads(config), scores, circuit, file.settings.seed);
  if (method === 'nearzero') return controls.nearZero;
  if (method === 'random') return controls.random;
  if (method === 'least') return controls.leastRelevant;
  throw new Error(`${method} is not a head method`);
}

/** The trainable scope of a method (heads: from the circuit file at `depth`). */
export function methodScope(config: ModelConfig, method: TransferMethod, kv: KvMode, circuit?: { file: CircuitFile; depth: number }): ScopeSpec {
  if (method === 'full' || method === 'direct') return { kind: 'all' };
  if (method === 'norms') return { kind: 'norms' };
  if (!circuit) throw new Error(`method ${method} needs a discovered circuit`);
  return { kind: 'heads', heads: methodHeads(config, circuit.file, method, circuit.depth), kv };
}

// What a method may change, as the engine's per-tensor trainability, and exactly how many parameters
// that is. Head-restricted methods (CT-SFT and its controls) train, for each chosen head h of layer l:
//   q_proj rows h·Dh … (h+1)·Dh (weight and bias)   and   o_proj columns h·Dh … (h+1)·Dh
//   k_proj / v_proj rows of h's key/value group g = h ÷ (heads / kv heads), when kv = 'group'
// plus every norm parameter (the paper's "LayerNorm": RMSNorm weights in Qwen2/Llama). Everything else
// (embeddings, unembedding, MLPs, other heads) stays frozen. In a GQA model a key/value group is
// shared by several query heads, so 'group' also changes what the group's other heads see: it
// matches the paper's parameter budget (Q, K, V and O per head); 'freeze' trains Q and O only.

import type { Head } from '../circuits/heads';
import type { Trainability } from '../engine/params/binding';
import { normalizeRanges, type Range } from '../engine/params/host-slices';
import type { ModelConfig } from '../models/config';

export type KvMode = 'group' | 'freeze';
export const KV_MODES: readonly KvMode[] = ['group', 'freeze'];

export type ScopeSpec =
  /** Every parameter (continued and direct full fine-tuning, competence tuning). */
  | { kind: 'all' }
  /** Every norm parameter and nothing else. */
  | { kind: 'norms' }
  /** The heads' attention slices plus every norm parameter. */
  | { kind: 'heads'; heads: readonly Head[]; kv: KvMode };

export interface TrainableScope {
  spec: ScopeSpec;
  trainability(name: string): Trainability;
  /** Trainable elements (shared key/value rows counted once). */
  trainable: number;
  /** Every parameter element of the model (tied embeddings counted once). */
  total: number;
  fraction: number;
  /** Tensors with anything trainable, and how much. */
  tensors: { name: string; elements: number }[];
}

const NORM = /norm\.(weight|bias)$/i;

interface AttentionNames {
  q: string;
  k: string;
  v: string;
  o: string;
}

/** The per-layer attention projection names (weights; biases add `.bias` where the model has them). */
function attentionNames(config: ModelConfig, layer: number): AttentionNames {
  if (config.kind === 'decoder') {
    const p = `model.layers.${layer}.self_attn`;
    return { q: `${p}.q_proj`, k: `${p}.k_proj`, v: `${p}.v_proj`, o: `${p}.o_proj` };
  }
  const p = `encoder.layer.${layer}.attention`;
  return { q: `${p}.self.query`, k: `${p}.self.key`, v: `${p}.self.value`, o: `${p}.output.dense` };
}

/** Row ranges (axis 0) or column ranges (axis 1) per tensor name for the chosen heads. */
function headSlices(config: ModelConfig, heads: readonly Head[], kv: KvMode): Map<string, { axis: number; ranges: Range[] }> {
  const { numHeads, numKvHeads, headDim: dh, numLayers } = config;
  const out = new Map<string, { axis: number; ranges: Range[] }>();
  const add = (name: string, axis: number, r: Range) => {
    const entry = out.get(name) ?? { axis, ranges: [] };
    entry.ranges.push(r);
    out.set(name, entry);
  };
  for (const { layer, head } of heads) {
    if (layer < 0 || layer >= numLayers || head < 0 || head >= numHeads) {
      throw new Error(`head ${layer}.${head} is outside the model (${numLayers} layers × ${numHeads} heads)`);
    }
    const n = attentionNames(config, layer);
    const q = { start: head * dh, end: (head + 1) * dh };
    for (const suffix of ['weight', 'bias']) add(`${n.q}.${suffix}`, 0, q);
    add(`${n.o}.weight`, 1, q);
    if (kv === 'group') {
      const group = Math.floor(head / (numHeads / numKvHeads));
      const rows = { start: group * dh, end: (group + 1) * dh };
      for (const p of [n.k, n.v]) for (const suffix of ['weight', 'bias']) add(`${p}.${suffix}`, 0, rows);
    }
  }
  for (const entry of out.values()) entry.ranges = normalizeRanges(entry.ranges);
  return out;
}

function sliceElements(shape: readonly number[], axis: number, ranges: readonly Range[]): number {
  const width = ranges.reduce((s, r) => s + r.end - r.start, 0);
  return shape.reduce((p, d, i) => p * (i === axis ? width : d), 1);
}

export function trainableScope(config: ModelConfig, weights: ReadonlyMap<string, { readonly shape: readonly number[] }>, spec: ScopeSpec): TrainableScope {
  const slices = spec.kind === 'heads' ? headSlices(config, spec.heads, spec.kv) : new Map<string, { axis: number; ranges: Range[] }>();
  const rule = (name: string): Trainability => {
    // Every scope trains the norms; 'all' trains everything.
    if (spec.kind === 'all' || NORM.test(name)) return { kind: 'whole' };
    const slice = slices.get(name);
    return slice && weights.has(name) ? { kind: 'slices', axis: slice.axis, ranges: slice.ranges } : { kind: 'frozen' };
  };
  let total = 0;
  const tensors: { name: string; elements: number }[] = [];
  for (const [name, t] of weights) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    total += size;
    const how = rule(name);
    const elements = how.kind === 'whole' ? size : how.kind === 'slices' ? sliceElements(t.shape, how.axis, how.ranges) : 0;
    if (elements > 0) tensors.push({ name, elements });
  }
  const trainable = tensors.reduce((s, t) => s + t.elements, 0);
  return { spec, trainability: rule, trainable, total, fraction: total === 0 ? 0 : trainable / total, tensors };
}

// Contextual decomposition by β-only propagation over the tape of a clean forward graph.
// The clean forward gives every total; from the source onward each registry op's CD rule turns the
// relevant parts of its inputs into those of its outputs (γ = total − β is never carried). Sources are
// batched along a leading axis of β, so one graph decomposes many sources at once.

import { GraphError, type Value } from '../graph';
import type { CdOptions, TapeEntry } from '../ops/op-def';
import { sameShape } from '../shape';
import { formatShape } from '../tensor';

export const DEFAULT_CD_OPTIONS: CdOptions = { attention: 'fixed', tol: 1e-8, signCleanup: 'mlp' };

export interface CdSource {
  /** The clean tensor the sources sit in (e.g. one layer's per-head attention output z). */
  at: Value;
  /** Its relevant part for each source, [S, ...at.shape]. */
  beta: Value;
}

/**
 * Values of the tape whose β some target depends on (so only their rules need to run); an input a
 * rule does not read under these options (e.g. queries and keys under fixed attention) is skipped.
 */
function neededFor(entries: readonly TapeEntry[], targets: readonly Value[], options: CdOptions): Set<Value> {
  const needed = new Set<Value>(targets);
  for (let k = entries.length - 1; k >= 0; k--) {
    const e = entries[k]!;
    if (!e.outputs.some((o) => needed.has(o))) continue;
    const reads = e.op.cdReads?.(e.attrs, options);
    e.inputs.forEach((input, i) => {
      if (!reads || reads[i]) needed.add(input);
    });
  }
  return needed;
}

/**
 * β at each target for the given source (null where no relevance reaches a target). Rules run only
 * for ops between the source and the last target that a target depends on.
 */
export function propagateRelevance(source: CdSource, targets: readonly Value[], options: CdOptions = DEFAULT_CD_OPTIONS): (Value | null)[] {
  const g = source.at.graph;
  const s = source.beta.shape[0]!;
  if (!sameShape(source.beta.shape, [s, ...source.at.shape])) {
    throw new GraphError(`CD source: β ${formatShape(source.beta.shape)} must be [sources, ...${formatShape(source.at.shape)}]`);
  }
  const producer = g.tape.findIndex((e) => e.outputs.includes(source.at));
  const entries = g.tape.slice(producer + 1);
  const needed = neededFor(entries, targets, options);
  const beta = new Map<Value, Value>([[source.at, source.beta]]);
  const pending = new Set(targets.filter((t) => t !== source.at));

  g.withoutTape(() =>
    g.scope('cd', () => {
      for (const entry of entries) {
        if (pending.size === 0) break;
        if (!entry.outputs.some((o) => needed.has(o))) continue;
        const reads = entry.op.cdReads?.(entry.attrs, options);
        const inputs = entry.inputs.map((v, i) => (reads && !reads[i] ? null : (beta.get(v) ?? null)));
        if (inputs.every((b) => b === null)) continue;
        if (!entry.op.cd) throw new GraphError(`contextual decomposition: op ${entry.op.name} (${entry.scope || 'top'}) has no CD rule`);
        const outs = entry.op.cd(entry, inputs, options);
        entry.outputs.forEach((o, i) => {
          const b = outs[i];
          if (!b) return;
          if (!sameShape(b.shape, [s, ...o.shape])) {
            throw new GraphError(`CD rule of ${entry.op.name} gave β ${formatShape(b.shape)} for ${o.describe()} (engine bug)`);
          }
          beta.set(o, b);
          pending.delete(o);
        });
      }
    }),
  );
  return targets.map((t) => beta.get(t) ?? null);
}

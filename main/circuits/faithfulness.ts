// Faithfulness (CT-SFT §6.4): keep a circuit's heads, mean-ablate every other head, and compare the
// result with the full model on held-out examples (the validation split):
//   accuracy faithfulness = acc(C) / acc(full) · 100
//   margin faithfulness   = (m(C) − m(∅)) / (m(full) − m(∅)) · 100, m = mean logit margin
//                           (gold − mean of the others), ∅ = every head ablated
// so 100% means the circuit alone does what the model does. An example counts as correct when the
// predictor would label it so (argmax, the first of equal logits), so acc(full) is the evaluation's.

import { hostTensor } from '../engine/tensor';
import { stat } from '../transfer/experiment/stats';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import { argmax } from '../models/classification/predictor';
import type { CircuitFile } from './circuit-file';
import type { CircuitSession } from './circuit-session';
import { buildAblationGraph, KEEP_INPUT, MEANS_INPUT } from './ablation-graph';
import { headMask, type Head } from './heads';
import { meanTensor, type MeanBaseline } from './mean-baseline';

export interface CircuitMetrics {
  accuracy: number;
  margin: number;
}

export interface FaithfulnessRow extends CircuitMetrics {
  name: string;
  heads: number;
  accuracyFaithfulness: number;
  marginFaithfulness: number;
}

/** Faithfulness of many random sets of one circuit's size, and where that circuit falls among them (schema: circuit-file.ts). */
export type RandomNull = NonNullable<NonNullable<CircuitFile['faithfulness']>['randomNull']>;
export type Spread = RandomNull['accuracyFaithfulness'];

export interface FaithfulnessReport {
  examples: number;
  full: CircuitMetrics;
  allAblated: CircuitMetrics;
  circuits: FaithfulnessRow[];
  randomNull?: RandomNull;
}

export interface ExampleLogits {
  id: string;
  /** Label logits in the task's label order. */
  logits: number[];
  /** Gold label index, null when unlabelled. */
  label: number | null;
}

/** Every example's label logits with the heads outside `keep` [layer][head] mean-ablated (z ← μ). */
export async function ablatedLogits(session: CircuitSession, mean: MeanBaseline, examples: readonly ClassificationExample[], keep: readonly (readonly boolean[])[]): Promise<ExampleLogits[]> {
  const { numLayers: L, numHeads: H } = session.model.config;
  const extra = {
    [KEEP_INPUT]: hostTensor('bool', [L, H], keep.flat().map((k) => (k ? 1 : 0))),
    [MEANS_INPUT]: meanTensor(mean, session.floatType),
  };
  const classes = session.task.labels.length;
  const out: ExampleLogits[] = [];
  for (const batch of session.batches(examples)) {
    const { logits } = await session.run('ablation', () => buildAblationGraph(session), batch, extra, ['logits']);
    const data = logits!.data as Float32Array | Float64Array;
    batch.rows.forEach((row, b) => out.push({ id: row.id, logits: Array.from(data.subarray(b * classes, (b + 1) * classes), Number), label: row.label }));
  }
  return out;
}

/** Accuracy and mean margin (gold − mean of the other logits) over the labelled rows. */
export function circuitMetrics(rows: readonly ExampleLogits[]): CircuitMetrics {
  let [correct, margins, n] = [0, 0, 0];
  for (const { logits: l, label } of rows) {
    if (label === null) continue;
    const gold = l[label]!;
    margins += gold - (l.reduce((s, x) => s + x, 0) - gold) / (l.length - 1);
    correct += argmax(l) === label ? 1 : 0;
    n++;
  }
  return { accuracy: n ? correct / n : 0, margin: n ? margins / n : 0 };
}

/** Both faithfulness percentages of a circuit's metrics against the full and all-ablated model (0 when undefined). */
export function faithfulness(m: CircuitMetrics, full: CircuitMetrics, allAblated: CircuitMetrics): Pick<FaithfulnessRow, 'accuracyFaithfulness' | 'marginFaithfulness'> {
  const span = full.margin - allAblated.margin;
  return {
    accuracyFaithfulness: full.accuracy > 0 ? (100 * m.accuracy) / full.accuracy : 0,
    marginFaithfulness: span !== 0 ? (100 * (m.margin - allAblated.margin)) / span : 0,
  };
}

/** Mean, sample standard deviation (0 for one value), min and max of a non-empty list. */
export function spread(xs: readonly number[]): Spread {
  const { mean, std } = stat(xs)!;
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs) };
}

/** The null summary of `draws` (faithfulness rows of random sets) against the row `circuit`. */
export function randomNull(circuit: FaithfulnessRow, draws: readonly Pick<FaithfulnessRow, 'accuracyFaithfulness' | 'marginFaithfulness'>[]): RandomNull {
  const p = (key: 'accuracyFaithfulness' | 'marginFaithfulness') => (1 + draws.filter((d) => d[key] >= circuit[key]).length) / (1 + draws.length);
  return {
    circuit: circuit.name,
    heads: circuit.heads,
    draws: draws.length,
    accuracyFaithfulness: spread(draws.map((d) => d.accuracyFaithfulness)),
    marginFaithfulness: spread(draws.map((d) => d.marginFaithfulness)),
    pAccuracy: p('accuracyFaithfulness'),
    pMargin: p('marginFaithfulness'),
  };
}

/**
 * Faithfulness of each named set; with `random`, also the null distribution of those random sets
 * against the last named set (the deepest circuit when the caller lists depths first).
 */
export async function evaluateFaithfulness(
  session: CircuitSession,
  mean: MeanBaseline,
  examples: readonly ClassificationExample[],
  circuits: readonly { name: string; heads: readonly Head[] }[],
  random?: { against: string; draws: readonly (readonly Head[])[] },
): Promise<FaithfulnessReport> {
  const config = session.model.config;
  // One validation pass per distinct head set: the first random draw is the random control, and a
  // small model's draws can repeat.
  const measured = new Map<string, CircuitMetrics>();
  const measure = async (keep: boolean[][]) => {
    const key = keep.map((row) => row.map(Number).join('')).join('|');
    if (!measured.has(key)) measured.set(key, circuitMetrics(await ablatedLogits(session, mean, examples, keep)));
    return measured.get(key)!;
  };
  const full = await measure(headMask(config, []).map((row) => row.map(() => true)));
  const allAblated = await measure(headMask(config, []));
  const rows: FaithfulnessRow[] = [];
  for (const c of circuits) {
    const m = await measure(headMask(config, c.heads));
    rows.push({ name: c.name, heads: c.heads.length, ...m, ...faithfulness(m, full, allAblated) });
  }
  const report: FaithfulnessReport = { examples: examples.length, full, allAblated, circuits: rows };
  const against = random && rows.find((r) => r.name === random.against);
  if (random && against && random.draws.length > 0) {
    const draws = [];
    for (const heads of random.draws) draws.push(faithfulness(await measure(headMask(config, heads)), full, allAblated));
    report.randomNull = randomNull(against, draws);
  }
  return report;
}

// Faithfulness (CT-SFT §6.4): keep a circuit's heads, mean-ablate every other head, and compare the
// result with the full model on held-out examples (the validation split):
//   accuracy faithfulness = acc(C) / acc(full) · 100
//   margin faithfulness   = (m(C) − m(∅)) / (m(full) − m(∅)) · 100, m = mean logit margin
//                           (gold − mean of the others), ∅ = every head ablated
// so 100% means the circuit alone does what the model does.

import { hostTensor } from '../engine/tensor';
import type { ClassificationExample } from '../models/classification/batch-encoder';
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

export interface FaithfulnessReport {
  examples: number;
  full: CircuitMetrics;
  allAblated: CircuitMetrics;
  circuits: FaithfulnessRow[];
}

async function metrics(session: CircuitSession, mean: MeanBaseline, examples: readonly ClassificationExample[], keep: boolean[][]): Promise<CircuitMetrics> {
  const { numLayers: L, numHeads: H } = session.model.config;
  const extra = {
    [KEEP_INPUT]: hostTensor('bool', [L, H], keep.flat().map((k) => (k ? 1 : 0))),
    [MEANS_INPUT]: meanTensor(mean, session.floatType),
  };
  const classes = session.task.labels.length;
  let correct = 0;
  let margins = 0;
  let n = 0;
  for (const batch of session.batches(examples)) {
    const { logits } = await session.run('ablation', () => buildAblationGraph(session), batch, extra, ['logits']);
    batch.rows.forEach((row, b) => {
      if (row.label === null) return;
      const l = Array.from((logits!.data as Float32Array).subarray(b * classes, (b + 1) * classes), Number);
      const gold = l[row.label]!;
      const others = (l.reduce((s, x) => s + x, 0) - gold) / (classes - 1);
      margins += gold - others;
      correct += l.every((x, i) => i === row.label || x < gold) ? 1 : 0;
      n++;
    });
  }
  return { accuracy: n ? correct / n : 0, margin: n ? margins / n : 0 };
}

export async function evaluateFaithfulness(
  session: CircuitSession,
  mean: MeanBaseline,
  examples: readonly ClassificationExample[],
  circuits: readonly { name: string; heads: readonly Head[] }[],
): Promise<FaithfulnessReport> {
  const config = session.model.config;
  const everyHead = headMask(config, []).map((row) => row.map(() => true));
  const full = await metrics(session, mean, examples, everyHead);
  const allAblated = await metrics(session, mean, examples, headMask(config, []));
  const rows: FaithfulnessRow[] = [];
  for (const c of circuits) {
    const m = await metrics(session, mean, examples, headMask(config, c.heads));
    const span = full.margin - allAblated.margin;
    rows.push({
      name: c.name,
      heads: c.heads.length,
      ...m,
      accuracyFaithfulness: full.accuracy > 0 ? (100 * m.accuracy) / full.accuracy : 0,
      marginFaithfulness: span !== 0 ? (100 * (m.margin - allAblated.margin)) / span : 0,
    });
  }
  return { examples: examples.length, full, allAblated, circuits: rows };
}

// A small review fixture shared by the store, API and UI tests: a dataset with six Javanese test
// examples and two Sundanese ones, a run whose evaluation predicted them, three annotators' answers,
// and the agreement numbers worked out by hand (below) — not by the code under test.

import type { NewExample, Workspace } from '../../main/store/index';

export const LABELS = ['negative', 'neutral', 'positive'] as const;
type Label = (typeof LABELS)[number];
const [NEG, NEU, POS] = LABELS;

/** The six Javanese items in queue order: gold label, model label and its logit (others 0). */
export const ITEMS: readonly { text: string; gold: Label; predicted: Label; logit: number }[] = [
  { text: 'Panganane enak banget', gold: POS, predicted: POS, logit: 3 },
  { text: 'Lumayan, nanging regane larang', gold: POS, predicted: POS, logit: 0.5 },
  { text: 'Layanane elek tenan', gold: NEG, predicted: NEG, logit: 2 },
  { text: 'Tokone bukak jam wolu', gold: NEU, predicted: NEU, logit: 1 },
  { text: "Ora nyesel tuku ing kene'; DROP TABLE examples; --", gold: NEG, predicted: NEG, logit: 4 },
  { text: 'Biasa wae', gold: NEG, predicted: NEU, logit: 0 },
];

/** Each annotator's label per item, in ITEMS order. */
export const ANSWERS: Readonly<Record<'A' | 'B' | 'C', readonly Label[]>> = {
  A: [POS, POS, NEG, NEU, POS, NEG],
  B: [POS, NEU, NEG, NEU, POS, NEU],
  C: [POS, NEU, NEG, NEU, POS, NEU],
};

/**
 * By hand. A and B: pairs agree on items 1, 3, 4, 5 → pₒ = 4/6; A's marginals pos 3, neg 2, neu 1,
 * B's pos 2, neu 3, neg 1 → pₑ = (3·2 + 2·1 + 1·3)/36 = 11/36; κ = (24 − 11)/(36 − 11) = 13/25.
 * α: coincidences n_pos 5, n_neg 3, n_neu 4 (n = 12), 4 disagreeing pair values; Σ_{c≠k} n_c n_k =
 * 144 − 50 = 94; α = 1 − 11·4/94 = 50/94. Specific agreement 2a/(2a + b + c): pos 2 agreeing, 1
 * disagreeing → 4/5; neg 1, 1 → 2/3; neu 1, 2 → 2/4.
 * Model vs answers (rows model, columns annotators; negative, neutral, positive):
 * neg [2, 0, 2], neu [1, 3, 0], pos [0, 1, 3]; 8 of 12 answers equal the model's label.
 * A, B and C: Fleiss' counts per item (neg, neu, pos) [0,0,3] [0,2,1] [3,0,0] [0,3,0] [0,0,3] [1,2,0]:
 * P̄ = 28/36, p = (4, 7, 7)/18, Pₑ = 114/324, κ = 138/210. α: n = (neg 4, neu 7, pos 7), 4
 * disagreeing values, Σ_{c≠k} n_c n_k = 324 − 114 = 210, α = 1 − 17·4/210 = 142/210.
 */
export const EXPECTED_TWO = {
  cohensKappa: 13 / 25,
  krippendorffAlpha: 50 / 94,
  observedAgreement: 4 / 6,
  perLabel: { negative: 2 / 3, neutral: 2 / 4, positive: 4 / 5 },
  modelAgreement: 8 / 12,
  confusion: [
    [2, 0, 2],
    [1, 3, 0],
    [0, 1, 3],
  ],
};
export const EXPECTED_THREE = { fleissKappa: 138 / 210, krippendorffAlpha: 142 / 210 };

export interface SeededReview {
  datasetId: number;
  runId: number;
  /** Example ids of ITEMS, in order. */
  exampleIds: number[];
}

/** Writes the dataset, the run and its evaluations (Javanese test and Sundanese test). */
export function seedPredictions(ws: Workspace, name = 'senti'): SeededReview {
  const example = (i: number, language: string, text: string, label: string): NewExample => ({
    sourceId: `${language}-${i}`,
    language,
    split: 'test',
    text,
    premise: null,
    hypothesis: null,
    label,
    sourceFile: 'senti.csv',
    sourceLine: i + 2,
  });
  const rows = [...ITEMS.map((it, i) => example(i, 'jav', it.text, it.gold)), example(6, 'sun', 'Alus pisan', POS), example(7, 'sun', 'Awon', NEG)];
  const dataset = ws.datasets.createWithExamples(
    { name, task: 'classification', labels: [...LABELS], format: 'csv', sourcePath: '/data/senti.csv', sourceHash: 'a'.repeat(64), sourceFiles: [], licence: 'CC BY-SA 4.0' },
    rows,
  );
  const run = ws.runs.create({ kind: 'ct-sft', name: 'ct-sft jav', datasetId: dataset.id, config: {}, seed: 1 });
  const examples = ws.examples.list(dataset.id);
  const jav = examples.filter((e) => e.language === 'jav');
  const scores = (predicted: string, logit: number) => Object.fromEntries(LABELS.map((l) => [l, l === predicted ? logit : 0]));
  ws.evaluations.create({
    runId: run.id,
    datasetId: dataset.id,
    language: 'jav',
    split: 'test',
    predictions: jav.map((e, i) => ({ exampleId: e.id, predicted: ITEMS[i]!.predicted, correct: ITEMS[i]!.predicted === e.label, scores: scores(ITEMS[i]!.predicted, ITEMS[i]!.logit) })),
  });
  ws.evaluations.create({
    runId: run.id,
    datasetId: dataset.id,
    language: 'sun',
    split: 'test',
    predictions: examples.filter((e) => e.language === 'sun').map((e) => ({ exampleId: e.id, predicted: POS, correct: e.label === POS, scores: scores(POS, 1) })),
  });
  return { datasetId: dataset.id, runId: run.id, exampleIds: jav.map((e) => e.id) };
}

export const close = (actual: number | null | undefined, expected: number, tol = 1e-9): boolean =>
  typeof actual === 'number' && Math.abs(actual - expected) <= tol;

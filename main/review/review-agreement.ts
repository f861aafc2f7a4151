// Agreement of a review round: how far the annotators who submitted agree with each other, per label
// and overall, and how their labels compare with the model's. Items an annotator only flagged or
// noted count as missing for them (no label). Cohen's κ is reported for two annotators, Fleiss' κ for
// three or more (over the items every one of them labelled), Krippendorff's α whenever two or more
// annotators labelled at least one common item (it allows missing answers).

import { cohensKappa, confusionMatrix, fleissKappa, krippendorffAlpha, perLabelAgreement, type Rating } from './agreement';

export interface AgreementInput {
  labels: readonly string[];
  /** The queue: each item's example and the model's label. */
  items: readonly { exampleId: number; predicted: string }[];
  /** The annotators whose answers count (those who submitted), in a fixed order. */
  annotators: readonly number[];
  answers: readonly { annotatorId: number; exampleId: number; label: string | null }[];
}

export interface ReviewAgreement {
  annotators: number;
  items: number;
  /** Items with labels from at least two annotators. */
  pairableItems: number;
  /** Items every annotator labelled. */
  completeItems: number;
  /** Share of agreeing annotator pairs over all pairable pairs. */
  observedAgreement: number | null;
  cohensKappa: number | null;
  fleissKappa: number | null;
  krippendorffAlpha: number | null;
  /** Specific agreement per label: agreeing pairs among the pairs where either chose it. */
  perLabel: { label: string; agreement: number | null; answers: number }[];
  /** Share of annotator labels equal to the model's label. */
  modelAgreement: number | null;
  /** matrix[i][j]: annotator answers choosing labels[j] on items the model labelled labels[i]. */
  confusion: { labels: string[]; matrix: number[][] };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function reviewAgreement(input: AgreementInput): ReviewAgreement {
  const { labels, items, annotators } = input;
  const byKey = new Map(input.answers.map((a) => [`${a.annotatorId}:${a.exampleId}`, a.label]));
  // ratings[i][k]: annotator k's label on item i (null: unanswered, or flagged/noted without a label)
  const ratings: Rating[][] = items.map((item) => annotators.map((a) => byKey.get(`${a}:${item.exampleId}`) ?? null));
  const labelled = (unit: readonly Rating[]) => unit.filter((r): r is string => r !== null);

  const pairable = ratings.filter((unit) => labelled(unit).length >= 2);
  const complete = ratings.filter((unit) => labelled(unit).length === annotators.length);
  let pairs = 0;
  let agreeing = 0;
  for (const unit of pairable) {
    const values = labelled(unit);
    for (let i = 0; i < values.length; i++) {
      for (let j = i + 1; j < values.length; j++) {
        pairs++;
        if (values[i] === values[j]) agreeing++;
      }
    }
  }

  let cohen: number | null = null;
  let fleiss: number | null = null;
  if (annotators.length === 2) cohen = finite(cohensKappa(ratings.map((u) => u[0]!), ratings.map((u) => u[1]!)));
  if (annotators.length >= 3 && complete.length > 0) {
    fleiss = finite(fleissKappa(complete.map((unit) => labels.map((l) => unit.filter((r) => r === l).length))));
  }
  const alpha = annotators.length >= 2 && pairable.length > 0 ? finite(krippendorffAlpha(ratings)) : null;

  const perLabel = perLabelAgreement(ratings, labels);
  const modelColumn: Rating[] = [];
  const answerColumn: Rating[] = [];
  items.forEach((item, i) => {
    for (const r of labelled(ratings[i]!)) {
      modelColumn.push(item.predicted);
      answerColumn.push(r);
    }
  });
  const matches = modelColumn.filter((m, i) => m === answerColumn[i]).length;

  return {
    annotators: annotators.length,
    items: items.length,
    pairableItems: pairable.length,
    completeItems: complete.length,
    observedAgreement: pairs === 0 ? null : agreeing / pairs,
    cohensKappa: cohen,
    fleissKappa: fleiss,
    krippendorffAlpha: alpha,
    perLabel: labels.map((label) => ({
      label,
      agreement: finite(perLabel[label]!),
      answers: answerColumn.filter((r) => r === label).length,
    })),
    modelAgreement: answerColumn.length === 0 ? null : matches / answerColumn.length,
    confusion: { labels: [...labels], matrix: confusionMatrix(modelColumn, answerColumn, labels) },
  };
}

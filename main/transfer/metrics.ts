// Classification scores: accuracy and macro-F1 (the unweighted mean of per-label F1 over the labels
// that occur in the gold labels or the predictions, as scikit-learn's default does).

export interface LabelScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function accuracy(gold: readonly string[], predicted: readonly string[]): number {
  if (gold.length !== predicted.length) throw new Error(`${gold.length} gold labels but ${predicted.length} predictions`);
  if (gold.length === 0) return 0;
  let correct = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === predicted[i]) correct++;
  return correct / gold.length;
}

export function perLabelScores(gold: readonly string[], predicted: readonly string[]): LabelScores[] {
  const labels = [...new Set([...gold, ...predicted])].sort();
  return labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      const g = gold[i] === label;
      const p = predicted[i] === label;
      if (g && p) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: tp + fn };
  });
}

export function macroF1(gold: readonly string[], predicted: readonly string[]): number {
  const scores = perLabelScores(gold, predicted);
  return scores.length === 0 ? 0 : scores.reduce((s, x) => s + x.f1, 0) / scores.length;
}

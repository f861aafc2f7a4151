// Inter-annotator agreement on nominal labels: Cohen's κ (two annotators), Fleiss' κ (a fixed number
// of annotators per item) and Krippendorff's α (any number, missing answers allowed), plus per-label
// agreement and the confusion matrix of two label sequences (e.g. model vs annotators' majority).
// Definitions follow Cohen (1960), Fleiss (1971) and Krippendorff (2011), as Argilla's metrics do.

export type Rating = string | null;

/** Cohen's κ = (pₒ − pₑ)/(1 − pₑ) over the items both annotators labelled. */
export function cohensKappa(a: readonly Rating[], b: readonly Rating[]): number {
  if (a.length !== b.length) throw new Error('Cohen’s κ needs two ratings of the same items');
  const pairs = a.map((x, i) => [x, b[i]] as const).filter((p): p is readonly [string, string] => p[0] !== null && p[1] !== null);
  if (pairs.length === 0) return Number.NaN;
  const n = pairs.length;
  const observed = pairs.filter(([x, y]) => x === y).length / n;
  const labels = new Set(pairs.flat());
  let expected = 0;
  for (const l of labels) expected += (pairs.filter(([x]) => x === l).length / n) * (pairs.filter(([, y]) => y === l).length / n);
  return expected === 1 ? 1 : (observed - expected) / (1 - expected);
}

/**
 * Fleiss' κ from counts[item][category] = how many annotators chose the category; every item must
 * have the same number of annotators.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number {
  const n = counts[0]?.reduce((s, x) => s + x, 0) ?? 0;
  if (n < 2) throw new Error('Fleiss’ κ needs at least two annotators per item');
  if (counts.some((row) => row.reduce((s, x) => s + x, 0) !== n)) throw new Error('Fleiss’ κ needs the same number of annotators on every item');
  const items = counts.length;
  const perItem = counts.map((row) => (row.reduce((s, x) => s + x * x, 0) - n) / (n * (n - 1)));
  const pBar = perItem.reduce((s, x) => s + x, 0) / items;
  const categories = counts[0]!.length;
  let pe = 0;
  for (let j = 0; j < categories; j++) pe += (counts.reduce((s, row) => s + row[j]!, 0) / (items * n)) ** 2;
  return pe === 1 ? 1 : (pBar - pe) / (1 - pe);
}

/**
 * Krippendorff's α for nominal data: α = 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, from the coincidence
 * matrix o of pairable values (units with at least two answers). `units[u]` lists the answers of unit u.
 */
export function krippendorffAlpha(units: readonly (readonly Rating[])[]): number {
  const coincidence = new Map<string, Map<string, number>>();
  const add = (c: string, k: string, w: number) => {
    const row = coincidence.get(c) ?? new Map<string, number>();
    row.set(k, (row.get(k) ?? 0) + w);
    coincidence.set(c, row);
  };
  for (const unit of units) {
    const values = unit.filter((v): v is string => v !== null);
    const m = values.length;
    if (m < 2) continue;
    values.forEach((c, i) => values.forEach((k, j) => i !== j && add(c, k, 1 / (m - 1))));
  }
  const totals = new Map([...coincidence].map(([c, row]) => [c, [...row.values()].reduce((s, x) => s + x, 0)]));
  const n = [...totals.values()].reduce((s, x) => s + x, 0);
  let disagreeing = 0;
  let chance = 0;
  for (const [c, row] of coincidence) for (const [k, o] of row) if (c !== k) disagreeing += o;
  for (const [c, nc] of totals) for (const [k, nk] of totals) if (c !== k) chance += nc * nk;
  if (n === 0) return Number.NaN;
  return chance === 0 ? 1 : 1 - ((n - 1) * disagreeing) / chance;
}

/**
 * Specific agreement per label (Fleiss 1975; Cicchetti & Feinstein 1990; Uebersax's many-rater form):
 * Σ_u n_u,l(n_u,l − 1) / Σ_u n_u,l(n_u − 1), i.e. 2a/(2a + b + c) for two annotators. Counted over
 * unordered pairs: a pair that both chose the label gives 2 to both sums (each rater's chance to be
 * matched), a pair where only one chose it gives 1 to the denominator.
 */
export function perLabelAgreement(units: readonly (readonly Rating[])[], labels: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const label of labels) {
    let agreeing = 0;
    let possible = 0;
    for (const unit of units) {
      const values = unit.filter((v): v is string => v !== null);
      for (let i = 0; i < values.length; i++) {
        for (let j = i + 1; j < values.length; j++) {
          const chosen = Number(values[i] === label) + Number(values[j] === label);
          possible += chosen;
          if (chosen === 2) agreeing += 2;
        }
      }
    }
    out[label] = possible === 0 ? Number.NaN : agreeing / possible;
  }
  return out;
}

/** confusion[i][j] = items where `rows` says labels[i] and `columns` says labels[j] (both present). */
export function confusionMatrix(rows: readonly Rating[], columns: readonly Rating[], labels: readonly string[]): number[][] {
  const m = labels.map(() => labels.map(() => 0));
  rows.forEach((r, i) => {
    const c = columns[i];
    if (r === null || c === null || c === undefined) return;
    const [a, b] = [labels.indexOf(r), labels.indexOf(c)];
    if (a >= 0 && b >= 0) m[a]![b]!++;
  });
  return m;
}

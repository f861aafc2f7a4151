// Per-layer distribution of one iteration's head scores (five-number summary, mean, heads kept):
// whether relevance concentrates in some layers, and whether the selected heads stand out from
// their layer or the whole layer scores high. Written into circuit.json and drawn beside the heat map.

export interface LayerProfile {
  iteration: number;
  layer: number;
  heads: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean: number;
  selected: number;
}

/** Linear-interpolation quantile of ascending values (the default of NumPy and R type 7). */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const [lo, hi] = [Math.floor(at), Math.ceil(at)];
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function layerProfile(iteration: number, scores: readonly { layer: number; score: number; selected: boolean }[]): LayerProfile[] {
  const byLayer = new Map<number, { score: number; selected: boolean }[]>();
  for (const s of scores) (byLayer.get(s.layer) ?? byLayer.set(s.layer, []).get(s.layer)!).push(s);
  return [...byLayer.entries()]
    .sort(([a], [b]) => a - b)
    .map(([layer, xs]) => {
      const v = xs.map((x) => x.score).sort((a, b) => a - b);
      return {
        iteration,
        layer,
        heads: v.length,
        min: v[0]!,
        q1: quantile(v, 0.25),
        median: quantile(v, 0.5),
        q3: quantile(v, 0.75),
        max: v[v.length - 1]!,
        mean: v.reduce((s, x) => s + x, 0) / v.length,
        selected: xs.filter((x) => x.selected).length,
      };
    });
}

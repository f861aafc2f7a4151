// How a circuit depth is named wherever results are shown (tables, charts, run names, cards): by the
// depth expansion reached, never only by the depth asked for. Expansion stops early when no head
// can feed the targets (every target in layer 0), so "d1" asked may be a depth-0 circuit.

/**
 * `d1` when every run reached the asked depth; `d0 (asked d1)` when they stopped earlier; `d0–1
 * (asked d2)` when seeds differ; `d≤1` while nothing is measured yet.
 */
export function depthTag(asked: number, reached: readonly number[]): string {
  if (reached.length === 0) return asked === 0 ? 'd0' : `d≤${asked}`;
  const [lo, hi] = [Math.min(...reached), Math.max(...reached)];
  const tag = lo === hi ? `d${lo}` : `d${lo}–${hi}`;
  return lo === asked && hi === asked ? tag : `${tag} (asked d${asked})`;
}

// The honest choice between editing (Circuit) and preserving (NearZero). The paper reports the better
// of the two by test accuracy, which no user can know in advance; Lontar picks, per seed, the one
// with the higher accuracy on the target's validation split (ties go to Circuit, the method itself)
// and reports the chosen one's test accuracy beside both, and beside the post-hoc best-by-test.

import type { TransferResult } from './results';

export interface Choice {
  seed: number;
  chosen: 'circuit' | 'nearzero';
  circuit: TransferResult;
  nearzero: TransferResult;
}

/** Per seed, within one (target, n, depth) group; seeds missing either run are left out. */
export function chooseOnValidation(group: readonly TransferResult[]): Choice[] {
  const out: Choice[] = [];
  const seeds = [...new Set(group.map((r) => r.seed))].sort((a, b) => a - b);
  for (const seed of seeds) {
    const circuit = group.find((r) => r.seed === seed && r.method === 'circuit');
    const nearzero = group.find((r) => r.seed === seed && r.method === 'nearzero');
    if (!circuit?.targetValid || !nearzero?.targetValid) continue;
    const chosen = nearzero.targetValid.accuracy > circuit.targetValid.accuracy ? 'nearzero' : 'circuit';
    out.push({ seed, chosen, circuit, nearzero });
  }
  return out;
}

export const chosenRun = (c: Choice): TransferResult => (c.chosen === 'circuit' ? c.circuit : c.nearzero);

/** The paper's post-hoc pick: whichever is better on test. */
export function bestOnTest(c: Choice): TransferResult {
  return (c.nearzero.targetTest?.accuracy ?? -1) > (c.circuit.targetTest?.accuracy ?? -1) ? c.nearzero : c.circuit;
}

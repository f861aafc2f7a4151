// The paper's data protocol, enforced (CT-SFT method §1.3): Pool A (discovery) of the source
// language feeds competence tuning, the mean baseline M and the discovery set D; Pool B (held-out
// tuning) of the target language feeds stage-2 tuning only; validation is for diagnostics and the
// choice between Circuit and NearZero; test is for reporting only. Pools hold training rows only
// (the store refuses anything else); these checks re-verify every set a stage is about to use, so a
// caller's mistake stops the run instead of leaking test or held-out rows into training or discovery.

import type { ExampleRecord } from '../store/index';

export class DataLeakError extends Error {
  override name = 'DataLeakError';
}

/** Every row is a training row (pools never hold validation or test rows). */
export function assertTrainingRows(what: string, rows: readonly ExampleRecord[]): void {
  const bad = rows.find((r) => r.split !== 'train');
  if (bad) throw new DataLeakError(`${what}: example ${bad.id} (${bad.language} ${bad.split} "${bad.sourceId}") is not a training example`);
}

/** Every row (or id) belongs to `pool`. */
export function assertWithin(what: string, ids: readonly (number | string)[], pool: readonly ExampleRecord[], poolName: string): void {
  const members = new Set(pool.map((r) => String(r.id)));
  const outside = ids.find((id) => !members.has(String(id)));
  if (outside !== undefined) throw new DataLeakError(`${what}: example ${outside} is not in ${poolName}`);
}

/** True when two languages of one dataset hold the same training sentence ids (a parallel corpus). */
export function isParallel(a: readonly ExampleRecord[], b: readonly ExampleRecord[]): boolean {
  if (a.length !== b.length) return false;
  const ids = new Set(a.map((r) => r.sourceId));
  return b.every((r) => ids.has(r.sourceId));
}

/**
 * Stage-2 rows must not be, or be translations of, anything stage 1 or discovery saw. Within one
 * language Pool A and Pool B are disjoint by construction; in a parallel corpus (NusaX) sentence i of
 * the target translates sentence i of the source, so the target's tuning rows must not share a
 * sentence id with the source's discovery pool (the same pool seed gives the same partition by id).
 */
export function assertHeldOut(tuning: readonly ExampleRecord[], sourceDiscoveryPool: readonly ExampleRecord[], parallel: boolean): void {
  const poolIds = new Set(sourceDiscoveryPool.map((r) => r.id));
  const same = tuning.find((r) => poolIds.has(r.id));
  if (same) throw new DataLeakError(`tuning example ${same.id} is also in the discovery pool`);
  if (!parallel) return;
  const sentences = new Set(sourceDiscoveryPool.map((r) => r.sourceId));
  const translated = tuning.find((r) => sentences.has(r.sourceId));
  if (translated) {
    throw new DataLeakError(
      `tuning example ${translated.id} ("${translated.sourceId}", ${translated.language}) translates a sentence of the source's discovery pool; ` +
        'use the same pool seed for source and target so the partition by sentence id agrees',
    );
  }
}

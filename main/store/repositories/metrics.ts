// Metrics: named scalar series per run and step (loss, accuracy, learning rate, ...). Recorded in
// batches, one transaction per batch, at WAL's normal sync level: a power cut may drop the last
// batch, which the run's checkpoint interval already tolerates.

import type { Database } from 'better-sqlite3';

export interface MetricPoint {
  step: number;
  name: string;
  value: number;
}

export interface SeriesPoint {
  step: number;
  value: number;
}

export class MetricRepository {
  constructor(private readonly db: Database) {}

  /** Records the values of one step, e.g. record(run, 120, { loss: 0.41, lr: 5e-5 }). */
  record(runId: number, step: number, values: Record<string, number>): void {
    this.recordMany(runId, Object.entries(values).map(([name, value]) => ({ step, name, value })));
  }

  /** Inserts or replaces points (a resumed run re-recording a step overwrites it). */
  recordMany(runId: number, points: readonly MetricPoint[]): void {
    const insert = this.db.prepare(
      'INSERT INTO metrics (run_id, name, step, value) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, name, step) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const p of points) {
        if (!Number.isFinite(p.value)) throw new Error(`metric ${p.name} at step ${p.step} is not finite: ${p.value}`);
        insert.run(runId, p.name, p.step, p.value);
      }
    })();
  }

  series(runId: number, name: string): SeriesPoint[] {
    return this.db.prepare('SELECT step, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step').all(runId, name) as SeriesPoint[];
  }

  names(runId: number): string[] {
    return (this.db.prepare('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name').all(runId) as { name: string }[]).map(
      (r) => r.name,
    );
  }

  lastStep(runId: number): number | undefined {
    const row = this.db.prepare('SELECT max(step) AS step FROM metrics WHERE run_id = ?').get(runId) as { step: number | null };
    return row.step ?? undefined;
  }
}

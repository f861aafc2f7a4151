// Fixtures for the API and UI tests: a reduced copy of the bundled NusaX-Senti folder (a few
// languages, the first rows of each split) so imports and discovery take seconds, a tiny model
// folder, and a started service on a temporary workspace.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { LontarService, type ServiceOptions } from '../../main/api/index';
import { JobRegistry } from '../../main/jobs/index';
import { tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';
import { REPO, tempDir } from '../store/helpers';

export const BUNDLED_NUSAX = join(REPO, 'resources', 'data', 'nusax-senti');

const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** NusaX layout with `rows` rows per split (same ids in every language), written under `dir`. */
export function reducedNusax(dir: string, languages: readonly string[], rows: { train: number; valid: number; test: number }): string {
  const root = join(dir, 'nusax-small');
  for (const language of languages) {
    mkdirSync(join(root, language), { recursive: true });
    for (const split of ['train', 'valid', 'test'] as const) {
      const records = parse(readFileSync(join(BUNDLED_NUSAX, language, `${split}.csv`), 'utf8'), { columns: true }) as Record<string, string>[];
      const kept = records.slice(0, rows[split]);
      const lines = ['id,text,label', ...kept.map((r) => [r['id']!, r['text']!, r['label']!].map(quote).join(','))];
      writeFileSync(join(root, language, `${split}.csv`), `${lines.join('\n')}\n`);
    }
  }
  return root;
}

/** A tiny qwen2 model folder (2 layers × 4 heads, 64 positions). */
export function tinyQwenFolder(dir: string, seed = 11): string {
  return writeTinyModel(join(dir, 'tiny-qwen2'), tinyModel('qwen2', seed), 'F32');
}

type TestContext = { after: (fn: () => void | Promise<void>) => void };

/** A service on a fresh workspace (one engine thread per job), closed when the test ends. */
export async function startService(t: TestContext, options: Partial<ServiceOptions> = {}) {
  const dir = tempDir(t, 'lontar-api-');
  const service = await LontarService.start({ host: 'browser', workspaceDir: join(dir, 'workspace'), threads: 1, registry: await JobRegistry.load(), ...options });
  t.after(() => service.close());
  return { dir, service };
}

/** Calls the service and returns the value, failing the test with the error otherwise. */
export async function ok<T = any>(service: LontarService, method: string, payload: unknown = {}): Promise<T> {
  const result = await service.call(method, payload);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** Calls the service expecting a refusal; returns the error body. */
export async function refusedCall(service: LontarService, method: string, payload: unknown = {}) {
  const result = await service.call(method, payload);
  if (result.ok) throw new Error(`${method} should have been refused, got ${JSON.stringify(result.value).slice(0, 200)}`);
  return result.error;
}

/** Resolves with the job record the job-finished event carries. */
export function jobEnd(service: LontarService, jobId: number): Promise<{ status: string; error: string | null; detail: { summary?: Record<string, unknown> } }> {
  return new Promise((resolve) => {
    const off = service.onEvent((e) => {
      if (e.type === 'job-finished' && e.job.id === jobId) {
        off();
        resolve(e.job);
      }
    });
  });
}

/** Imports a reduced NusaX copy through the API (validate, then import with the confirmed report). */
export async function importSmallNusax(service: LontarService, dir: string, languages = ['javanese', 'indonesian']): Promise<number> {
  const path = reducedNusax(dir, languages, { train: 60, valid: 20, test: 10 });
  const { report } = await ok(service, 'datasets.validate', { path });
  const { jobId } = await ok(service, 'datasets.import', { path, acceptWarnings: true, expected: { examples: report.examples, warnings: report.warnings } });
  const end = await jobEnd(service, jobId);
  if (end.status !== 'done') throw new Error(`import ended ${end.status}: ${end.error}`);
  return end.detail.summary!['datasetId'] as number;
}

// Shared by the job tests: a workspace with a runner that closes when the test ends, the tiny
// training configuration they all use, and readers for a run's output weights.

import { SafetensorsFile } from '../../main/models/checkpoint/safetensors-file';
import { JobRegistry, JobRunner, type JobRunnerOptions } from '../../main/jobs/index';
import type { HostTensor } from '../../main/engine/tensor';
import { Workspace } from '../../main/store/index';
import { tempDir } from '../store/helpers';

export { REPO, tempDir } from '../store/helpers';

/** The test job kinds (train-tiny plus kinds that fail, block or write the workspace). */
export const TEST_KINDS = new URL('./fixtures/test-kinds.ts', import.meta.url).href;

/** Small enough for ~2 ms steps on one thread, big enough to have several checkpoints. */
export const TINY = { steps: 40, batch: 4, seq: 8, hidden: 8, ffn: 16, evalEvery: 10, evalBatch: 16 };

type TestContext = { after: (fn: () => void | Promise<void>) => void };

export async function testRegistry(): Promise<JobRegistry> {
  return JobRegistry.load(TEST_KINDS);
}

/** A fresh workspace and a started runner (one engine thread per job), both closed after the test. */
export async function workspaceWithRunner(t: TestContext, options: Partial<JobRunnerOptions> = {}) {
  const dir = tempDir(t, 'lontar-jobs-');
  const ws = Workspace.open(dir, { create: true });
  const runner = new JobRunner(ws, { registry: await testRegistry(), threads: 1, ...options });
  t.after(async () => {
    await runner.close();
    ws.close();
  });
  return { dir, ws, runner };
}

/** The tensors of a stored safetensors blob, by name. */
export function readTensors(ws: Workspace, hash: string): Map<string, HostTensor> {
  const file = SafetensorsFile.open(ws.blobs.pathOf(hash));
  try {
    return new Map(file.names().map((n) => [n, file.read(n)]));
  } finally {
    file.close();
  }
}

/** Names of tensors whose bytes differ (empty: bit-identical). */
export function differingTensors(a: Map<string, HostTensor>, b: Map<string, HostTensor>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => {
    const x = a.get(n);
    const y = b.get(n);
    if (!x || !y) return true;
    return !Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength).equals(Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  });
}

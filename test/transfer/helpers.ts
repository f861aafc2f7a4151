// Running a tiny experiment in-process (the runner still starts one job process per cell), and
// reading what its runs recorded.

import { join } from 'node:path';
import { JobRegistry } from '../../main/jobs/index';
import { SafetensorsFile } from '../../main/models/checkpoint/safetensors-file';
import { Workspace } from '../../main/store/index';
import { parseExperiment, type ExperimentInput } from '../../main/transfer/experiment/experiment-file';
import { runExperiment, type ExperimentOutcome } from '../../main/transfer/experiment/run-experiment';
import { tempDir, tinyExperiment, writeCorpus, writeModel } from './fixtures';

type TestContext = { after: (fn: () => void | Promise<void>) => void };

/** A folder with the tiny model (2 layers unless asked) and corpus; `ws` is where a workspace may be created. */
export function tinySetup(t: TestContext, layers = 2): { root: string; ws: string } {
  const root = tempDir(t);
  writeModel(join(root, 'model'), undefined, layers);
  writeCorpus(join(root, 'corpus'));
  return { root, ws: join(root, 'ws') };
}

export async function runTiny(t: TestContext, dir: string, spec: ExperimentInput): Promise<{ ws: Workspace; outcome: ExperimentOutcome }> {
  const ws = Workspace.open(dir, { create: true });
  t.after(() => ws.close());
  const outcome = await runExperiment(ws, parseExperiment(spec, '/'), { registry: await JobRegistry.load() });
  return { ws, outcome };
}

export { tinyExperiment };

/** The example ids a training run's checkpoint says it was trained on. */
export function trainedOn(ws: Workspace, runId: number): number[] {
  const file = SafetensorsFile.open(ws.blobs.pathOf(ws.runs.get(runId)!.outputBlob!));
  try {
    return JSON.parse(file.metadata['trainExamples']!) as number[];
  } finally {
    file.close();
  }
}

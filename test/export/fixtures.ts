// A workspace with a tiny trained pipeline for the export tests: the tiny Qwen2 and corpus of the
// transfer tests, a competence run on Indonesian, a discovery and a CT-SFT (circuit) run on
// Javanese, each with its stored evaluations. Built once per test file (a few seconds).

import { join } from 'node:path';
import { JobRegistry } from '../../main/jobs/index';
import { Workspace } from '../../main/store/index';
import { parseExperiment } from '../../main/transfer/experiment/experiment-file';
import { runExperiment } from '../../main/transfer/experiment/run-experiment';
import { tempDir, tinyExperiment, writeCorpus, writeModel } from '../transfer/fixtures';

type TestContext = { after: (fn: () => void) => void };

export interface TrainedWorkspace {
  root: string;
  wsDir: string;
  competenceRunId: number;
  transferRunId: number;
}

export async function trainedWorkspace(t: TestContext): Promise<TrainedWorkspace> {
  const root = tempDir(t, 'lontar-export-');
  writeModel(join(root, 'model'));
  writeCorpus(join(root, 'corpus'));
  const wsDir = join(root, 'ws');
  const ws = Workspace.open(wsDir, { create: true });
  try {
    const spec = tinyExperiment(root, { methods: ['circuit'], depth: [0], recipe: { epochs: 2, lr: 0.05, batchSize: 4, maxLength: 32 } });
    await runExperiment(ws, parseExperiment(spec, '/'), { registry: await JobRegistry.load() });
    const runs = ws.runs.list();
    const competence = runs.find((r) => r.kind === 'competence' && r.status === 'done');
    const transfer = runs.find((r) => r.kind === 'transfer' && r.status === 'done');
    if (!competence || !transfer) throw new Error(`the tiny pipeline did not finish: ${runs.map((r) => `${r.kind} ${r.status} ${r.error ?? ''}`).join('; ')}`);
    return { root, wsDir, competenceRunId: competence.id, transferRunId: transfer.id };
  } finally {
    ws.close();
  }
}

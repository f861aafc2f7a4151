// Transfer runs as the workbench sees them: the run with what its configuration says (pipeline,
// method, target, n, depth), its latest job (progress, time left, resumable), its evaluations and
// the cost facts its evaluations carry (trainable fraction, training seconds, heads).

import type { JobRecord, RunRecord, Workspace } from '../store/index';
import { storedDepth } from '../transfer/circuit-store';
import { depthTag } from '../transfer/depth-tag';
import { isHeadMethod, type TransferMethod } from '../transfer/methods';
import { TRANSFER_RUN_KINDS, type TransferRun } from './contract/index';

type RunKind = (typeof TRANSFER_RUN_KINDS)[number];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const isTransferRunKind = (kind: string): kind is RunKind => (TRANSFER_RUN_KINDS as readonly string[]).includes(kind);

/** The latest job of every run (a resumed or retried run keeps its newest job). */
export function latestJobs(ws: Workspace): Map<number, JobRecord> {
  const out = new Map<number, JobRecord>();
  for (const j of ws.jobs.list()) if (j.runId !== null) out.set(j.runId, j);
  return out;
}

/** The competence run a run belongs to, from its configuration (evaluate: the run it scores, when that is one). */
function anchorOf(ws: Workspace, run: RunRecord): number | null {
  if (run.kind === 'competence') return run.id;
  const c = run.config;
  if (run.kind === 'evaluate') {
    const scored = num(c['runId']);
    return scored === null ? null : (ws.runs.get(scored)?.kind === 'competence' ? scored : num(ws.runs.get(scored)?.config['competenceRunId']));
  }
  return num(c['competenceRunId']);
}

function sourceOf(ws: Workspace, run: RunRecord, anchor: number | null): string | null {
  if (run.kind === 'competence') return str(run.config['source']);
  return anchor === null ? null : str(ws.runs.get(anchor)?.config['source']);
}

export function transferRunView(ws: Workspace, run: RunRecord, job: JobRecord | undefined): TransferRun {
  const kind = run.kind as RunKind;
  const c = run.config;
  const anchor = anchorOf(ws, run);
  const evaluations = ws.evaluations.byRun(run.id);
  const extra = evaluations[0]?.extra ?? {};
  const detail = job?.progressDetail ?? {};
  const method = kind === 'competence' ? 'competence' : kind === 'transfer' ? str(c['method']) : null;
  const headMethod = method !== null && isHeadMethod(method as TransferMethod);
  const asked = kind === 'discover' || headMethod ? num(c['depth']) : null;
  // A discovery: its deepest stored circuit; a transfer: the depth of the circuit it trained (its evaluations say).
  const reached = asked === null ? null : kind === 'discover' ? storedDepth(ws, run.id) : num(extra['depth']);
  return {
    id: run.id,
    kind,
    name: run.name,
    status: run.status,
    seed: run.seed,
    modelId: run.modelId,
    datasetId: run.datasetId,
    competenceRunId: anchor,
    discoveryRunId: num(c['discoveryRunId']),
    method,
    source: sourceOf(ws, run, anchor),
    target: str(c['target']),
    n: kind === 'competence' ? num(c['nSrc']) : num(c['n']),
    depth: asked,
    depthReached: reached,
    depthTag: asked === null ? null : depthTag(asked, reached === null ? [] : [reached]),
    config: c,
    job: job
      ? {
          id: job.id,
          status: job.status,
          progress: job.progress,
          step: num(detail['step']),
          total: num(detail['total']),
          etaSeconds: num(detail['etaSeconds']),
          resumable: job.status === 'interrupted',
        }
      : null,
    trainableFraction: num(extra['trainableFraction']),
    trainSeconds: num(extra['trainSeconds']),
    heads: str(extra['heads']),
    evaluations: evaluations.map((e) => ({ language: e.language, split: e.split, count: e.count, accuracy: e.accuracy, macroF1: e.macroF1 })),
    error: run.error ?? job?.error ?? null,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

/** Every transfer-related run of the given kinds, newest first. */
export function transferRuns(ws: Workspace, kinds: readonly string[] = TRANSFER_RUN_KINDS): TransferRun[] {
  const jobs = latestJobs(ws);
  return ws.runs
    .list()
    .filter((r) => isTransferRunKind(r.kind) && kinds.includes(r.kind))
    .reverse()
    .map((r) => transferRunView(ws, r, jobs.get(r.id)));
}

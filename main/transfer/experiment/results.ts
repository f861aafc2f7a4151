// What an experiment produced, read back from the workspace: per seed the competence checkpoint's
// scores (source test = the retention baseline; each target's test = A0), and per transfer cell its
// target test/validation scores, source test score after tuning, trainable fraction and wall time.

import { expansionOf } from '../../circuits/circuit-file';
import type { EvaluationRecord, Workspace } from '../../store/index';
import { readCircuitBlob } from '../circuit-store';
import type { TransferMethod } from '../methods';
import { experimentCells } from './cells';
import { experimentSchema, type ExperimentSpec } from './experiment-file';
import { findExperimentRun } from './prepare';
import { runNameOf } from './run-experiment';

export interface Score {
  accuracy: number;
  macroF1: number;
}

export interface CompetenceResult {
  seed: number;
  runId: number | null;
  status: string;
  /** By language, test split (the source's is the retention baseline; a target's is A0). */
  test: Map<string, Score>;
  valid: Map<string, Score>;
}

export interface TransferResult {
  key: string;
  seed: number;
  target: string;
  n: number;
  method: TransferMethod;
  /** The depth the cell asked for (head methods); null for the others. */
  depth: number | null;
  /** The depth the circuit it trained had actually reached (expansion may stop earlier). */
  depthReached?: number;
  runId: number | null;
  status: string;
  targetTest?: Score;
  targetValid?: Score;
  sourceTest?: Score;
  trainableFraction?: number;
  trainSeconds?: number;
  heads?: string;
}

/** A seed's circuit discovery: how far expansion went and why it stopped (when the run is done). */
export interface DiscoveryResult {
  seed: number;
  runId: number | null;
  status: string;
  expansion?: ReturnType<typeof expansionOf>;
}

export interface ExperimentResults {
  spec: ExperimentSpec;
  competence: CompetenceResult[];
  discoveries: DiscoveryResult[];
  transfers: TransferResult[];
}

export class UnknownExperimentError extends Error {
  override name = 'UnknownExperimentError';
}

/** Names of the experiments a workspace holds, oldest first. */
export function experimentNames(ws: Workspace): string[] {
  return [...new Set(ws.runs.list({ kind: 'experiment' }).map((r) => r.name ?? ''))].filter(Boolean);
}

export function collectResults(ws: Workspace, name: string): ExperimentResults {
  const record = findExperimentRun(ws, name);
  if (!record) throw new UnknownExperimentError(`no experiment "${name}" in this workspace (known: ${experimentNames(ws).join(', ') || 'none'})`);
  const { datasetId, modelId, ...identity } = record.config as { datasetId: number; modelId: number };
  // The stored identity names the model and dataset by id, not by path (prepare.ts); the paths are not read here.
  const spec = experimentSchema.parse({ model: `model ${modelId}`, dataset: `dataset ${datasetId}`, ...identity });
  const runs = new Map<string, { id: number; status: string; outputBlob: string | null }>();
  for (const r of ws.runs.list()) if (r.name?.startsWith(`${name}/`)) runs.set(r.name, r);
  const evaluations = (runId: number | null) => (runId === null ? [] : ws.evaluations.byRun(runId));
  const score = (evals: EvaluationRecord[], language: string, split: string): Score | undefined => {
    const e = evals.find((x) => x.language === language && x.split === split && x.datasetId === datasetId);
    return e && e.accuracy !== null ? { accuracy: e.accuracy, macroF1: e.macroF1 ?? NaN } : undefined;
  };

  const competence: CompetenceResult[] = [];
  const discoveries: DiscoveryResult[] = [];
  const transfers: TransferResult[] = [];
  for (const cell of experimentCells(spec, datasetId, modelId)) {
    const run = runs.get(runNameOf(name, cell.key));
    const runId = run?.id ?? null;
    const status = run?.status ?? 'missing';
    const evals = run?.status === 'done' ? evaluations(runId) : [];
    if (cell.kind === 'competence') {
      const byLanguage = (split: string) =>
        new Map(evals.filter((e) => e.split === split && e.accuracy !== null).map((e) => [e.language, { accuracy: e.accuracy!, macroF1: e.macroF1 ?? NaN }]));
      competence.push({ seed: cell.seed, runId, status, test: byLanguage('test'), valid: byLanguage('valid') });
    } else if (cell.kind === 'discover') {
      const blob = run?.status === 'done' ? run.outputBlob : null;
      discoveries.push({ seed: cell.seed, runId, status, ...(blob && { expansion: expansionOf(readCircuitBlob(ws, blob)) }) });
    } else if (cell.kind === 'transfer') {
      const extra = evals[0]?.extra ?? {};
      const num = (k: string) => (typeof extra[k] === 'number' ? (extra[k] as number) : undefined);
      transfers.push({
        key: cell.key,
        seed: cell.seed,
        target: cell.target!,
        n: cell.n!,
        method: cell.method!,
        depth: cell.depth ?? null,
        ...(cell.depth !== undefined && num('depth') !== undefined && { depthReached: num('depth') }),
        runId,
        status,
        targetTest: score(evals, cell.target!, 'test'),
        targetValid: score(evals, cell.target!, 'valid'),
        sourceTest: score(evals, spec.source, 'test'),
        trainableFraction: num('trainableFraction'),
        trainSeconds: num('trainSeconds'),
        ...(typeof extra['heads'] === 'string' && { heads: extra['heads'] }),
      });
    }
  }
  return { spec, competence, discoveries, transfers };
}

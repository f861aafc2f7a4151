// exports.*: the Export wizard's calls. Creating and verifying an export are jobs (export-run,
// verify-export: main/exports/kinds.ts); the handlers check what they can at once — the run, its
// evaluation, the destination — so a bad request is answered before anything is queued.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkDestination, DestinationError } from '../../exports/destination';
import { evaluationToReproduce, runSource } from '../../exports/run-source';
import type { ExportRecord, Workspace } from '../../store/index';
import { transferConfig } from '../../transfer/job-configs';
import { InputError } from '../../transfer/workspace-inputs';
import { ApiError, verificationResult, type ExportableRun, type ExportSummary } from '../contract/index';
import type { Handlers } from '../handler-types';

const FORMAT_NAMES = { 'hf-folder': 'hf', onnx: 'onnx', 'head-delta': 'patch' } as const;
/** The card preview is shown, not downloaded: a larger README is cut. */
const CARD_LIMIT = 256 * 1024;

/** Lontar's refusals become `rejected` answers with their own message. */
function refused<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError || e instanceof DestinationError) throw new ApiError('rejected', e.message);
    throw e;
  }
}

function exportView(e: ExportRecord): ExportSummary {
  const v = e.verification && verificationResult.safeParse(e.verification);
  return {
    id: e.id,
    runId: e.runId,
    format: FORMAT_NAMES[e.format],
    destination: e.destination ?? '',
    createdAt: e.createdAt,
    files: (e.details['files'] as Record<string, string> | undefined) ?? {},
    verification: v && v.success ? v.data : null,
    verifiedAt: e.verifiedAt,
  };
}

function exportRecord(ws: Workspace, id: number): ExportRecord {
  const e = ws.exports.get(id);
  if (!e) throw new ApiError('not-found', `there is no export ${id}`);
  return e;
}

function exportableRuns(ws: Workspace): ExportableRun[] {
  return ws.runs
    .list()
    .filter((r) => (r.kind === 'competence' || r.kind === 'transfer') && r.status === 'done' && r.outputBlob)
    .flatMap((r) => {
      try {
        const source = runSource(ws, r.id);
        return [
          {
            id: r.id,
            kind: r.kind as 'competence' | 'transfer',
            name: r.name,
            method: source.method,
            source: source.competence.config.source,
            target: r.kind === 'transfer' ? transferConfig.parse(r.config).target : null,
            baseModel: source.baseModel.name,
            finishedAt: r.finishedAt,
            evaluations: source.evaluations.map((e) => ({ id: e.id, language: e.language, split: e.split, count: e.count, accuracy: e.accuracy })),
          },
        ];
      } catch {
        return []; // a run whose base model or configuration is gone cannot be exported
      }
    })
    .reverse();
}

function readCard(dir: string): string | null {
  const path = join(dir, 'README.md');
  if (!existsSync(path) || !statSync(path).isFile()) return null;
  return readFileSync(path).subarray(0, CARD_LIMIT).toString('utf8');
}

/** `~/x` → the home folder's x; nothing else is rewritten (so `..` reaches the destination check). */
const expandTilde = (p: string) => (p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

export const exportHandlers: Handlers = {
  'exports.runs': (ctx) => ({ runs: exportableRuns(ctx.ws) }),
  'exports.list': (ctx) => ({ exports: ctx.ws.exports.list().map(exportView) }),
  'exports.get': (ctx, req) => {
    const e = exportRecord(ctx.ws, req.id);
    return { export: exportView(e), card: e.destination ? readCard(e.destination) : null };
  },
  'exports.create': (ctx, req) => {
    const destination = expandTilde(req.destination);
    refused(() => {
      checkDestination(destination, { workspaceDir: ctx.ws.dir, replace: req.replace });
      evaluationToReproduce(runSource(ctx.ws, req.runId), req.evaluationId);
    });
    const job = ctx.runner.enqueue({
      kind: 'export-run',
      name: `export run ${req.runId} as ${req.format}`,
      config: { runId: req.runId, format: req.format, destination, replace: req.replace, dtype: req.dtype, ...(req.evaluationId !== undefined && { evaluationId: req.evaluationId }) },
    });
    return { jobId: job.id };
  },
  'exports.verify': (ctx, req) => {
    const e = exportRecord(ctx.ws, req.id);
    const job = ctx.runner.enqueue({ kind: 'verify-export', name: `verify export ${e.id}`, config: { exportId: e.id } });
    return { jobId: job.id };
  },
};

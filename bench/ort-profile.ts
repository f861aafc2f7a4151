// Reads onnxruntime's profile (a Chrome-trace JSON a session writes with `enableProfiling`) into what
// bench:engine-profile prints: each kernel's op type, the training phase its node belongs to (from the
// graph's scope prefixes: `grad.` for the backward pass, `optimizer` for the update) and, for the GEMM
// kernels, the FLOPs implied by their shapes, so their achieved rate can be set beside the plain
// MatMul anchor and PyTorch's.

import { readFileSync } from 'node:fs';

export type Phase = 'forward' | 'backward' | 'optimizer';

export interface Kernel {
  node: string;
  op: string;
  phase: Phase;
  us: number;
  /** FLOPs of a GEMM kernel (MatMul, Gemm, FusedMatMul) from its shapes; 0 for other kernels. */
  flops: number;
}

export interface OrtProfile {
  /** Microseconds of each profiled run (onnxruntime's `model_run`), in order. */
  runs: number[];
  /** The kernels of those runs. */
  kernels: Kernel[];
}

export const GEMM_OPS = new Set(['MatMul', 'Gemm', 'FusedMatMul']);

interface TraceEvent {
  cat?: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

export function phaseOf(node: string): Phase {
  if (node.startsWith('optimizer')) return 'optimizer';
  if (node.startsWith('grad')) return 'backward';
  return 'forward';
}

const shapeOf = (entry: Record<string, number[]> | undefined) => (entry ? Object.values(entry)[0] : undefined);

/**
 * 2·m·n·k per output matrix: k is the dimension of A that is not the output's row count (A may be
 * transposed in a FusedMatMul or Gemm; when both are the row count the result is the same).
 */
export function gemmFlops(inputs: readonly number[][], output: readonly number[]): number {
  const a = inputs[0];
  if (!a || a.length < 1 || output.length < 1) return 0;
  const m = output.length >= 2 ? output.at(-2)! : 1;
  const k = a.length >= 2 && a.at(-1) === m && a.at(-2) !== m ? a.at(-2)! : a.at(-1)!;
  return 2 * output.reduce((x, y) => x * y, 1) * k;
}

/** The profile of a session, without its first `skipRuns` runs (warm-up). */
export function readOrtProfile(file: string, skipRuns = 0): OrtProfile {
  const events = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts).slice(skipRuns);
  const within = (ts: number) => runs.some((r) => ts >= r.ts && ts <= r.ts + r.dur);
  const kernels = events
    .filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && within(e.ts))
    .map((e) => {
      const node = e.name.slice(0, -'_kernel_time'.length);
      const op = e.args?.op_name ?? '?';
      const inputs = (e.args?.input_type_shape ?? []).map(shapeOf).filter((s): s is number[] => s !== undefined);
      const output = shapeOf(e.args?.output_type_shape?.[0]);
      return { node, op, phase: phaseOf(node), us: e.dur, flops: GEMM_OPS.has(op) && output ? gemmFlops(inputs, output) : 0 };
    });
  return { runs: runs.map((r) => r.dur), kernels };
}

/** Microseconds per run by key (op type, phase, ...), largest first. */
export function perRunBy(profile: OrtProfile, key: (k: Kernel) => string): [string, number][] {
  const totals = new Map<string, number>();
  for (const k of profile.kernels) totals.set(key(k), (totals.get(key(k)) ?? 0) + k.us);
  const runs = Math.max(1, profile.runs.length);
  return [...totals].map(([name, us]) => [name, us / runs] as [string, number]).sort((a, b) => b[1] - a[1]);
}

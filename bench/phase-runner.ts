// Runs a benchmark phase in a process of its own and measures it: peak RSS polled from /proc (and the
// process's own maxRSS when it reports one), killed past a memory or time limit so that a benchmark
// cannot take the machine down (bench:scale, bench:footprint).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface PhaseResult {
  name: string;
  side: 'engine' | 'PyTorch';
  ok: boolean;
  /** Why there is no figure (killed over the memory limit, timed out, crashed). */
  failure?: string;
  peakRssMiB: number;
  data: Record<string, unknown>;
}

/** The resident set of a process, from /proc (MiB); 0 once it is gone. */
function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export interface PhaseLimits {
  limitMiB: number;
  /** How the limit is named in the failure ("21 GiB"). */
  limitLabel: string;
  timeoutSeconds: number;
}

/**
 * Runs one phase's process, polling its RSS; kills it past the memory limit or the time limit, and
 * reads the JSON objects it prints, one per line (early figures, then its result).
 */
export function runMeasuredPhase(name: string, side: PhaseResult['side'], command: string, argv: string[], env: NodeJS.ProcessEnv, limits: PhaseLimits): Promise<PhaseResult> {
  console.error(`\n${side} · ${name}`);
  return new Promise((resolve) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let watched = 0;
    let failure: string | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const poll = setInterval(() => {
      watched = Math.max(watched, rssMiB(child.pid!));
      if (watched > limits.limitMiB && !failure) {
        failure = `killed at ${(watched / 1024).toFixed(1)} GiB RSS (limit ${limits.limitLabel})`;
        child.kill('SIGKILL');
      }
    }, 250);
    const timer = setTimeout(() => {
      failure ??= `timed out after ${limits.timeoutSeconds} s`;
      child.kill('SIGKILL');
    }, limits.timeoutSeconds * 1000);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      // one JSON object per line: early figures (the estimate), then the result; a killed phase has only the first
      const data: Record<string, unknown> = {};
      for (const line of stdout.trim().split('\n')) {
        try {
          Object.assign(data, JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a figure line
        }
      }
      if (data.peakRssMiB === undefined) failure ??= `exited ${code ?? signal} without a result`;
      const peak = typeof data.peakRssMiB === 'number' ? data.peakRssMiB : watched;
      resolve({ name, side, ok: !failure && code === 0, failure, peakRssMiB: peak, data });
    });
  });
}

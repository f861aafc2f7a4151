// Runs the PyTorch twin of the benchmark model (bench/torch_encoder.py) in a long-lived Python
// process, so engine and PyTorch timings can interleave in one run without re-import costs. Sets up
// the BLAS environment a fair comparison needs (OpenBLAS kernels matching the CPU, passive OpenMP waits).
// Every exchange has a time limit: a twin that does not answer is killed and the reason (missing,
// time-out, crash) is what the benchmark prints instead of the PyTorch column, so a run never hangs.
// The hang once seen was Debian's default reference BLAS (6 GFLOP/s): the twin's first 23 steps took
// minutes; the ready message now names the BLAS and its MatMul rate, and a slow one is warned about.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { HostTensor } from '../main/engine/tensor';

/** Why the PyTorch column is missing: the benchmark prints it in the column's place. */
export class TorchUnavailable extends Error {}

/** A Python that imports torch, or why none does (the last interpreter's error line). */
export function findTorchPython(): { python: string } | { reason: string } {
  let reason = 'no python3 found';
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python };
    if (r.error) continue;
    reason = `import failure (${python}): ${r.signal ? `killed by ${r.signal}` : (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`)}`;
  }
  return { reason };
}

/** OpenBLAS kernel family for this CPU; a stale OPENBLAS_CORETYPE=Haswell halves AVX-512 throughput. */
function openblasCoretype(): string | undefined {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8');
    if (/\bavx512f\b/.test(flags)) return 'SkylakeX';
    if (/\bavx2\b/.test(flags)) return 'Haswell';
  } catch {
    /* not Linux: leave OpenBLAS to detect */
  }
  return undefined;
}

export interface TorchReply {
  ms: number[];
  losses: number[];
}

/** Where the twin's step time goes: median phase times (perf_counter) and each op's own time under torch.profiler, per step. */
export interface TorchProfile {
  phases_ms: { forward: number; backward?: number; optimizer?: number; step: number };
  ops_us: Record<string, number>;
  /** Wall per step under the profiler (its overhead inflates many small ops). */
  profiled_ms: number;
}

interface Ready {
  initial_loss: number;
  torch: string;
  blas: string | null;
  matmul_gflops: number;
}

/** A BLAS too slow for a fair comparison (Debian's reference libblas runs ~6 GFLOP/s), or null. */
export function blasWarning(ready: Pick<Ready, 'blas' | 'matmul_gflops'>): string | null {
  const netlib = ready.blas !== null && /\/blas\/libblas\.so/.test(ready.blas);
  if (!netlib && ready.matmul_gflops >= 30) return null;
  return `PyTorch's BLAS (${ready.blas ?? 'unknown'}) runs a 512³ MatMul at ${ready.matmul_gflops.toFixed(1)} GFLOP/s${netlib ? ', the reference BLAS' : ''}: install libopenblas0-pthread for a fair comparison`;
}

/** The environment a fair PyTorch timing needs: OpenBLAS kernels for this CPU, passive OpenMP waits. */
export function torchEnv(threads: string): NodeJS.ProcessEnv {
  const coretype = openblasCoretype();
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads };
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  return env;
}

export class TorchTwin {
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    private readonly stderr: () => string,
    readonly ready: Ready,
    readonly env: string,
    private readonly timeoutMs: number,
  ) {}

  get initialLoss(): number {
    return this.ready.initial_loss;
  }

  get version(): string {
    return this.ready.torch;
  }

  static async start(
    python: string,
    dir: string,
    manifest: Record<string, unknown>,
    weights: [string, HostTensor][],
    batches: Record<string, HostTensor>[],
    timeoutMs: number,
  ): Promise<TorchTwin> {
    let offset = 0;
    const tensors = weights.map(([name, t]) => {
      const entry = { name, shape: t.shape, offset };
      offset += t.data.length;
      return entry;
    });
    const blob = new Float32Array(offset);
    weights.forEach(([, t], i) => blob.set(t.data as Float32Array, tensors[i]!.offset));
    writeFileSync(join(dir, 'weights.f32'), blob);
    const ints = batches.flatMap((b) => [b.input_ids!, b.attention_mask!, b.labels!].flatMap((t) => Array.from(t.data as BigInt64Array)));
    writeFileSync(join(dir, 'batches.i64'), BigInt64Array.from(ints));
    const manifestPath = join(dir, 'manifest.json');
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, tensors, weights: join(dir, 'weights.f32'), batches: join(dir, 'batches.i64'), count: batches.length }));

    const threads = String(manifest.threads);
    const env = torchEnv(threads);
    const coretype = env.OPENBLAS_CORETYPE;
    const script = new URL('./torch_encoder.py', import.meta.url).pathname;
    const proc = spawn(python, [script, manifestPath], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const lines = createInterface({ input: proc.stdout });
    const ready = JSON.parse(await nextLine(proc, lines, () => stderr, timeoutMs, 'start-up')) as Ready;
    const envText = `OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=${coretype ?? '(auto)'} threads=${threads}`;
    return new TorchTwin(proc, lines, () => stderr, ready, envText, timeoutMs);
  }

  /** Times `repeats` calls after `warmup`; throws TorchUnavailable (the twin killed) on a time-out or a crash. */
  async run(cmd: 'train' | 'forward', warmup: number, repeats: number): Promise<TorchReply> {
    this.proc.stdin.write(`${JSON.stringify({ cmd, warmup, repeats })}\n`);
    return JSON.parse(await nextLine(this.proc, this.lines, this.stderr, this.timeoutMs, `${cmd} ×${warmup + repeats}`)) as TorchReply;
  }

  /** Profiles `repeats` training steps or forwards after `warmup` (bench:engine-profile). */
  async profile(what: 'train' | 'forward', warmup: number, repeats: number): Promise<TorchProfile> {
    this.proc.stdin.write(`${JSON.stringify({ cmd: 'profile', what, warmup, repeats })}\n`);
    return JSON.parse(await nextLine(this.proc, this.lines, this.stderr, this.timeoutMs, `profile ${what} ×${warmup + 2 * repeats}`)) as TorchProfile;
  }

  close(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

function nextLine(proc: ChildProcessWithoutNullStreams, lines: Interface, stderr: () => string, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      lines.off('line', onLine);
      lines.off('close', onClose);
    };
    const onLine = (l: string) => {
      done();
      resolve(l);
    };
    // stdout can end before stderr is read and the exit is known: the process's own 'close' comes after both.
    const onClose = () => {
      done();
      proc.once('close', (code, signal) => {
        const tail = stderr().trim().split('\n').slice(-2).join(' | ');
        reject(new TorchUnavailable(`crash during ${what} (exit ${code ?? signal}): ${tail || 'no error output'}`));
      });
    };
    const timer = setTimeout(() => {
      done();
      proc.kill('SIGKILL');
      reject(new TorchUnavailable(`time-out: no answer to ${what} within ${(timeoutMs / 1000).toFixed(0)} s`));
    }, timeoutMs);
    lines.once('line', onLine);
    lines.once('close', onClose);
  });
}

// Runs the PyTorch twin of the benchmark model (bench/torch_encoder.py) in a long-lived Python
// process, so engine and PyTorch timings can interleave in one run without re-import costs. Sets up
// the BLAS environment a fair comparison needs (OpenBLAS kernels matching the CPU, passive OpenMP waits).

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { HostTensor } from '../main/engine/tensor';

export function findTorchPython(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return python;
  }
  return undefined;
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

export class TorchTwin {
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    readonly initialLoss: number,
    readonly version: string,
    readonly env: string,
  ) {}

  static async start(
    python: string,
    dir: string,
    manifest: Record<string, unknown>,
    weights: [string, HostTensor][],
    batches: Record<string, HostTensor>[],
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

    const coretype = openblasCoretype();
    const threads = String(manifest.threads);
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads };
    if (coretype) env.OPENBLAS_CORETYPE = coretype;
    const script = new URL('./torch_encoder.py', import.meta.url).pathname;
    const proc = spawn(python, [script, manifestPath], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const lines = createInterface({ input: proc.stdout });
    const first = await nextLine(lines, () => stderr);
    const ready = JSON.parse(first) as { initial_loss: number; torch: string };
    const envText = `OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=${coretype ?? '(auto)'} threads=${threads}`;
    return new TorchTwin(proc, lines, ready.initial_loss, ready.torch, envText);
  }

  async run(cmd: 'train' | 'forward', warmup: number, repeats: number): Promise<TorchReply> {
    this.proc.stdin.write(`${JSON.stringify({ cmd, warmup, repeats })}\n`);
    return JSON.parse(await nextLine(this.lines, () => '')) as TorchReply;
  }

  close(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

function nextLine(lines: Interface, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onLine = (l: string) => {
      lines.off('close', onClose);
      resolve(l);
    };
    const onClose = () => reject(new Error(`PyTorch process ended: ${stderr()}`));
    lines.once('line', onLine);
    lines.once('close', onClose);
  });
}

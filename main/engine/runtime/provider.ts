// Execution-provider choice: CUDA when a probe session really ran on it (cuda-probe.ts; the
// provider libraries are not in the npm package, see docs/gpu.md), otherwise CPU — always with the
// reason. The probe is async and runs once per process: `resolveProvider` awaits it; the synchronous
// `chooseProvider` uses its answer once settled.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CUDA_PROVIDER_LIBRARY, defaultProbeDeps, onceProbe, type CudaProbe } from './cuda-probe';

export type ProviderName = 'cpu' | 'cuda';

export interface ProviderChoice {
  provider: ProviderName;
  reason: string;
  /** Folder holding onnxruntime's native libraries (where CUDA provider libraries must be placed). */
  libraryDir: string;
  /** Libraries the CUDA provider could not load (absent when CUDA was not probed or works). */
  missing?: string[];
}

export function bindingDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

const cuda = onceProbe(defaultProbeDeps(bindingDir()));

/** Probes CUDA (once per process) and chooses. */
export async function resolveProvider(requested: ProviderName | 'auto' = 'auto'): Promise<ProviderChoice> {
  return chooseProvider(requested, requested === 'cpu' ? undefined : await cuda.probe());
}

/**
 * Chooses from a probe's answer (default: this process's, if it has settled). 'auto' without an
 * answer is CPU; 'cuda' without one is trusted when the provider library is there (a job process
 * whose owner probed), and its first session reports any failure.
 */
export function chooseProvider(requested: ProviderName | 'auto' = 'auto', probe: CudaProbe | undefined = cuda.settled()): ProviderChoice {
  const libraryDir = bindingDir();
  if (requested === 'cpu') return { provider: 'cpu', reason: 'CPU requested', libraryDir };
  if (probe?.ok) return { provider: 'cuda', reason: probe.reason, libraryDir };
  if (!probe) {
    if (requested === 'auto') return { provider: 'cpu', reason: 'using CPU: CUDA was not probed in this process', libraryDir };
    if (process.platform === 'linux' && existsSync(join(libraryDir, CUDA_PROVIDER_LIBRARY))) return { provider: 'cuda', reason: 'CUDA requested', libraryDir };
    throw new Error(`CUDA requested but unavailable: ${CUDA_PROVIDER_LIBRARY} is not installed in ${libraryDir} (see docs/gpu.md)`);
  }
  if (requested === 'cuda') throw new Error(`CUDA requested but unavailable: ${probe.reason}`);
  return { provider: 'cpu', reason: `using CPU: ${probe.reason}`, libraryDir, missing: probe.missing };
}

// Execution-provider choice: CUDA when its provider libraries sit next to onnxruntime-node's binding
// (they are not in the npm package; see docs/gpu.md), otherwise CPU — always with the reason.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ProviderName = 'cpu' | 'cuda';

export interface ProviderChoice {
  provider: ProviderName;
  reason: string;
  /** Folder holding onnxruntime's native libraries (where CUDA provider libraries must be placed). */
  libraryDir: string;
}

const CUDA_LIBRARY = 'libonnxruntime_providers_cuda.so';

export function bindingDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

export function chooseProvider(requested: ProviderName | 'auto' = 'auto'): ProviderChoice {
  const libraryDir = bindingDir();
  if (requested === 'cpu') return { provider: 'cpu', reason: 'CPU requested', libraryDir };
  const cudaPresent = process.platform === 'linux' && existsSync(join(libraryDir, CUDA_LIBRARY));
  if (cudaPresent) return { provider: 'cuda', reason: `CUDA provider found in ${libraryDir}`, libraryDir };
  const why =
    process.platform !== 'linux'
      ? `the CUDA provider is only wired up on Linux (this is ${process.platform})`
      : `${CUDA_LIBRARY} is not installed in ${libraryDir} (see docs/gpu.md)`;
  if (requested === 'cuda') throw new Error(`CUDA requested but unavailable: ${why}`);
  return { provider: 'cpu', reason: `using CPU: ${why}`, libraryDir };
}

// Whether the CUDA execution provider really works here: the provider library existing is not enough
// (it loads the CUDA 12 runtime, cuBLAS, cuFFT, cuRAND and cuDNN 9 when a session is made, and fails
// then), so the probe makes one tiny session on CUDA and runs it, once per process, and keeps the
// answer with its reason. On failure it names the libraries that cannot be loaded.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Graph } from '../graph';
import { encodeModel } from '../onnx/encode';
import * as op from '../ops/index';

/** The CUDA major version onnxruntime-node's CUDA provider builds are linked against (1.2x/1.30: 12). */
export const CUDA_MAJOR = 12;
export const CUDNN_MAJOR = 9;
export const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';
/** What libonnxruntime_providers_cuda.so needs at load time (its DT_NEEDED entries beyond libc). */
export const CUDA_RUNTIME_LIBRARIES = [
  `libcudart.so.${CUDA_MAJOR}`,
  `libcublas.so.${CUDA_MAJOR}`,
  `libcublasLt.so.${CUDA_MAJOR}`,
  'libcufft.so.11',
  'libcurand.so.10',
  `libcudnn.so.${CUDNN_MAJOR}`,
];

export interface CudaProbe {
  ok: boolean;
  reason: string;
  /** Libraries that could not be loaded (empty when CUDA works or the cause is something else). */
  missing: string[];
}

export interface CudaProbeDeps {
  platform: NodeJS.Platform;
  /** Folder of onnxruntime-node's binding, where the provider library must sit. */
  libraryDir: string;
  /** Creates a session for the model on the CUDA provider, runs it once and releases it. */
  runOnCuda: (model: Uint8Array) => Promise<void>;
  /** Loads a shared library by name as the dynamic loader would; the error message, or null if it loads. */
  loadLibrary: (name: string) => string | null;
}

/** "libcudnn.so.9: cannot open shared object file" (Linux) → "libcudnn.so.9". */
export function missingLibraryIn(message: string): string | null {
  return /(lib[\w+.-]+?\.so(?:\.\d+)*): cannot open shared object file/.exec(message)?.[1] ?? null;
}

function tinyModel(): Uint8Array {
  const g = new Graph();
  const x = g.input('x', 'float32', [1, 2]);
  g.output(op.add(x, x), 'y');
  return encodeModel(g).bytes;
}

export async function probeCuda(deps: CudaProbeDeps): Promise<CudaProbe> {
  if (deps.platform !== 'linux') return { ok: false, reason: `the CUDA provider is only wired up on Linux (this is ${deps.platform})`, missing: [] };
  if (!existsSync(join(deps.libraryDir, CUDA_PROVIDER_LIBRARY))) {
    return { ok: false, reason: `${CUDA_PROVIDER_LIBRARY} is not installed in ${deps.libraryDir} (see docs/gpu.md)`, missing: [CUDA_PROVIDER_LIBRARY] };
  }
  try {
    await deps.runOnCuda(tinyModel());
    return { ok: true, reason: `CUDA provider works (a test session ran on it; provider in ${deps.libraryDir})`, missing: [] };
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    // The loader names only the first library it missed; check every one to list them all.
    const named = missingLibraryIn(message);
    const missing = CUDA_RUNTIME_LIBRARIES.filter((lib) => lib === named || deps.loadLibrary(lib) !== null);
    if (named && !missing.includes(named)) missing.unshift(named);
    const what = missing.length > 0
      ? `missing ${missing.join(', ')} (onnxruntime-node's CUDA provider needs the CUDA ${CUDA_MAJOR} runtime and cuDNN ${CUDNN_MAJOR}; see docs/gpu.md)`
      : message;
    return { ok: false, reason: `the CUDA provider failed to start: ${what}`, missing };
  }
}

/** dlopen through Node: a library that loads but is no addon fails with "did not self-register". */
export function loadSharedLibrary(name: string): string | null {
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, name);
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return /self-register|napi_register_module/i.test(message) ? null : message;
  }
}

async function runOnCuda(model: Uint8Array): Promise<void> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cuda'] });
  try {
    await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2]), [1, 2]) });
  } finally {
    await session.release();
  }
}

/** A probe that runs at most once; later calls get the same answer. */
export function onceProbe(deps: CudaProbeDeps): { probe(): Promise<CudaProbe>; settled(): CudaProbe | undefined } {
  let pending: Promise<CudaProbe> | undefined;
  let answer: CudaProbe | undefined;
  return {
    probe: () => (pending ??= probeCuda(deps).then((a) => (answer = a))),
    settled: () => answer,
  };
}

export function defaultProbeDeps(libraryDir: string): CudaProbeDeps {
  return { platform: process.platform, libraryDir, runOnCuda, loadLibrary: loadSharedLibrary };
}

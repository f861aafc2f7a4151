// The CUDA probe: a provider library on disk is not a working GPU. A session that fails to start
// (simulated by an injected session runner) gives CPU with the reason and names every library that
// cannot be loaded; the probe runs once per process; `lontar engine info` says which CUDA is needed.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cudaNeeds, infoText } from '../../main/cli/commands/engine';
import { CUDA_PROVIDER_LIBRARY, loadSharedLibrary, missingLibraryIn, onceProbe, probeCuda, type CudaProbeDeps } from '../../main/engine/runtime/cuda-probe';
import { chooseProvider, resolveProvider } from '../../main/engine/runtime/provider';
import { tempDir } from '../models/fixtures/temp-dir';

const CUDNN_MISSING = 'Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory';

/** A binding folder holding the provider library, and a session runner that behaves as told. */
function deps(runOnCuda: CudaProbeDeps['runOnCuda'], unloadable: readonly string[] = []): CudaProbeDeps & { loaded: string[] } {
  const libraryDir = tempDir();
  writeFileSync(join(libraryDir, CUDA_PROVIDER_LIBRARY), '');
  const loaded: string[] = [];
  return {
    platform: 'linux',
    libraryDir,
    runOnCuda,
    loaded,
    loadLibrary: (name) => {
      loaded.push(name);
      return unloadable.includes(name) ? `${name}: cannot open shared object file: No such file or directory` : null;
    },
  };
}

test('the provider library is present but cuDNN and cuFFT are not: CPU, with both named', async () => {
  const probe = await probeCuda(deps(() => Promise.reject(new Error(CUDNN_MISSING)), ['libcudnn.so.9', 'libcufft.so.11']));
  assert.equal(probe.ok, false);
  assert.deepEqual(probe.missing, ['libcufft.so.11', 'libcudnn.so.9']);
  assert.match(probe.reason, /missing libcufft\.so\.11, libcudnn\.so\.9 .*CUDA 12 runtime and cuDNN 9/);
  const auto = chooseProvider('auto', probe);
  assert.equal(auto.provider, 'cpu');
  assert.match(auto.reason, /^using CPU: the CUDA provider failed to start: missing libcufft/);
  assert.deepEqual(auto.missing, probe.missing);
  assert.throws(() => chooseProvider('cuda', probe), /CUDA requested but unavailable: .*libcudnn\.so\.9/);
});

test('a failure that names no library is reported as onnxruntime said it', async () => {
  const probe = await probeCuda(deps(() => Promise.reject(new Error('CUDA failure 100: no CUDA-capable device is detected\n  at ...'))));
  assert.deepEqual(probe.missing, []);
  assert.equal(probe.reason, 'the CUDA provider failed to start: CUDA failure 100: no CUDA-capable device is detected');
});

test('a probe session that runs means CUDA, and the probe runs once', async () => {
  let sessions = 0;
  const d = deps(async (model) => {
    assert.ok(model.byteLength > 0, 'a real model is handed over');
    sessions++;
  });
  const once = onceProbe(d);
  assert.equal(once.settled(), undefined);
  const [a, b] = await Promise.all([once.probe(), once.probe()]);
  assert.equal(await once.probe(), a);
  assert.equal(sessions, 1);
  assert.equal(b, a);
  assert.equal(once.settled(), a);
  assert.deepEqual(d.loaded, [], 'libraries are only checked after a failure');
  assert.equal(chooseProvider('auto', a).provider, 'cuda');
});

test('no provider library, or not Linux: no session is tried', async () => {
  const never = () => Promise.reject(new Error('must not run'));
  const bare = { ...deps(never), libraryDir: tempDir() };
  assert.deepEqual(await probeCuda(bare), { ok: false, reason: `${CUDA_PROVIDER_LIBRARY} is not installed in ${bare.libraryDir} (see docs/gpu.md)`, missing: [CUDA_PROVIDER_LIBRARY] });
  assert.match((await probeCuda({ ...deps(never), platform: 'darwin' })).reason, /only wired up on Linux \(this is darwin\)/);
  assert.equal(missingLibraryIn(CUDNN_MISSING), 'libcudnn.so.9');
  assert.equal(missingLibraryIn('libcublasLt.so.12: cannot open shared object file'), 'libcublasLt.so.12');
  assert.equal(missingLibraryIn('out of memory'), null);
});

test('the library check loads through the dynamic loader: present (no addon) is fine, absent is named', { skip: process.platform !== 'linux' && 'Linux library names' }, () => {
  assert.equal(loadSharedLibrary('libm.so.6'), null);
  assert.equal(missingLibraryIn(loadSharedLibrary('liblontar-absent.so.1') ?? ''), 'liblontar-absent.so.1');
});

test('this machine (no CUDA provider installed) resolves to the CPU with the reason', async () => {
  const choice = await resolveProvider('auto');
  assert.equal(choice.provider, 'cpu');
  assert.match(choice.reason, /using CPU: libonnxruntime_providers_cuda\.so is not installed in .*onnxruntime-node/);
  assert.equal(chooseProvider('auto').reason, choice.reason, 'the synchronous choice uses the settled answer');
});

test('engine info says which CUDA the installed onnxruntime-node needs', () => {
  const text = infoText({ provider: 'cpu', reason: 'using CPU: x', libraryDir: '/x', missing: ['libcudnn.so.9'] }, cudaNeeds());
  assert.match(text, /missing: {2}libcudnn\.so\.9/);
  assert.match(text, /onnxruntime-node 1\.\d+\.\d+'s CUDA provider is built for CUDA 12 and cuDNN 9/);
  assert.match(text, /libcudart\.so\.12, libcublas\.so\.12/);
  assert.match(text, /with only CUDA 13 installed, put the CUDA 12 runtime libraries beside it/);
});

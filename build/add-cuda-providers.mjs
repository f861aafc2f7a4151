#!/usr/bin/env node
// Adds onnxruntime's CUDA execution provider libraries to this checkout before `npm run dist`, for
// offline NVIDIA machines: the onnxruntime-node npm package does not ship them (its install script
// downloads them, which Lontar skips). Give the folder holding them, e.g. the `runtimes/linux-x64/native`
// folder of the NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux (Windows: Microsoft.ML.OnnxRuntime.Gpu.Windows,
// `runtimes/win-x64/native`) of the same version as onnxruntime-node. They are copied next to the
// binding, so the installer carries them (unpacked from the asar with the rest of onnxruntime-node).
//   npm run dist:add-cuda -- /path/to/runtimes/linux-x64/native
// See docs/install.md. The CUDA 12 runtime and cuDNN 9 must be installed on the target machine.

import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PROVIDERS = {
  linux: ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'],
  win32: ['onnxruntime_providers_cuda.dll', 'onnxruntime_providers_shared.dll'],
};

const from = process.argv[2];
const platform = process.argv[3] ?? process.platform;
const arch = process.argv[4] ?? process.arch;
const names = PROVIDERS[platform];
if (!from) {
  console.error('usage: npm run dist:add-cuda -- FOLDER [linux|win32] [x64|arm64]  (FOLDER holds the CUDA provider libraries)');
  process.exit(2);
}
if (!names) {
  console.error(`onnxruntime has no CUDA provider for ${platform} (Linux and Windows only)`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
const pkg = require.resolve('onnxruntime-node/package.json');
const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
const target = join(dirname(pkg), 'bin', 'napi-v6', platform, arch);
if (!existsSync(target)) {
  console.error(`onnxruntime-node has no binding for ${platform}/${arch} at ${target}`);
  process.exit(1);
}
const missing = names.filter((n) => !existsSync(join(from, n)));
if (missing.length > 0) {
  console.error(`${from} lacks ${missing.join(', ')} (take them from the NuGet package of onnxruntime ${version})`);
  process.exit(1);
}
for (const n of names) copyFileSync(join(from, n), join(target, n));
console.log(`copied ${names.join(', ')} into ${target} (onnxruntime-node ${version}); \`npm run dist\` now packages them`);

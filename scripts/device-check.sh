#!/usr/bin/env bash
# The one prepared GPU check (issue: GPU via onnxruntime's CUDA provider). Run on a lent GPU machine
# from the repository root with node_modules present and onnxruntime's CUDA provider libraries placed
# next to the binding (docs/gpu.md). Prints the provider choice, the op-coverage check against the
# CPU, and the device benchmark; everything goes to $OUT (or ./device-results) as well.
set -uo pipefail
out="${OUT:-device-results}"
mkdir -p "$out"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || echo "no nvidia-smi" > "$out/nvidia-smi.txt"
npx lontar engine info | tee "$out/engine-info.txt"
npx lontar engine check --provider "${PROVIDER:-auto}" --json > "$out/op-coverage.json"; echo "op coverage exit $?" | tee -a "$out/engine-info.txt"
timeout "${BENCH_TIMEOUT:-420}" npx tsx bench/device.ts --provider "${PROVIDER:-auto}" --layers "${LAYERS:-24}" --json "$out/device.json" 2>&1 | tee "$out/device.txt"

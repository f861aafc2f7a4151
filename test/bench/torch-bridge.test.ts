// The benchmark's PyTorch twin never hangs a run: a twin that does not answer within its limit is
// killed and the reason is reported, and so is one that crashes. Fake interpreters stand in for
// Python, so these run without PyTorch.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { blasWarning, TorchTwin, TorchUnavailable } from '../../bench/torch-bridge';
import { hostTensor } from '../../main/engine/tensor';

const dir = mkdtempSync(join(tmpdir(), 'lontar-torch-bridge-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const weights: [string, ReturnType<typeof hostTensor>][] = [['w', hostTensor('float32', [2], [1, 2])]];
const batches = [{ input_ids: hostTensor('int64', [1, 1], [1]), attention_mask: hostTensor('int64', [1, 1], [1]), labels: hostTensor('int64', [1], [0]) }];

function fakePython(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('a twin that never answers is killed after its time limit, with the reason', async () => {
  const silent = fakePython('silent', 'exec sleep 30');
  const t0 = performance.now();
  await assert.rejects(TorchTwin.start(silent, dir, { threads: 1 }, weights, batches, 300), (e: unknown) => e instanceof TorchUnavailable && /^time-out: no answer to start-up within 0 s/.test(e.message));
  assert.ok(performance.now() - t0 < 5000, 'does not wait for the process');
});

test('a twin that answers once and then stalls times out on the call, not the run', async () => {
  const once = fakePython('once', `echo '{"ready":true,"initial_loss":1,"torch":"fake","blas":null,"matmul_gflops":100}'; exec sleep 30`);
  const twin = await TorchTwin.start(once, dir, { threads: 1 }, weights, batches, 300);
  assert.equal(twin.version, 'fake');
  await assert.rejects(twin.run('train', 1, 1), (e: unknown) => e instanceof TorchUnavailable && /time-out: no answer to train ×2/.test(e.message));
  twin.close();
});

test('a twin that crashes is reported with its last error line', async () => {
  const crash = fakePython('crash', `echo 'ModuleNotFoundError: No module named torch' >&2; exit 1`);
  await assert.rejects(TorchTwin.start(crash, dir, { threads: 1 }, weights, batches, 5000), (e: unknown) => e instanceof TorchUnavailable && /^crash during start-up .*No module named torch/.test(e.message));
});

test('the reference BLAS is warned about; a fast OpenBLAS is not', () => {
  assert.match(blasWarning({ blas: '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0', matmul_gflops: 6.2 })!, /reference BLAS: install libopenblas0-pthread/);
  assert.equal(blasWarning({ blas: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so', matmul_gflops: 289 }), null);
  assert.match(blasWarning({ blas: null, matmul_gflops: 4 })!, /unknown.*4\.0 GFLOP\/s/);
});

// A second process for the locking and crash tests. Modes:
//   open DIR          open for writing; print OPENED or the error (exit 3 on "in use"), then close
//   read DIR          open read-only and print the dataset count
//   hold DIR          open, record runs in a loop (printing HOLDING after the first commit) until killed
//   blobs DIR         open, write 2 MiB blobs in a loop (printing each hash once stored) until killed

import { randomBytes } from 'node:crypto';
import { Workspace, WorkspaceInUseError } from '../../../main/store/index';

const [mode, dir] = process.argv.slice(2) as [string, string];

try {
  if (mode === 'open') {
    const ws = Workspace.open(dir);
    process.stdout.write('OPENED\n');
    ws.close();
  } else if (mode === 'read') {
    const ws = Workspace.open(dir, { readonly: true });
    process.stdout.write(`DATASETS ${ws.datasets.list().length}\n`);
    ws.close();
  } else if (mode === 'hold') {
    const ws = Workspace.open(dir);
    for (let i = 0; ; i++) {
      const run = ws.runs.create({ kind: 'child', config: { i }, seed: i });
      ws.runs.start(run.id);
      ws.metrics.record(run.id, 1, { loss: 1 / (i + 1) });
      ws.runs.finish(run.id, 'done');
      if (i === 0) process.stdout.write('HOLDING\n');
    }
  } else if (mode === 'blobs') {
    const ws = Workspace.open(dir);
    for (;;) {
      const { hash } = ws.blobs.put(randomBytes(2 << 20));
      process.stdout.write(`BLOB ${hash}\n`);
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (e) {
  process.stdout.write(`ERROR ${(e as Error).name}: ${(e as Error).message}\n`);
  process.exit(e instanceof WorkspaceInUseError ? 3 : 1);
}

// Benchmark: import all 12 NusaX-Senti languages (12,000 rows) into a fresh temporary workspace,
// as `lontar data import --accept-warnings` does, and print how long each phase takes.
// Target (issue 5): under 2 s in total. Usage: npx tsx bench/import.ts [path/to/nusax-senti] [repeats]

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitImport, prepareImport } from '../main/data/index';
import { Workspace } from '../main/store/index';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2] ?? process.env.LONTAR_NUSAX ?? resolve(repo, '..', 'shared', 'data', 'nusax-senti');
const repeats = Number(process.argv[3] ?? 3);
if (!existsSync(source)) {
  console.error(`NusaX not found at ${source}; pass its path as the first argument`);
  process.exit(1);
}

const ms = (t0: number) => performance.now() - t0;
const rows: { run: number; validate: number; open: number; write: number; close: number; total: number; examples: number }[] = [];
for (let run = 1; run <= repeats; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'lontar-bench-'));
  try {
    const t0 = performance.now();
    const prepared = prepareImport(source);
    const validate = ms(t0);
    if (prepared.report.errors > 0) throw new Error(`NusaX did not validate: ${prepared.report.errors} errors`);
    const t1 = performance.now();
    const ws = Workspace.open(join(dir, 'ws'), { create: true });
    const open = ms(t1);
    const t2 = performance.now();
    commitImport(ws, prepared);
    const write = ms(t2);
    const t3 = performance.now();
    ws.close();
    rows.push({ run, validate, open, write, close: ms(t3), total: ms(t0), examples: prepared.read.examples.length });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (x: number) => x.toFixed(0).padStart(8);
console.log(`NusaX-Senti import from ${source}`);
console.log('run  read+validate(ms)  open(ms)  write(ms)  close(ms)  total(ms)  examples');
for (const r of rows) console.log(`${String(r.run).padStart(3)}  ${f(r.validate)}          ${f(r.open)}  ${f(r.write)}   ${f(r.close)}   ${f(r.total)}  ${r.examples}`);
const first = rows[0]!.total;
const best = Math.min(...rows.map((r) => r.total));
console.log(`\nfirst (cold) run: ${(first / 1000).toFixed(2)} s, best: ${(best / 1000).toFixed(2)} s, target < 2 s: ${first < 2000 ? 'met' : 'NOT met'}`);
console.log(`throughput (cold): ${Math.round(rows[0]!.examples / (first / 1000))} rows/s`);

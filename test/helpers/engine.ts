// Shared test plumbing: one CPU runner per test process, and "encode, load, run" in one call.

import { after } from 'node:test';
import type { Graph } from '../../main/engine/graph';
import { encodeModel } from '../../main/engine/onnx/encode';
import { LocalRunner } from '../../main/engine/runtime/runner';
import type { HostTensor } from '../../main/engine/tensor';

let shared: LocalRunner | undefined;

export function testRunner(): LocalRunner {
  if (!shared) {
    shared = new LocalRunner({ threads: 2, provider: 'cpu' });
    after(() => shared?.close());
  }
  return shared;
}

/** A loaded session for the graph (optionally only some outputs) with a plain run function. */
export async function compile(g: Graph, outputs?: string[]) {
  const runner = testRunner();
  const model = encodeModel(g, outputs ? { outputs } : {});
  const info = await runner.load(model);
  return {
    model,
    run: (feeds: Record<string, HostTensor>) => runner.run(info.id, { feeds }),
    release: () => runner.release(info.id),
  };
}

export async function runGraph(g: Graph, feeds: Record<string, HostTensor>, outputs?: string[]) {
  const s = await compile(g, outputs);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

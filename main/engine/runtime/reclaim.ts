// The buffers of replaced runner state go back only when V8 collects their tensors, and V8 sees
// them as small objects: full fine-tuning of the 24-layer Qwen2.5-0.5B shape, whose update replaces
// 5.5 GiB of parameters and moments a step, peaked at 20.1 GB from its second step on, 3.5 GB above
// its first step, with the old values still resident. A run that replaced this much asks for a
// collection at once (onnxruntime-node gives no way to release an output's buffer itself).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Replaced state of at least this many bytes in one run asks for a collection. */
export const RECLAIM_BYTES = 256 * 2 ** 20;

let collect: (() => void) | undefined;

/** A full garbage collection (V8's `gc`, exposed at run time); what it frees is returned by the next turn. */
export function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

// Binds a model's weights into a graph according to what is trainable and the parameter layout:
//   frozen            → an initializer (external data when large), or with `frozenAs: 'input'` a
//                       graph input the caller feeds from runner state (`constants`): onnxruntime
//                       copies initializers into each session, state is shared and never copied
//   whole             → a graph input the optimizer updates
//   slices (layout "inputs") → the whole tensor is an input, with a mask gating which elements change
//   slices (layout "split")  → only the trainable pieces are inputs; frozen pieces are initializers
//                              joined in-graph (linear layers consume the pieces directly)
// Tensors enter the graph lazily, when the model first asks for them.

import type { Graph, Value } from '../graph';
import { concat } from '../ops/shape-ops';
import type { SegmentedWeight } from '../ops/segmented-linear';
import { hostTensor, type HostTensor } from '../tensor';
import { normalizeRanges, segmentAxis, sliceHost, writeSlice, type Range } from './host-slices';

export type Trainability =
  | { kind: 'frozen' }
  | { kind: 'whole' }
  | { kind: 'slices'; axis: number; ranges: readonly Range[] };

export type ParameterLayout = 'inputs' | 'split';

export interface BindOptions {
  layout: ParameterLayout;
  trainability: (name: string) => Trainability;
  /** Which trainable tensors get weight decay (default: those of rank ≥ 2, i.e. not biases or norms). */
  decay?: (name: string, tensor: HostTensor) => boolean;
  /** Frozen tensors and pieces as initializers (default) or as inputs listed in `constants`. */
  frozenAs?: 'initializer' | 'input';
}

/** One graph input the optimizer updates, and where its values come from. */
export interface TrainableTensor {
  /** Graph input name, also its state name in the runner. */
  key: string;
  input: Value;
  /** The checkpoint tensor it belongs to. */
  source: string;
  /** For a piece of a tensor (split layout): its position along `axis`. */
  piece?: { axis: number; start: number };
  /** For a whole tensor with only some elements trainable (inputs layout). */
  mask?: HostTensor<'bool'>;
  decay: boolean;
  initial: HostTensor;
}

const FROZEN: Trainability = { kind: 'frozen' };
const pieceName = (name: string, axis: number, r: Range) => `${name}@${axis}:${r.start}-${r.end}`;

function rangeMask(t: HostTensor, axis: number, ranges: readonly Range[]): HostTensor<'bool'> {
  const shape = t.shape.map((d, i) => (i === axis ? d : 1));
  const data = new Uint8Array(t.shape[axis]!);
  for (const r of ranges) data.fill(1, r.start, r.end);
  return hostTensor('bool', shape, data);
}

export class ParameterBinding {
  readonly trainables: TrainableTensor[] = [];
  /** Frozen graph inputs (with `frozenAs: 'input'`) and the values to feed them. */
  readonly constants = new Map<string, HostTensor>();
  private readonly bound = new Map<string, Value | SegmentedWeight>();

  constructor(
    private readonly graph: Graph,
    private readonly weights: ReadonlyMap<string, HostTensor>,
    private readonly options: BindOptions,
  ) {}

  private source(name: string): HostTensor {
    const t = this.weights.get(name);
    if (!t) throw new Error(`the model asks for tensor "${name}", which the checkpoint does not have`);
    return t;
  }

  private addTrainable(key: string, source: string, initial: HostTensor, extra: Partial<TrainableTensor> = {}): Value {
    const input = this.graph.input(key, initial.dtype, initial.shape, { requiresGrad: true });
    const decay = this.options.decay ? this.options.decay(source, this.source(source)) : initial.shape.length >= 2;
    this.trainables.push({ key, input, source, decay, initial, ...extra });
    return input;
  }

  private frozen(key: string, t: HostTensor): Value {
    if (this.options.frozenAs !== 'input') return this.graph.initializer(key, t);
    this.constants.set(key, t);
    return this.graph.input(key, t.dtype, t.shape);
  }

  private bind(name: string): Value | SegmentedWeight {
    const t = this.source(name);
    const how = this.options.trainability(name) ?? FROZEN;
    if (how.kind === 'frozen') return this.frozen(name, t);
    if (how.kind === 'whole') return this.addTrainable(name, name, t);
    const ranges = normalizeRanges(how.ranges);
    if (this.options.layout === 'inputs') return this.addTrainable(name, name, t, { mask: rangeMask(t, how.axis, ranges) });
    const parts = segmentAxis(t.shape[how.axis]!, ranges).map((seg) => {
      const piece = sliceHost(t, how.axis, seg);
      const key = pieceName(name, how.axis, seg);
      return seg.trainable
        ? this.addTrainable(key, name, piece, { piece: { axis: how.axis, start: seg.start } })
        : this.frozen(key, piece);
    });
    return { axis: how.axis as 0 | 1, parts };
  }

  private get(name: string): Value | SegmentedWeight {
    let v = this.bound.get(name);
    if (!v) {
      v = this.bind(name);
      this.bound.set(name, v);
    }
    return v;
  }

  /** The tensor as the model uses it, at its full shape. */
  tensor(name: string): Value {
    const v = this.get(name);
    return 'parts' in v ? concat(v.parts, v.axis) : v;
  }

  /** A linear layer's weight: whole, or its pieces when the split layout cut it. */
  weight(name: string): Value | SegmentedWeight {
    const v = this.get(name);
    if ('parts' in v && v.axis > 1) throw new Error(`weight "${name}" is split along axis ${v.axis}; linear needs 0 or 1`);
    return v;
  }
}

/**
 * The checkpoint after training: each trainable tensor's new value written over a copy of its source
 * tensor (pieces into place); untouched tensors are shared with the input map.
 */
export function mergeTrained(
  weights: ReadonlyMap<string, HostTensor>,
  trainables: readonly TrainableTensor[],
  values: Readonly<Record<string, HostTensor>>,
): Map<string, HostTensor> {
  const out = new Map(weights);
  const copied = new Set<string>();
  for (const t of trainables) {
    const value = values[t.key];
    if (!value) throw new Error(`no trained value for "${t.key}"`);
    if (!t.piece) {
      out.set(t.source, value);
      continue;
    }
    if (!copied.has(t.source)) {
      const src = weights.get(t.source)!;
      out.set(t.source, { dtype: src.dtype, shape: [...src.shape], data: src.data.slice() } as HostTensor);
      copied.add(t.source);
    }
    writeSlice(out.get(t.source)!, t.piece.axis, t.piece.start, value);
  }
  return out;
}

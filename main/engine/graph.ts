// The graph IR: symbolic tensors (Value), ONNX nodes, graph inputs, initializers and outputs, and the
// tape of registry-op applications that autodiff walks backwards.

import type { DType } from './dtype';
import { formatShape, hostTensor, type HostTensor, type Shape } from './tensor';
import type { TapeEntry, TensorSpec } from './ops/op-def';

export type Attr =
  | { i: number }
  | { f: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { s: string }
  | { t: HostTensor }
  | { g: Subgraph };

/** A graph used as an attribute (a Loop body): its inputs and outputs in the order the op binds them. */
export interface Subgraph {
  graph: Graph;
  inputs: readonly Value[];
  outputs: readonly Value[];
}

export type Attrs = Record<string, Attr>;

export type ValueKind = 'input' | 'initializer' | 'node' | 'outer';

export class Value {
  /** Set by autodiff bookkeeping: true when a gradient can flow from this value to a trainable input. */
  requiresGrad = false;
  producer: OnnxNode | undefined;

  /** For kind 'outer': the value of an enclosing graph this one stands for (subgraphs only). */
  ref: Value | undefined;

  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly dtype: DType,
    readonly shape: Shape,
    /** Changes only when `Graph.computeInput` turns an input into a computed value. */
    public kind: ValueKind,
    /** Fixed name for inputs and initializers; node outputs are named at encoding time. */
    readonly name: string | undefined,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  describe(): string {
    return `${this.name ?? `%${this.id}`} ${this.dtype}${formatShape(this.shape)}`;
  }
}

export interface OnnxNode {
  readonly id: number;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attrs: Attrs;
  /** Scope path of the registry op that emitted it, e.g. `layers.0.attn/MatMul`. */
  readonly name: string;
}

export class GraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphError';
  }
}

export class Graph {
  readonly nodes: OnnxNode[] = [];
  readonly inputs: Value[] = [];
  readonly initializers = new Map<Value, HostTensor>();
  readonly outputs: { name: string; value: Value }[] = [];
  readonly tape: TapeEntry[] = [];
  private nextId = 0;
  private scopes: string[] = [];
  private recording = true;
  private readonly names = new Set<string>();
  private readonly scalarConstants = new Map<string, Value>();

  /** Names nodes emitted inside `fn` with a scope prefix, for error messages and profiles. */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  get scopePath(): string {
    return this.scopes.join('.');
  }

  /** Runs `fn` without recording tape entries (used for composite emission and backward passes). */
  withoutTape<T>(fn: () => T): T {
    const prev = this.recording;
    this.recording = false;
    try {
      return fn();
    } finally {
      this.recording = prev;
    }
  }

  get isRecording(): boolean {
    return this.recording;
  }

  private claimName(name: string): void {
    if (this.names.has(name)) throw new GraphError(`duplicate graph name "${name}"`);
    this.names.add(name);
  }

  input(name: string, dtype: DType, shape: Shape, opts: { requiresGrad?: boolean } = {}): Value {
    this.claimName(name);
    const v = new Value(this, this.nextId++, dtype, [...shape], 'input', name);
    v.requiresGrad = opts.requiresGrad ?? false;
    this.inputs.push(v);
    return v;
  }

  /** A frozen tensor baked into the model (large ones go to external data at encoding). */
  initializer(name: string, tensor: HostTensor): Value {
    this.claimName(name);
    const v = new Value(this, this.nextId++, tensor.dtype, [...tensor.shape], 'initializer', name);
    this.initializers.set(v, tensor);
    return v;
  }

  /** An anonymous constant; scalars of the same dtype and value are shared. */
  constant(tensor: HostTensor): Value {
    const key = tensor.shape.length === 0 ? `${tensor.dtype}:${String(tensor.data[0])}` : undefined;
    const cached = key === undefined ? undefined : this.scalarConstants.get(key);
    if (cached) return cached;
    const name = `const.${this.nextId}`;
    const v = this.initializer(name, tensor);
    if (key !== undefined) this.scalarConstants.set(key, v);
    return v;
  }

  scalar(value: number, dtype: DType): Value {
    return this.constant(hostTensor(dtype, [], [value]));
  }

  ints(values: readonly number[]): Value {
    return this.constant(hostTensor('int64', [values.length], values));
  }

  /** Emits one raw ONNX node whose output specs the caller already knows. */
  node(opType: string, inputs: readonly (Value | null)[], attrs: Attrs, specs: readonly TensorSpec[], domain = ''): Value[] {
    for (const v of inputs) {
      if (v && v.graph !== this) throw new GraphError(`${opType}: input ${v.describe()} belongs to another graph`);
    }
    const outputs = specs.map((s) => new Value(this, this.nextId++, s.dtype, [...s.shape], 'node', undefined));
    const node: OnnxNode = {
      id: this.nodes.length,
      opType,
      domain,
      inputs: [...inputs],
      outputs,
      attrs,
      name: this.scopePath ? `${this.scopePath}/${opType}` : opType,
    };
    for (const o of outputs) o.producer = node;
    this.nodes.push(node);
    return outputs;
  }

  /** A value of an enclosing graph, as seen from this graph (a subgraph such as a Loop body). */
  outer(value: Value): Value {
    const v = new Value(this, this.nextId++, value.dtype, value.shape, 'outer', undefined);
    v.ref = value;
    return v;
  }

  /**
   * Turns one of this graph's inputs into the output of a new raw node, so a graph built for one step
   * can be wrapped (e.g. a Loop body computes its batch from the iteration number). Consumers keep
   * the same Value; the encoder orders nodes topologically.
   */
  computeInput(input: Value, opType: string, inputs: readonly (Value | null)[], attrs: Attrs = {}): void {
    const at = this.inputs.indexOf(input);
    if (at < 0) throw new GraphError(`computeInput: ${input.describe()} is not an input of this graph`);
    this.inputs.splice(at, 1);
    input.kind = 'node';
    const node: OnnxNode = { id: this.nodes.length, opType, domain: '', inputs: [...inputs], outputs: [input], attrs, name: `${opType}->${input.name}` };
    input.producer = node;
    this.nodes.push(node);
  }

  record(entry: TapeEntry): void {
    if (this.recording) this.tape.push(entry);
  }

  output(value: Value, name: string): void {
    if (value.graph !== this) throw new GraphError(`output "${name}": value belongs to another graph`);
    if (this.outputs.some((o) => o.name === name)) throw new GraphError(`duplicate output name "${name}"`);
    this.claimName(name);
    this.outputs.push({ name, value });
  }
}

// Graph → ONNX ModelProto bytes. Only nodes that outputs depend on are kept (dead-node pruning);
// outputs are named by renaming their producer's result (no Identity copies); initializers above a
// size threshold go to external data, one in-memory blob per tensor, viewed without copying.

import { BYTES_PER_ELEMENT, ONNX_DTYPE, type DType } from '../dtype';
import { GraphError, type Attr, type Graph, type OnnxNode, type Value } from '../graph';
import type { HostTensor } from '../tensor';
import { ProtoWriter } from './protobuf';

export const OPSET = 20;
const IR_VERSION = 9;

export interface NamedSpec {
  name: string;
  dtype: DType;
  shape: number[];
}

export interface ExternalBlob {
  path: string;
  data: Uint8Array;
  /** Byte offset inside `path` (file mode: every blob shares one file). */
  offset: number;
}

export interface EncodedModel {
  bytes: Uint8Array;
  externalData: ExternalBlob[];
  inputs: NamedSpec[];
  outputs: NamedSpec[];
  nodeCount: number;
  /** onnxruntime session config entries this graph runs best with. */
  sessionConfig: Record<string, string>;
}

export interface EncodeOptions {
  /** Initializers of at least this many bytes are stored as external data (default 1 KiB). */
  externalMinBytes?: number;
  docString?: string;
  metadata?: Record<string, string>;
  /** Encode only these graph outputs (default: all); nodes only the others need are pruned. */
  outputs?: readonly string[];
  /**
   * Store external tensors in one file of this name (for writing to disk; see write-model.ts), at
   * page-aligned offsets so onnxruntime can memory-map them. Default: one in-memory blob per tensor.
   */
  externalDataFile?: string;
}

/** Offsets in a shared external-data file are multiples of this (mmap-friendly, as ONNX advises). */
export const EXTERNAL_ALIGNMENT = 4096;

export function bytesOf(t: HostTensor): Uint8Array {
  const d = t.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.length * BYTES_PER_ELEMENT[t.dtype]);
}

function writeTensor(w: ProtoWriter, name: string, t: HostTensor, external?: ExternalBlob): void {
  w.packedInts(1, t.shape);
  w.int(2, ONNX_DTYPE[t.dtype]);
  w.string(8, name);
  if (external === undefined) {
    w.bytes(9, bytesOf(t));
    return;
  }
  const entry = (key: string, value: string) => w.message(13, (e) => e.string(1, key).string(2, value));
  entry('location', external.path);
  entry('offset', String(external.offset));
  entry('length', String(external.data.length));
  w.int(14, 1);
}

function writeAttr(w: ProtoWriter, name: string, a: Attr): void {
  w.string(1, name);
  if ('i' in a) w.int(20, 2).int(3, a.i);
  else if ('f' in a) w.int(20, 1).float32(2, a.f);
  else if ('ints' in a) w.int(20, 7).packedInts(8, a.ints);
  else if ('floats' in a) w.int(20, 6).packedFloats(7, a.floats);
  else if ('s' in a) w.int(20, 3).bytes(4, new TextEncoder().encode(a.s));
  else w.int(20, 4).message(5, (t) => writeTensor(t, '', a.t));
}

function writeValueInfo(w: ProtoWriter, spec: NamedSpec): void {
  w.string(1, spec.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_DTYPE[spec.dtype]);
      tensor.message(2, (shape) => {
        for (const d of spec.shape) shape.message(1, (dim) => dim.int(1, d));
      });
    }),
  );
}

/** Ops whose trailing outputs are optional in ONNX: unused ones are left off (cheaper kernels). */
const OPTIONAL_TRAILING_OUTPUTS = new Set(['LayerNormalization']);

function keptOutputs(n: OnnxNode, used: ReadonlySet<Value>): readonly Value[] {
  if (!OPTIONAL_TRAILING_OUTPUTS.has(n.opType)) return n.outputs;
  let last = 0;
  n.outputs.forEach((o, i) => {
    if (used.has(o)) last = i;
  });
  return n.outputs.slice(0, last + 1);
}

/**
 * Measured on the benchmark encoder: onnxruntime's fused SkipLayerNormalization kernel is slower than
 * Add + LayerNormalization (forward 33 → 29 ms), but only in inference graphs; where LayerNorm also
 * yields its statistics for a backward pass the fusion is neutral, so it is left on there.
 */
function sessionConfigFor(nodes: readonly OnnxNode[], used: ReadonlySet<Value>): Record<string, string> {
  const disabled: string[] = [];
  const statsUsed = nodes.some((n) => n.opType === 'LayerNormalization' && keptOutputs(n, used).length > 1);
  if (!statsUsed) disabled.push('SkipLayerNormFusion');
  // MatMulScaleFusion folds a scalar Mul into FusedMatMul, whose alpha is a float attribute: a double
  // scale such as 1/√d_head would be narrowed to float32 (a 1e-8 error in float64 parity checks).
  if (nodes.some((n) => n.opType === 'MatMul' && n.outputs[0]?.dtype === 'float64')) disabled.push('MatMulScaleFusion');
  // onnxruntime separates the optimizer names with semicolons.
  return disabled.length > 0 ? { 'optimization.disable_specified_optimizers': disabled.join(';') } : {};
}

/** The nodes the outputs depend on, in creation (hence topological) order. */
function liveNodes(graphOutputs: readonly { value: Value }[]): Set<OnnxNode> {
  const live = new Set<OnnxNode>();
  const stack: Value[] = graphOutputs.map((o) => o.value);
  while (stack.length) {
    const v = stack.pop()!;
    const n = v.producer;
    if (!n || live.has(n)) continue;
    live.add(n);
    for (const i of n.inputs) if (i) stack.push(i);
  }
  return live;
}

export function encodeModel(g: Graph, opts: EncodeOptions = {}): EncodedModel {
  const graphOutputs = opts.outputs
    ? opts.outputs.map((name) => {
        const o = g.outputs.find((x) => x.name === name);
        if (!o) throw new GraphError(`encode: no graph output named "${name}"`);
        return o;
      })
    : g.outputs;
  if (graphOutputs.length === 0) throw new GraphError('encode: the graph has no outputs');
  const threshold = opts.externalMinBytes ?? 1024;
  const live = liveNodes(graphOutputs);
  const nodes = g.nodes.filter((n) => live.has(n));

  const names = new Map<Value, string>();
  const used = new Set<Value>();
  for (const n of nodes) for (const i of n.inputs) if (i) used.add(i);
  for (const o of graphOutputs) used.add(o.value);

  const extraNodes: { input: string; output: string }[] = [];
  for (const { name, value } of graphOutputs) {
    const fixed = value.name ?? names.get(value);
    if (fixed === undefined) names.set(value, name);
    else extraNodes.push({ input: fixed, output: name }); // an input or an already-named value: needs a copy
  }
  let auto = 0;
  const nameOf = (v: Value): string => {
    if (v.name !== undefined) return v.name;
    let n = names.get(v);
    if (n === undefined) {
      n = `_t${auto++}`;
      names.set(v, n);
    }
    return n;
  };

  const inputs: NamedSpec[] = g.inputs
    .filter((v) => used.has(v))
    .map((v) => ({ name: v.name!, dtype: v.dtype, shape: [...v.shape] }));
  const outputs: NamedSpec[] = graphOutputs.map(({ name, value }) => ({ name, dtype: value.dtype, shape: [...value.shape] }));
  const externalData: ExternalBlob[] = [];
  const domains = new Set(nodes.map((n) => n.domain).filter((d) => d !== ''));

  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'lontar');
  model.string(6, opts.docString);
  model.message(7, (graph) => {
    for (const n of nodes) {
      graph.message(1, (w) => {
        for (const i of n.inputs) {
          if (i) w.string(1, nameOf(i));
          else w.bytes(1, new Uint8Array(0)); // an omitted optional input keeps its position
        }
        for (const o of keptOutputs(n, used)) w.string(2, nameOf(o));
        w.string(3, `${n.name}#${n.id}`);
        w.string(4, n.opType);
        for (const [k, a] of Object.entries(n.attrs)) w.message(5, (aw) => writeAttr(aw, k, a));
        w.string(7, n.domain);
      });
    }
    for (const e of extraNodes) {
      graph.message(1, (w) => w.string(1, e.input).string(2, e.output).string(4, 'Identity'));
    }
    graph.string(2, 'lontar');
    let fileOffset = 0;
    for (const [v, t] of g.initializers) {
      if (!used.has(v)) continue;
      const data = bytesOf(t);
      let blob: ExternalBlob | undefined;
      if (data.length >= threshold && opts.externalDataFile) {
        blob = { path: opts.externalDataFile, data, offset: fileOffset };
        fileOffset += Math.ceil(data.length / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
      } else if (data.length >= threshold) {
        blob = { path: `${v.name}.bin`.replace(/[^A-Za-z0-9_.-]/g, '_') + `.${externalData.length}`, data, offset: 0 };
      }
      if (blob) externalData.push(blob);
      graph.message(5, (w) => writeTensor(w, v.name!, t, blob));
    }
    for (const s of inputs) graph.message(11, (w) => writeValueInfo(w, s));
    for (const s of outputs) graph.message(12, (w) => writeValueInfo(w, s));
  });
  model.message(8, (w) => w.string(1, '').int(2, OPSET));
  for (const d of domains) model.message(8, (w) => w.string(1, d).int(2, 1));
  for (const [k, v] of Object.entries(opts.metadata ?? {})) model.message(14, (w) => w.string(1, k).string(2, v));
  return {
    bytes: model.finish(),
    externalData,
    inputs,
    outputs,
    nodeCount: nodes.length + extraNodes.length,
    sessionConfig: sessionConfigFor(nodes, used),
  };
}

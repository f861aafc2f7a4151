// Graph → ONNX ModelProto bytes. Only nodes that outputs depend on are kept (dead-node pruning, also
// inside Loop bodies); outputs are named by renaming their producer's result (no Identity copies);
// every initializer (a body's too) sits in the main graph, those above a size threshold in external
// data: one in-memory blob per tensor viewed without copying, or one page-aligned file.

import { GraphError, type Attr, type Graph, type OnnxNode, type Subgraph, type Value } from '../graph';
import { liveFrom, topologicalNodes, ValueNames, type LiveSet } from './graph-walk';
import { ProtoWriter } from './protobuf';
import { bytesOf, writeTensor, writeValueInfo, type ExternalBlob, type NamedSpec } from './tensor-proto';

export { bytesOf, type ExternalBlob, type NamedSpec } from './tensor-proto';

export const OPSET = 20;
const IR_VERSION = 9;


export interface EncodedModel {
  bytes: Uint8Array;
  externalData: ExternalBlob[];
  inputs: NamedSpec[];
  outputs: NamedSpec[];
  nodeCount: number;
  /** onnxruntime session config entries this graph runs best with. */
  sessionConfig: Record<string, string>;
  /**
   * false: the session allocates without onnxruntime's CPU arena, so what a run allocated goes back
   * once it ends (an arena keeps its peak for the session's life); for runs whose outputs are large.
   */
  memoryArena?: false;
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

interface EncodeContext {
  names: ValueNames;
  live: LiveSet;
  used: Set<Value>;
}

function writeAttr(w: ProtoWriter, name: string, a: Attr, ctx: EncodeContext): void {
  w.string(1, name);
  if ('i' in a) w.int(20, 2).int(3, a.i);
  else if ('f' in a) w.int(20, 1).float32(2, a.f);
  else if ('ints' in a) w.int(20, 7).packedInts(8, a.ints);
  else if ('floats' in a) w.int(20, 6).packedFloats(7, a.floats);
  else if ('s' in a) w.int(20, 3).bytes(4, new TextEncoder().encode(a.s));
  else if ('t' in a) w.int(20, 4).message(5, (t) => writeTensor(t, '', a.t));
  else w.int(20, 5).message(6, (g) => writeSubgraph(g, a.g, ctx));
}

function writeNodes(w: ProtoWriter, graph: Graph, ctx: EncodeContext): OnnxNode[] {
  const nodes = topologicalNodes(graph, ctx.live.nodes);
  for (const n of nodes) {
    w.message(1, (nw) => {
      for (const i of n.inputs) {
        if (i) nw.string(1, ctx.names.of(i));
        else nw.bytes(1, new Uint8Array(0)); // an omitted optional input keeps its position
      }
      for (const o of keptOutputs(n, ctx.used)) nw.string(2, ctx.names.of(o));
      nw.string(3, `${n.name}#${n.id}`);
      nw.string(4, n.opType);
      for (const [k, a] of Object.entries(n.attrs)) nw.message(5, (aw) => writeAttr(aw, k, a, ctx));
      nw.string(7, n.domain);
    });
  }
  return nodes;
}

const specOf = (name: string, v: Value): NamedSpec => ({ name, dtype: v.dtype, shape: [...v.shape] });

/** A Loop body: inputs and outputs bound by position; its initializers live in the main graph. */
function writeSubgraph(w: ProtoWriter, sub: Subgraph, ctx: EncodeContext): void {
  writeNodes(w, sub.graph, ctx);
  w.string(2, 'body');
  for (const v of sub.inputs) w.message(11, (vw) => writeValueInfo(vw, specOf(ctx.names.of(v), v)));
  for (const v of sub.outputs) w.message(12, (vw) => writeValueInfo(vw, specOf(ctx.names.of(v), v)));
}

function selectOutputs(g: Graph, wanted?: readonly string[]) {
  if (!wanted) return g.outputs;
  return wanted.map((name) => {
    const o = g.outputs.find((x) => x.name === name);
    if (!o) throw new GraphError(`encode: no graph output named "${name}"`);
    return o;
  });
}

/** Every initializer reachable from the live graph (main graph and bodies). */
function liveInitializers(g: Graph, live: LiveSet) {
  const graphs = new Set<Graph>([g]);
  for (const n of live.nodes) for (const a of Object.values(n.attrs)) if ('g' in a) graphs.add(a.g.graph);
  return [...graphs].flatMap((graph) => [...graph.initializers].filter(([v]) => live.values.has(v)));
}

export function encodeModel(g: Graph, opts: EncodeOptions = {}): EncodedModel {
  const graphOutputs = selectOutputs(g, opts.outputs);
  if (graphOutputs.length === 0) throw new GraphError('encode: the graph has no outputs');
  const threshold = opts.externalMinBytes ?? 1024;
  const live = liveFrom(graphOutputs.map((o) => o.value));
  const used = new Set<Value>();
  for (const n of live.nodes) for (const i of n.inputs) if (i) used.add(i);
  for (const o of graphOutputs) used.add(o.value);
  const ctx: EncodeContext = { names: new ValueNames(), live, used };

  const mainInputs = g.inputs.filter((v) => live.values.has(v));
  for (const v of mainInputs) ctx.names.fix(v, v.name!);
  const copies: { from: Value; to: string }[] = [];
  for (const { name, value } of graphOutputs) {
    if (value.kind === 'node' && !ctx.names.has(value)) ctx.names.fix(value, name);
    else copies.push({ from: value, to: name }); // an input, initializer or twice-named value: needs a copy
  }

  const externalData: ExternalBlob[] = [];
  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'lontar');
  model.string(6, opts.docString);
  model.message(7, (graph) => {
    writeNodes(graph, g, ctx);
    for (const c of copies) graph.message(1, (w) => w.string(1, ctx.names.of(c.from)).string(2, c.to).string(4, 'Identity'));
    graph.string(2, 'lontar');
    let fileOffset = 0;
    for (const [v, t] of liveInitializers(g, live)) {
      const data = bytesOf(t);
      const name = ctx.names.of(v);
      let blob: ExternalBlob | undefined;
      if (data.length >= threshold && opts.externalDataFile) {
        blob = { path: opts.externalDataFile, data, offset: fileOffset };
        fileOffset += Math.ceil(data.length / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
      } else if (data.length >= threshold) {
        blob = { path: `${name}.bin`.replace(/[^A-Za-z0-9_.-]/g, '_') + `.${externalData.length}`, data, offset: 0 };
      }
      if (blob) externalData.push(blob);
      graph.message(5, (w) => writeTensor(w, name, t, blob));
    }
    for (const v of mainInputs) graph.message(11, (w) => writeValueInfo(w, specOf(v.name!, v)));
    for (const o of graphOutputs) graph.message(12, (w) => writeValueInfo(w, specOf(o.name, o.value)));
  });
  const domains = new Set([...live.nodes].map((n) => n.domain).filter((d) => d !== ''));
  model.message(8, (w) => w.string(1, '').int(2, OPSET));
  for (const d of domains) model.message(8, (w) => w.string(1, d).int(2, 1));
  for (const [k, v] of Object.entries(opts.metadata ?? {})) model.message(14, (w) => w.string(1, k).string(2, v));
  return {
    bytes: model.finish(),
    externalData,
    inputs: mainInputs.map((v) => specOf(v.name!, v)),
    outputs: graphOutputs.map((o) => specOf(o.name, o.value)),
    nodeCount: live.nodes.size + copies.length,
    sessionConfig: sessionConfigFor([...live.nodes], used),
  };
}

// The op registry: ops register themselves by name; `applyOp` validates, emits and records on the tape.

import { GraphError, type Graph, type Value } from '../graph';
import { sameShape } from '../shape';
import { formatShape } from '../tensor';
import { ShapeError, type OpDef } from './op-def';

const registry = new Map<string, OpDef<any, any>>();

export function defineOp<A, S = undefined>(def: OpDef<A, S>): OpDef<A, S> {
  if (registry.has(def.name)) throw new Error(`op "${def.name}" is registered twice`);
  registry.set(def.name, def as OpDef<any, any>);
  return def;
}

export function lookupOp(name: string): OpDef<any, any> {
  const def = registry.get(name);
  if (!def) throw new GraphError(`unknown op "${name}"; known ops: ${[...registry.keys()].sort().join(', ')}`);
  return def;
}

export function registeredOps(): OpDef<any, any>[] {
  return [...registry.values()];
}

function describeInputs(inputs: readonly Value[]): string {
  return inputs.map((v, i) => `#${i} ${v.describe()}`).join(', ');
}

function nodeLabel(g: Graph, def: OpDef<any, any>): string {
  return g.scopePath ? `${def.name} node "${g.scopePath}"` : `${def.name} node`;
}

export function applyOp<A, S>(def: OpDef<A, S>, inputs: readonly Value[], attrs: A, graph?: Graph): Value[] {
  const g = graph ?? inputs[0]?.graph;
  if (!g) throw new GraphError(`${def.name}: no inputs and no graph given`);
  for (const v of inputs) {
    if (!v) throw new GraphError(`${nodeLabel(g, def)}: an input is missing`);
    if (v.graph !== g) throw new GraphError(`${nodeLabel(g, def)}: input ${v.describe()} belongs to another graph`);
  }
  let specs;
  try {
    specs = def.infer(inputs, attrs);
  } catch (e) {
    if (e instanceof ShapeError) {
      throw new GraphError(`${nodeLabel(g, def)}: ${e.message}; inputs: ${describeInputs(inputs)}`);
    }
    throw e;
  }
  const { outputs, saved } = g.withoutTape(() => def.emit(g, inputs, attrs, specs));
  outputs.forEach((o, i) => {
    const s = specs[i]!;
    if (o.dtype !== s.dtype || !sameShape(o.shape, s.shape)) {
      throw new GraphError(
        `${nodeLabel(g, def)} emitted ${o.describe()} but inferred ${s.dtype}${formatShape(s.shape)} (engine bug)`,
      );
    }
  });
  const differentiable = (i: number) => !(def.nonDifferentiable ?? []).includes(i);
  const requiresGrad = g.isRecording && inputs.some((v, i) => v.requiresGrad && differentiable(i));
  for (const o of outputs) o.requiresGrad = requiresGrad;
  g.record({ op: def, graph: g, inputs: [...inputs], outputs, attrs, saved: saved as S, scope: g.scopePath });
  return outputs;
}

/** Apply an op by name: the entry point for code that holds op names as data. */
export function callOp(g: Graph, name: string, inputs: Value[], attrs: Record<string, unknown> = {}): Value[] {
  return applyOp(lookupOp(name), inputs, attrs, g);
}

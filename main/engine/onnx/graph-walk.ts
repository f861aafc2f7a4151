// What an encoded model contains and in which order: the nodes the outputs depend on (following Loop
// bodies into their subgraphs and outer references back out), each graph's nodes in topological
// order, and one naming of every value across all graphs.

import { GraphError, type Graph, type OnnxNode, type Value } from '../graph';

export interface LiveSet {
  nodes: Set<OnnxNode>;
  /** Every value some live node or output reads. */
  values: Set<Value>;
}

export function liveFrom(roots: readonly Value[]): LiveSet {
  const nodes = new Set<OnnxNode>();
  const values = new Set<Value>();
  const stack = [...roots];
  while (stack.length) {
    const v = stack.pop()!;
    if (values.has(v)) continue;
    values.add(v);
    if (v.kind === 'outer') stack.push(v.ref!);
    const n = v.producer;
    if (!n || nodes.has(n)) continue;
    nodes.add(n);
    for (const i of n.inputs) if (i) stack.push(i);
    for (const a of Object.values(n.attrs)) if ('g' in a) stack.push(...a.g.outputs);
  }
  return { nodes, values };
}

/** The live nodes of one graph, producers before consumers (creation order where it already is). */
export function topologicalNodes(graph: Graph, live: ReadonlySet<OnnxNode>): OnnxNode[] {
  const out: OnnxNode[] = [];
  const done = new Set<OnnxNode>();
  for (const start of graph.nodes) {
    if (!live.has(start) || done.has(start)) continue;
    const stack: [OnnxNode, number][] = [[start, 0]];
    const onStack = new Set([start]);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      if (i < node.inputs.length) {
        top[1]++;
        const p = node.inputs[i]?.producer;
        if (p && p !== node && live.has(p) && !done.has(p) && node.inputs[i]!.graph === graph) {
          if (onStack.has(p)) throw new GraphError(`encode: cycle through ${p.name} (engine bug)`);
          stack.push([p, 0]);
          onStack.add(p);
        }
        continue;
      }
      stack.pop();
      onStack.delete(node);
      done.add(node);
      out.push(node);
    }
  }
  return out;
}

/** Unique names for values across the main graph and its subgraphs. */
export class ValueNames {
  private readonly names = new Map<Value, string>();
  private readonly used = new Set<string>();
  private auto = 0;

  /** Gives `v` exactly `name` (graph inputs and outputs). */
  fix(v: Value, name: string): void {
    if (this.used.has(name) && this.names.get(v) !== name) throw new GraphError(`encode: the name "${name}" is used twice`);
    this.names.set(v, name);
    this.used.add(name);
  }

  has(v: Value): boolean {
    return this.names.has(v);
  }

  of(v: Value): string {
    if (v.kind === 'outer') return this.of(v.ref!);
    let n = this.names.get(v);
    if (n !== undefined) return n;
    const preferred = v.name ?? `_t${this.auto++}`;
    n = preferred;
    for (let k = 1; this.used.has(n); k++) n = `${preferred}~${k}`;
    this.names.set(v, n);
    this.used.add(n);
    return n;
  }
}

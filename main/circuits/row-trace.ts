// Discovery's clean forward once per batch instead of once per relevance run. On the label-row path
// (decoder-row.ts) a relevance run reads of the clean forward only every layer's keys and values, the
// source layer's input and z at the label row, and that row's mask line and position. `RowTraces`
// runs one forward per batch that outputs all of them for every layer and keeps them as runner state
// (at Qwen2.5-0.5B size about 16 MB per batch of 10 × 128 tokens: keys and values once per KV head);
// `buildRowModel` makes the graph a relevance run starts from, with those as its inputs.

import { Graph, type Value } from '../engine/graph';
import * as op from '../engine/ops/index';
import { ParameterBinding } from '../engine/params/binding';
import type { Feed } from '../engine/runtime/runner';
import { distinctKv, repeatKv } from '../models/architectures/attention';
import { rowContextOf, type RowContext } from '../models/architectures/decoder-row';
import type { EncodedBatch } from '../models/classification/batch-encoder';
import { TASK_INPUTS, taskLogitsReader } from '../models/classification/task-model';
import type { CircuitSession } from './circuit-session';

const traced = {
  z: (l: number) => `trace_z_${l}`,
  input: (l: number) => `trace_input_${l}`,
  k: (l: number) => `trace_k_${l}`,
  v: (l: number) => `trace_v_${l}`,
  mask: 'trace_mask',
  positions: 'trace_positions',
};

/** The clean forward of a batch with, per layer, what a label-row continuation reads of it as outputs. */
function buildTraceGraph(session: CircuitSession): Graph {
  const m = session.taskModel();
  const c = session.model.config;
  const g = m.graph;
  const label = m.inputs.labelPosition;
  const ctx = rowContextOf(m.trace!, label);
  const heads = { heads: c.numHeads, kvHeads: c.numKvHeads };
  for (let l = 0; l < c.numLayers; l++) {
    g.output(op.reshape(op.pickRows(m.z[l]!, label), [session.batchSize, 1, c.numHeads, c.headDim]), traced.z(l));
    g.output(ctx.inputAt(l), traced.input(l));
    g.output(distinctKv(ctx.kv(l).k, heads), traced.k(l));
    g.output(distinctKv(ctx.kv(l).v, heads), traced.v(l));
  }
  g.output(ctx.mask, traced.mask);
  g.output(ctx.positions, traced.positions);
  return g;
}

/** The start of a relevance run on the label row, reading the clean forward from a `RowTraces` batch. */
export interface RowModel {
  graph: Graph;
  params: ParameterBinding;
  labelPosition: Value;
  labels: Value;
  logitsOf: (row: Value) => Value;
  /** The source layer's z at the label row [B, 1, H, Dh]. */
  zAt: Value;
  ctx: RowContext;
}

export function buildRowModel(session: CircuitSession, sourceLayer: number): RowModel {
  const { model } = session;
  const c = model.config;
  const [B, T, dtype] = [session.batchSize, session.seq, session.floatType];
  const g = new Graph();
  const params = new ParameterBinding(g, model.weights, { layout: 'inputs', trainability: () => ({ kind: 'whole' }) });
  const heads = { heads: c.numHeads, kvHeads: c.numKvHeads };
  const input = g.input(traced.input(sourceLayer), dtype, [B, 1, c.hiddenSize]);
  const kv = new Map<number, { k: Value; v: Value }>();
  for (let l = sourceLayer + 1; l < c.numLayers; l++) {
    const fed = (name: string) => repeatKv(g.input(name, dtype, [B, c.numKvHeads, T, c.headDim]), heads);
    kv.set(l, { k: fed(traced.k(l)), v: fed(traced.v(l)) });
  }
  const ctx: RowContext = {
    inputAt: (l) => {
      if (l !== sourceLayer) throw new Error(`row model of source layer ${sourceLayer}: no input of layer ${l}`);
      return input;
    },
    kv: (l) => kv.get(l)!,
    mask: g.input(traced.mask, dtype, [B, 1, 1, T]),
    positions: g.input(traced.positions, 'int64', [B, 1]),
  };
  return {
    graph: g,
    params,
    labelPosition: g.input(TASK_INPUTS.labelPosition, 'int64', [B]),
    labels: g.input(TASK_INPUTS.labels, 'int64', [B]),
    logitsOf: taskLogitsReader(model, session.task, params),
    zAt: g.input(traced.z(sourceLayer), dtype, [B, 1, c.numHeads, c.headDim]),
    ctx,
  };
}

/** The clean forwards of some batches, kept as runner state for the row graphs of every source layer. */
export class RowTraces {
  private constructor(
    private readonly session: CircuitSession,
    private readonly prefixes: readonly string[],
    private readonly names: readonly string[],
  ) {}

  /** One forward per batch (its graph released afterwards). */
  static async compute(session: CircuitSession, batches: readonly EncodedBatch[], onBatch: (done: number, total: number) => void = () => undefined): Promise<RowTraces> {
    const c = session.model.config;
    const names = [traced.mask, traced.positions, ...Array.from({ length: c.numLayers }, (_, l) => [traced.z(l), traced.input(l), traced.k(l), traced.v(l)]).flat()];
    const prefixes = batches.map((_, i) => `circuit-trace.${i}.`);
    const traces = new RowTraces(session, prefixes, names);
    try {
      for (const [i, batch] of batches.entries()) {
        const keep = Object.fromEntries(names.map((n) => [n, prefixes[i]! + n]));
        await session.run('row-trace', () => buildTraceGraph(session), batch, {}, [], keep);
        onBatch(i + 1, batches.length);
      }
    } catch (e) {
      await traces.release();
      throw e;
    } finally {
      await session.releaseGraphs('row-trace|');
    }
    return traces;
  }

  /** The feeds of batch `index` for a row model of `sourceLayer`. */
  feeds(index: number, sourceLayer: number): Record<string, Feed> {
    const prefix = this.prefixes[index];
    if (prefix === undefined) throw new Error(`row traces: no batch ${index} (${this.prefixes.length} traced)`);
    const layers = this.session.model.config.numLayers;
    const names = [traced.mask, traced.positions, traced.z(sourceLayer), traced.input(sourceLayer)];
    for (let l = sourceLayer + 1; l < layers; l++) names.push(traced.k(l), traced.v(l));
    return Object.fromEntries(names.map((n) => [n, { state: prefix + n }]));
  }

  async release(): Promise<void> {
    await this.session.runner.deleteState(this.prefixes.flatMap((p) => this.names.map((n) => p + n)));
  }
}

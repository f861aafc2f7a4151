// Held-out language-modelling score of the weights a Trainer is training: a forward-only session
// whose weight inputs read the trainer's resident state by reference (nothing is copied), run over
// the held-out rows. Perplexity = exp(total nats / predicted tokens).

import { encodeModel } from '../../engine/onnx/encode';
import type { Feed, Runner } from '../../engine/runtime/runner';
import type { HostTensor } from '../../engine/tensor';
import type { ModelConfig } from '../config';
import { causalLmGraph, type BatchShape } from './causal-lm-graph';
import { languageModelBatch, predictedTokens } from './packing';

export interface HeldOutScore {
  /** Mean next-token cross-entropy, nats per predicted token. */
  loss: number;
  perplexity: number;
  /** Next-token predictions scored. */
  tokens: number;
  /** Total nats (loss × tokens), for bits per byte of the held-out text. */
  totalNats: number;
}

export class HeldOutEvaluator {
  private session: number | undefined;
  private names: string[] = [];

  constructor(
    private readonly runner: Runner,
    private readonly config: ModelConfig,
    private readonly rows: readonly (readonly number[])[],
    private readonly shape: BatchShape,
    private readonly padId: number,
    /** Prefix of the trainer's state names (its `statePrefix`). */
    private readonly statePrefix: string,
  ) {
    if (rows.length === 0) throw new Error('no held-out rows to evaluate');
  }

  /** Builds the session once; `weights` gives the tensor names and shapes (values come from state). */
  async prepare(weights: ReadonlyMap<string, HostTensor>): Promise<void> {
    const lm = causalLmGraph(this.config, weights, this.shape, { layout: 'inputs', trainability: () => ({ kind: 'whole' }) });
    lm.graph.output(lm.loss, 'loss');
    this.names = lm.trainables.map((t) => t.key);
    this.session = (await this.runner.load(encodeModel(lm.graph))).id;
  }

  async score(): Promise<HeldOutScore> {
    if (this.session === undefined) throw new Error('HeldOutEvaluator.prepare() was not called');
    const params: Record<string, Feed> = Object.fromEntries(this.names.map((n) => [n, { state: this.statePrefix + n }]));
    let totalNats = 0;
    let tokens = 0;
    for (let start = 0; start < this.rows.length; start += this.shape.batch) {
      const rows = this.rows.slice(start, start + this.shape.batch);
      const feeds = { ...languageModelBatch(this.config, rows, this.shape, this.padId), ...params };
      const out = await this.runner.run(this.session, { feeds, fetch: ['loss'] });
      const n = predictedTokens(rows);
      totalNats += Number(out['loss']!.data[0]) * n;
      tokens += n;
    }
    const loss = totalNats / tokens;
    return { loss, perplexity: Math.exp(loss), tokens, totalNats };
  }

  async dispose(): Promise<void> {
    if (this.session !== undefined) await this.runner.release(this.session);
    this.session = undefined;
  }
}

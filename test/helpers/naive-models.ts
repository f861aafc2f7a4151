// Independent plain-loop references of whole Hugging Face models, one unpadded sequence at a time:
// Qwen2/Llama decoders (label-word logits at the last token) and BERT/XLM-R encoders (classifier
// logits). They read config.json keys and tensor names themselves and share no code with the engine,
// so a mistake in the config parser, the tensor layout or the graphs shows up as a mismatch.

export type RawConfig = Record<string, unknown>;
/** Stored (file) tensor name → values, float64. */
export type NaiveWeights = ReadonlyMap<string, ArrayLike<number>>;

const at = (a: ArrayLike<number>, i: number) => a[i]!;
const num = (c: RawConfig, key: string, fallback?: number): number => {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number') throw new Error(`reference: config has no ${key}`);
  return v;
};

function weight(w: NaiveWeights, name: string): ArrayLike<number> {
  const t = w.get(name);
  if (!t) throw new Error(`reference: no tensor ${name}`);
  return t;
}

/** y[r][o] = Σ_i x[r][i]·W[o, i] + b[o]. */
function linear(x: number[][], w: ArrayLike<number>, outDim: number, b?: ArrayLike<number>): number[][] {
  return x.map((row) =>
    Array.from({ length: outDim }, (_, o) => {
      let s = b ? at(b, o) : 0;
      for (let i = 0; i < row.length; i++) s += at(row, i) * at(w, o * row.length + i);
      return s;
    }),
  );
}

function rmsNorm(x: number[][], w: ArrayLike<number>, eps: number): number[][] {
  return x.map((row) => {
    const inv = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / row.length + eps);
    return row.map((v, i) => v * inv * at(w, i));
  });
}

function layerNorm(x: number[][], w: ArrayLike<number>, b: ArrayLike<number>, eps: number): number[][] {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * at(w, i) + at(b, i));
  });
}

const add = (a: number[][], b: number[][]) => a.map((row, r) => row.map((v, i) => v + b[r]![i]!));

/** erf to double precision: Taylor series near 0, continued fraction for erfc further out. */
export function erf(x: number): number {
  if (x < 0) return -erf(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-18; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let frac = 0;
  for (let k = 80; k >= 1; k--) frac = k / 2 / (x + frac);
  return 1 - Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + frac);
}

const ACTIVATIONS: Record<string, (v: number) => number> = {
  silu: (v) => v / (1 + Math.exp(-v)),
  gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
  relu: (v) => Math.max(0, v),
};

/** Softmax-weighted sum of values for one query over the allowed keys. */
function attend(q: number[], keys: number[][], values: number[][], scale: number): number[] {
  const scores = keys.map((k) => k.reduce((s, v, e) => s + v * q[e]!, 0) * scale);
  const max = Math.max(...scores);
  const ex = scores.map((s) => Math.exp(s - max));
  const z = ex.reduce((a, b) => a + b, 0);
  return values[0]!.map((_, e) => values.reduce((s, v, j) => s + (ex[j]! / z) * v[e]!, 0));
}

const headOf = (row: number[], h: number, dh: number) => row.slice(h * dh, (h + 1) * dh);

function rope(v: number[], pos: number, theta: number): number[] {
  const half = v.length / 2;
  const out = [...v];
  for (let i = 0; i < half; i++) {
    const angle = pos / Math.pow(theta, (2 * i) / v.length);
    out[i] = v[i]! * Math.cos(angle) - v[i + half]! * Math.sin(angle);
    out[i + half] = v[i + half]! * Math.cos(angle) + v[i]! * Math.sin(angle);
  }
  return out;
}

/** Sees (and may replace) head `head`'s output z at token t of layer `layer`, before the output projection. */
export type NaiveHookZ = (layer: number, t: number, head: number, z: number[]) => number[];

/** Qwen2 / Llama: final-norm hidden states [T][D] of one unpadded sequence (positions 0..T−1). */
export function naiveDecoderHidden(c: RawConfig, w: NaiveWeights, ids: readonly number[], hookZ?: NaiveHookZ): number[][] {
  const d = num(c, 'hidden_size');
  const heads = num(c, 'num_attention_heads');
  const kvHeads = num(c, 'num_key_value_heads', heads);
  const dh = num(c, 'head_dim', d / heads);
  const eps = num(c, 'rms_norm_eps', 1e-6);
  const theta = num(c, 'rope_theta', 10000);
  const qwen = c['model_type'] === 'qwen2';
  const attnBias = qwen || c['attention_bias'] === true;
  const mlpBias = !qwen && c['mlp_bias'] === true;
  const act = ACTIVATIONS[String(c['hidden_act'] ?? 'silu')]!;
  const ffn = num(c, 'intermediate_size');
  const embed = weight(w, 'model.embed_tokens.weight');
  let x = ids.map((id) => Array.from({ length: d }, (_, i) => at(embed, id * d + i)));
  for (let l = 0; l < num(c, 'num_hidden_layers'); l++) {
    const p = (name: string) => weight(w, `model.layers.${l}.${name}`);
    const bias = (name: string, on: boolean) => (on ? p(name) : undefined);
    const h = rmsNorm(x, p('input_layernorm.weight'), eps);
    const q = linear(h, p('self_attn.q_proj.weight'), heads * dh, bias('self_attn.q_proj.bias', attnBias));
    const k = linear(h, p('self_attn.k_proj.weight'), kvHeads * dh, bias('self_attn.k_proj.bias', attnBias));
    const v = linear(h, p('self_attn.v_proj.weight'), kvHeads * dh, bias('self_attn.v_proj.bias', attnBias));
    const context = ids.map((_, t) =>
      Array.from({ length: heads }, (_, hh) => {
        const kv = Math.floor(hh / (heads / kvHeads));
        const keys = k.slice(0, t + 1).map((row, j) => rope(headOf(row, kv, dh), j, theta)); // causal
        const values = v.slice(0, t + 1).map((row) => headOf(row, kv, dh));
        const z = attend(rope(headOf(q[t]!, hh, dh), t, theta), keys, values, 1 / Math.sqrt(dh));
        return hookZ ? hookZ(l, t, hh, z) : z;
      }).flat(),
    );
    x = add(x, linear(context, p('self_attn.o_proj.weight'), d, bias('self_attn.o_proj.bias', attnBias && !qwen)));
    const h2 = rmsNorm(x, p('post_attention_layernorm.weight'), eps);
    const gate = linear(h2, p('mlp.gate_proj.weight'), ffn, bias('mlp.gate_proj.bias', mlpBias));
    const up = linear(h2, p('mlp.up_proj.weight'), ffn, bias('mlp.up_proj.bias', mlpBias));
    const inner = gate.map((row, r) => row.map((g, i) => act(g) * up[r]![i]!));
    x = add(x, linear(inner, p('mlp.down_proj.weight'), d, bias('mlp.down_proj.bias', mlpBias)));
  }
  return rmsNorm(x, weight(w, 'model.norm.weight'), eps);
}

/** Label-word logits: the last token's hidden state · the unembedding rows of the label tokens. */
export function naiveDecoderLabelLogits(c: RawConfig, w: NaiveWeights, ids: readonly number[], labelTokens: readonly number[], hookZ?: NaiveHookZ): number[] {
  const hidden = naiveDecoderHidden(c, w, ids, hookZ);
  const last = hidden[hidden.length - 1]!;
  const tied = c['tie_word_embeddings'] === true;
  const unembed = weight(w, tied ? 'model.embed_tokens.weight' : 'lm_head.weight');
  return labelTokens.map((tok) => last.reduce((s, v, e) => s + v * at(unembed, tok * last.length + e), 0));
}

/** BERT / XLM-R sequence-classification logits of one unpadded sequence. */
export function naiveEncoderLogits(c: RawConfig, w: NaiveWeights, ids: readonly number[], typeIds: readonly number[]): number[] {
  const xlmr = c['model_type'] === 'xlm-roberta';
  const base = xlmr ? 'roberta.' : 'bert.';
  const p = (name: string) => weight(w, base + name);
  const d = num(c, 'hidden_size');
  const heads = num(c, 'num_attention_heads');
  const dh = d / heads;
  const eps = num(c, 'layer_norm_eps', 1e-12);
  const ffn = num(c, 'intermediate_size');
  const act = ACTIVATIONS[String(c['hidden_act'] ?? 'gelu')]!;
  const firstPosition = xlmr ? num(c, 'pad_token_id', 1) + 1 : 0;
  const row = (t: ArrayLike<number>, i: number) => Array.from({ length: d }, (_, e) => at(t, i * d + e));
  const embedded = ids.map((id, t) =>
    row(p('embeddings.word_embeddings.weight'), id).map(
      (v, e) => v + row(p('embeddings.position_embeddings.weight'), firstPosition + t)[e]! + row(p('embeddings.token_type_embeddings.weight'), typeIds[t]!)[e]!,
    ),
  );
  let x = layerNorm(embedded, p('embeddings.LayerNorm.weight'), p('embeddings.LayerNorm.bias'), eps);
  for (let l = 0; l < num(c, 'num_hidden_layers'); l++) {
    const pre = `encoder.layer.${l}.`;
    const dense = (input: number[][], name: string, out: number) => linear(input, p(`${pre}${name}.weight`), out, p(`${pre}${name}.bias`));
    const [q, k, v] = ['query', 'key', 'value'].map((m) => dense(x, `attention.self.${m}`, d)) as [number[][], number[][], number[][]];
    const context = x.map((_, t) =>
      Array.from({ length: heads }, (_, hh) =>
        attend(headOf(q[t]!, hh, dh), k.map((r) => headOf(r, hh, dh)), v.map((r) => headOf(r, hh, dh)), 1 / Math.sqrt(dh)),
      ).flat(),
    );
    const ln = (input: number[][], name: string) => layerNorm(input, p(`${pre}${name}.LayerNorm.weight`), p(`${pre}${name}.LayerNorm.bias`), eps);
    const h = ln(add(dense(context, 'attention.output.dense', d), x), 'attention.output');
    const inner = dense(h, 'intermediate.dense', ffn).map((r) => r.map(act));
    x = ln(add(dense(inner, 'output.dense', d), h), 'output');
  }
  const cls = [x[0]!];
  const labels = num(c, 'num_labels', Object.keys((c['id2label'] as object | undefined) ?? {}).length || 2);
  const head = (input: number[][], name: string, out: number) => linear(input, weight(w, `${name}.weight`), out, weight(w, `${name}.bias`));
  if (xlmr) return head(head(cls, 'classifier.dense', d).map((r) => r.map(Math.tanh)), 'classifier.out_proj', labels)[0]!;
  return head(head(cls, `${base}pooler.dense`, d).map((r) => r.map(Math.tanh)), 'classifier', labels)[0]!;
}

// An independent two-stream contextual decomposition of a tiny Qwen2-style decoder (RMSNorm, biased
// q/k/v, RoPE, grouped-query attention, SwiGLU, tied label-token readout), with plain loops. Both the
// relevant (rel) and irrelevant (irr) streams are propagated by the CD-T rules, so rel + irr can be
// checked against the clean forward (completeness) and rel against the engine's β-only propagation.

export interface TinyDecoder {
  layers: number;
  d: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  theta: number;
  eps: number;
  /** Canonical Hugging Face names → row-major float values. */
  w: Map<string, number[]>;
}

export interface CdCase {
  ids: number[][];
  positions: number[][];
  mask: number[][];
  labelTokens: number[];
  source: { layer: number; head: number };
  /** μ for the source layer, [T][H·Dh] flattened per position. */
  mean: number[][];
  attention: 'fixed' | 'beta-softmax';
  tol: number;
  /** The reference's normalize_rel_irrel after the MLP's linear layers and its residual add. */
  mlpSignCleanup?: boolean;
}

type Rows = number[][]; // [T][features]
interface Pair {
  rel: Rows;
  irr: Rows;
}

const W = (m: TinyDecoder, name: string) => {
  const v = m.w.get(name);
  if (!v) throw new Error(`missing ${name}`);
  return v;
};
const total = (p: Pair): Rows => p.rel.map((r, t) => r.map((x, i) => x + p.irr[t]![i]!));
const zerosLike = (rows: Rows): Rows => rows.map((r) => r.map(() => 0));
const mapRows = (rows: Rows, f: (r: number[], t: number) => number[]): Rows => rows.map(f);

/** normalize_rel_irrel: where rel and irr have opposite signs, the larger takes the element's total. */
function normalizePair(p: Pair): Pair {
  const rel = p.rel.map((r) => [...r]);
  const irr = p.irr.map((r) => [...r]);
  rel.forEach((r, t) =>
    r.forEach((b, i) => {
      const g = irr[t]![i]!;
      if (b * g >= 0) return;
      if (Math.abs(b) >= Math.abs(g)) [r[i], irr[t]![i]] = [b + g, 0];
      else [r[i], irr[t]![i]] = [0, b + g];
    }),
  );
  return { rel, irr };
}

function matvec(x: number[], w: number[], out: number): number[] {
  const inDim = x.length;
  return Array.from({ length: out }, (_, o) => x.reduce((s, xi, i) => s + xi * w[o * inDim + i]!, 0));
}

function linearPair(p: Pair, w: number[], out: number, bias: number[] | undefined, tol: number): Pair {
  const rel = mapRows(p.rel, (r) => matvec(r, w, out));
  const irr = mapRows(p.irr, (r) => matvec(r, w, out));
  if (bias) {
    rel.forEach((r, t) =>
      r.forEach((rb, o) => {
        const rg = irr[t]![o]!;
        const denom = Math.abs(rb) + Math.abs(rg) + tol;
        r[o] = rb + (bias[o]! * Math.abs(rb)) / denom;
        irr[t]![o] = rg + (bias[o]! * Math.abs(rg)) / denom;
      }),
    );
  }
  return { rel, irr };
}

function rmsPair(p: Pair, w: number[], eps: number): Pair {
  const tot = total(p);
  const scale = tot.map((r) => 1 / Math.sqrt(r.reduce((s, x) => s + x * x, 0) / r.length + eps));
  const f = (rows: Rows) => mapRows(rows, (r, t) => r.map((x, i) => x * scale[t]! * w[i]!));
  return { rel: f(p.rel), irr: f(p.irr) };
}

function rope(rows: Rows, heads: number, dh: number, positions: number[], theta: number): Rows {
  return mapRows(rows, (r, t) => {
    const out = [...r];
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < dh / 2; i++) {
        const angle = positions[t]! / Math.pow(theta, (2 * i) / dh);
        const [a, b] = [r[h * dh + i]!, r[h * dh + i + dh / 2]!];
        out[h * dh + i] = a * Math.cos(angle) - b * Math.sin(angle);
        out[h * dh + i + dh / 2] = b * Math.cos(angle) + a * Math.sin(angle);
      }
    return out;
  });
}

function softmaxRow(scores: number[]): number[] {
  const m = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

const silu = (x: number) => x / (1 + Math.exp(-x));

/** One example's decomposition; returns rel/irr at every layer's z and at the label logits. */
export function naiveCdExample(m: TinyDecoder, c: CdCase, b: number) {
  const { d, heads, kvHeads, ffn, eps, theta } = m;
  const dh = d / heads;
  const T = c.ids[b]!.length;
  const emb = W(m, 'model.embed_tokens.weight');
  const x: Rows = c.ids[b]!.map((id) => emb.slice(id * d, (id + 1) * d));
  let res: Pair = { rel: zerosLike(x), irr: x };
  const zs: Pair[] = [];
  for (let l = 0; l < m.layers; l++) {
    const p = (n: string) => W(m, `model.layers.${l}.${n}`);
    const h = rmsPair(res, p('input_layernorm.weight'), eps);
    const rot = (pair: Pair, n: number): Pair => ({ rel: rope(pair.rel, n, dh, c.positions[b]!, theta), irr: rope(pair.irr, n, dh, c.positions[b]!, theta) });
    const q = rot(linearPair(h, p('self_attn.q_proj.weight'), heads * dh, p('self_attn.q_proj.bias'), c.tol), heads);
    const k = rot(linearPair(h, p('self_attn.k_proj.weight'), kvHeads * dh, p('self_attn.k_proj.bias'), c.tol), kvHeads);
    const v = linearPair(h, p('self_attn.v_proj.weight'), kvHeads * dh, p('self_attn.v_proj.bias'), c.tol);
    const [qt, kt, vt] = [total(q), total(k), total(v)];
    const z: Pair = { rel: x.map(() => new Array<number>(heads * dh).fill(0)), irr: x.map(() => new Array<number>(heads * dh).fill(0)) };
    for (let hh = 0; hh < heads; hh++) {
      const g = Math.floor(hh / (heads / kvHeads));
      const dot = (a: number[], ao: number, bb: number[], bo: number) => {
        let s = 0;
        for (let e = 0; e < dh; e++) s += a[ao + e]! * bb[bo + e]!;
        return s / Math.sqrt(dh);
      };
      const allowed = (i: number, j: number) => j <= i && c.mask[b]![j] === 1;
      for (let i = 0; i < T; i++) {
        const maskRow = Array.from({ length: T }, (_, j) => (allowed(i, j) ? 0 : -1e9));
        const P = softmaxRow(maskRow.map((mv, j) => dot(qt[i]!, hh * dh, kt[j]!, g * dh) + mv));
        const Pb = c.attention === 'fixed' ? P : softmaxRow(maskRow.map((mv, j) => dot(q.rel[i]!, hh * dh, k.rel[j]!, g * dh) + mv));
        for (let e = 0; e < dh; e++) {
          let tot = 0;
          let rel = 0;
          for (let j = 0; j < T; j++) {
            tot += P[j]! * vt[j]![g * dh + e]!;
            rel += Pb[j]! * v.rel[j]![g * dh + e]!;
          }
          z.rel[i]![hh * dh + e] = rel;
          z.irr[i]![hh * dh + e] = tot - rel;
        }
      }
    }
    if (l === c.source.layer) {
      const zt = total(z);
      for (let t = 0; t < T; t++)
        for (let e = 0; e < dh; e++) {
          const i = c.source.head * dh + e;
          const mu = c.mean[t]![i]!;
          z.rel[t]![i] = zt[t]![i]! - mu;
          z.irr[t]![i] = mu;
        }
    }
    zs.push({ rel: z.rel.map((r) => [...r]), irr: z.irr.map((r) => [...r]) });
    const o = linearPair(z, p('self_attn.o_proj.weight'), d, undefined, c.tol);
    const mid: Pair = { rel: res.rel.map((r, t) => r.map((xv, i) => xv + o.rel[t]![i]!)), irr: res.irr.map((r, t) => r.map((xv, i) => xv + o.irr[t]![i]!)) };
    const h2 = rmsPair(mid, p('post_attention_layernorm.weight'), eps);
    const clean = (pair: Pair) => (c.mlpSignCleanup ? normalizePair(pair) : pair);
    const gate = clean(linearPair(h2, p('mlp.gate_proj.weight'), ffn, undefined, c.tol));
    const up = clean(linearPair(h2, p('mlp.up_proj.weight'), ffn, undefined, c.tol));
    const gt = total(gate);
    const actIrr = mapRows(gate.irr, (r) => r.map(silu));
    const actRel = mapRows(gt, (r, t) => r.map((xv, i) => silu(xv) - actIrr[t]![i]!));
    const ut = total(up);
    // Product rule (γ-first): irr = irr_a·irr_b, rel = total − irr.
    const prodIrr = mapRows(actIrr, (r, t) => r.map((a, i) => a * up.irr[t]![i]!));
    const prodRel = mapRows(ut, (r, t) => r.map((u, i) => (actRel[t]![i]! + actIrr[t]![i]!) * u - prodIrr[t]![i]!));
    const down = clean(linearPair({ rel: prodRel, irr: prodIrr }, p('mlp.down_proj.weight'), d, undefined, c.tol));
    res = clean({ rel: mid.rel.map((r, t) => r.map((xv, i) => xv + down.rel[t]![i]!)), irr: mid.irr.map((r, t) => r.map((xv, i) => xv + down.irr[t]![i]!)) });
  }
  const final = rmsPair(res, W(m, 'model.norm.weight'), eps);
  const last = T - 1;
  const readout = (row: number[]) => c.labelTokens.map((tok) => row.reduce((s, xv, i) => s + xv * emb[tok * d + i]!, 0));
  const relLogits = readout(final.rel[last]!);
  const irrLogits = readout(final.irr[last]!);
  const cleanLogits = readout(total(final)[last]!);
  return { zs, relLogits, irrLogits, cleanLogits };
}

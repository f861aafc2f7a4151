// An independent two-stream contextual decomposition of a tiny BERT-style encoder classifier (post-LN,
// biased projections, key-padding attention, erf GELU, [CLS] → dense → tanh → classifier), with plain
// loops: rel and irr are both propagated by the CD-T rules, so rel + irr can be checked against the
// clean forward and rel against the engine's β-only propagation.

export interface TinyEncoder {
  layers: number;
  d: number;
  heads: number;
  ffn: number;
  eps: number;
  family: 'bert' | 'xlm-roberta';
  w: Map<string, Float64Array>;
}

export interface EncoderCdCase {
  ids: number[];
  positions: number[];
  types: number[];
  mask: number[];
  source: { layer: number; head: number };
  /** μ of the source layer, [T][H·Dh]. */
  mean: number[][];
  attention: 'fixed' | 'beta-softmax';
  tol: number;
}

type Rows = number[][];
interface Pair {
  rel: Rows;
  irr: Rows;
}

const erf = (x: number): number => {
  // Series (converges everywhere; fine for |x| < 6 in double precision).
  const z = Math.max(-6, Math.min(6, x));
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (2 * z * z) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
};
const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

export function naiveEncoderCd(m: TinyEncoder, c: EncoderCdCase) {
  const W = (n: string) => {
    const v = m.w.get(n);
    if (!v) throw new Error(`missing ${n}`);
    return v;
  };
  const { d, heads, ffn, eps, tol } = { ...m, tol: c.tol };
  const dh = d / heads;
  const T = c.ids.length;
  const total = (p: Pair): Rows => p.rel.map((r, t) => r.map((x, i) => x + p.irr[t]![i]!));
  const linear = (p: Pair, name: string, out: number): Pair => {
    const w = W(`${name}.weight`);
    const b = W(`${name}.bias`);
    const inDim = p.rel[0]!.length;
    const mv = (x: number[]) => Array.from({ length: out }, (_, o) => x.reduce((s, xi, i) => s + xi * w[o * inDim + i]!, 0));
    const rel = p.rel.map(mv);
    const irr = p.irr.map(mv);
    rel.forEach((r, t) =>
      r.forEach((rb, o) => {
        const rg = irr[t]![o]!;
        const den = Math.abs(rb) + Math.abs(rg) + tol;
        r[o] = rb + (b[o]! * Math.abs(rb)) / den;
        irr[t]![o] = rg + (b[o]! * Math.abs(rg)) / den;
      }),
    );
    return { rel, irr };
  };
  const layerNorm = (p: Pair, name: string): Pair => {
    const [w, b] = [W(`${name}.weight`), W(`${name}.bias`)];
    const tot = total(p);
    const rel: Rows = [];
    const irr: Rows = [];
    tot.forEach((row, t) => {
      const mean = row.reduce((s, x) => s + x, 0) / d;
      const sd = Math.sqrt(row.reduce((s, x) => s + (x - mean) ** 2, 0) / d + eps);
      const mr = p.rel[t]!.reduce((s, x) => s + x, 0) / d;
      const mi = p.irr[t]!.reduce((s, x) => s + x, 0) / d;
      rel.push(p.rel[t]!.map((x, i) => ((x - mr) / sd) * w[i]! + (b[i]! * Math.abs(x)) / (Math.abs(x) + Math.abs(p.irr[t]![i]!) + tol)));
      irr.push(p.irr[t]!.map((x, i) => ((x - mi) / sd) * w[i]! + (b[i]! * Math.abs(x)) / (Math.abs(x) + Math.abs(p.rel[t]![i]!) + tol)));
    });
    return { rel, irr };
  };
  const act = (p: Pair, f: (x: number) => number): Pair => {
    const irr = p.irr.map((r) => r.map(f));
    return { rel: total(p).map((r, t) => r.map((x, i) => f(x) - irr[t]![i]!)), irr };
  };
  const add = (a: Pair, b: Pair): Pair => ({
    rel: a.rel.map((r, t) => r.map((x, i) => x + b.rel[t]![i]!)),
    irr: a.irr.map((r, t) => r.map((x, i) => x + b.irr[t]![i]!)),
  });
  const softmax = (s: number[]) => {
    const mx = Math.max(...s);
    const e = s.map((x) => Math.exp(x - mx));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  };

  const row = (name: string, i: number) => Array.from(W(name).subarray(i * d, (i + 1) * d));
  const x0 = c.ids.map((id, t) => {
    const [a, b, e] = [row('embeddings.word_embeddings.weight', id), row('embeddings.position_embeddings.weight', c.positions[t]!), row('embeddings.token_type_embeddings.weight', c.types[t]!)];
    return a.map((v, i) => v + b[i]! + e[i]!);
  });
  let x = layerNorm({ rel: x0.map((r) => r.map(() => 0)), irr: x0 }, 'embeddings.LayerNorm');
  const zs: Pair[] = [];
  for (let l = 0; l < m.layers; l++) {
    const p = `encoder.layer.${l}`;
    const [q, k, v] = ['query', 'key', 'value'].map((n) => linear(x, `${p}.attention.self.${n}`, d)) as [Pair, Pair, Pair];
    const [qt, kt, vt] = [total(q), total(k), total(v)];
    const z: Pair = { rel: x0.map(() => new Array<number>(d).fill(0)), irr: x0.map(() => new Array<number>(d).fill(0)) };
    for (let h = 0; h < heads; h++) {
      const dot = (a: number[], b: number[]) => {
        let s = 0;
        for (let e = 0; e < dh; e++) s += a[h * dh + e]! * b[h * dh + e]!;
        return s / Math.sqrt(dh);
      };
      for (let i = 0; i < T; i++) {
        const maskRow = c.mask.map((mk) => (mk ? 0 : -1e9));
        const P = softmax(maskRow.map((mv, j) => dot(qt[i]!, kt[j]!) + mv));
        const Pb = c.attention === 'fixed' ? P : softmax(maskRow.map((mv, j) => dot(q.rel[i]!, k.rel[j]!) + mv));
        for (let e = 0; e < dh; e++) {
          let tot = 0;
          let rel = 0;
          for (let j = 0; j < T; j++) {
            tot += P[j]! * vt[j]![h * dh + e]!;
            rel += Pb[j]! * v.rel[j]![h * dh + e]!;
          }
          z.rel[i]![h * dh + e] = rel;
          z.irr[i]![h * dh + e] = tot - rel;
        }
      }
    }
    if (l === c.source.layer) {
      const zt = total(z);
      for (let t = 0; t < T; t++)
        for (let e = 0; e < dh; e++) {
          const i = c.source.head * dh + e;
          z.rel[t]![i] = zt[t]![i]! - c.mean[t]![i]!;
          z.irr[t]![i] = c.mean[t]![i]!;
        }
    }
    zs.push({ rel: z.rel.map((r) => [...r]), irr: z.irr.map((r) => [...r]) });
    const h1 = layerNorm(add(linear(z, `${p}.attention.output.dense`, d), x), `${p}.attention.output.LayerNorm`);
    const ff = linear(act(linear(h1, `${p}.intermediate.dense`, ffn), gelu), `${p}.output.dense`, d);
    x = layerNorm(add(ff, h1), `${p}.output.LayerNorm`);
  }
  const cls: Pair = { rel: [x.rel[0]!], irr: [x.irr[0]!] };
  const [dense, out] = m.family === 'bert' ? ['pooler.dense', 'classifier'] : ['classifier.dense', 'classifier.out_proj'];
  const logits = linear(act(linear(cls, dense, d), Math.tanh), out, W(`${out}.bias`).length);
  return { zs, relLogits: logits.rel[0]!, irrLogits: logits.irr[0]!, cleanLogits: total(logits)[0]! };
}

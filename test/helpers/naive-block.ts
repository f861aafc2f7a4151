// An independent, deliberately plain reference of one decoder block with a label-token loss: nested
// loops over arrays, no engine code. Used to check the engine's forward and gradients.

export interface BlockDims {
  vocab: number;
  d: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  batch: number;
  seq: number;
  theta: number;
  eps: number;
}

export type Params = Record<string, number[]>;

export interface BlockBatch {
  ids: number[]; // [B, T]
  mask: number[]; // [B, T] 1 token, 0 padding
  positions: number[]; // [B, T]
  labelPos: number[]; // [B]
  labels: number[]; // [B] index into labelTokens
  labelTokens: number[]; // [C]
}

const at = (a: number[], i: number) => a[i]!;

/** y[r, o] = Σ_i x[r, i]·W[o, i] (+ b[o]) for rows r. */
function linear(x: number[], rows: number, inDim: number, w: number[], outDim: number, b?: number[]): number[] {
  const y = new Array<number>(rows * outDim).fill(0);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outDim; o++) {
      let s = b ? at(b, o) : 0;
      for (let i = 0; i < inDim; i++) s += at(x, r * inDim + i) * at(w, o * inDim + i);
      y[r * outDim + o] = s;
    }
  return y;
}

function rmsNorm(x: number[], rows: number, d: number, w: number[], eps: number): number[] {
  const y = [...x];
  for (let r = 0; r < rows; r++) {
    let ms = 0;
    for (let i = 0; i < d; i++) ms += at(x, r * d + i) ** 2 / d;
    const inv = 1 / Math.sqrt(ms + eps);
    for (let i = 0; i < d; i++) y[r * d + i] = at(x, r * d + i) * inv * at(w, i);
  }
  return y;
}

function layerNorm(x: number[], rows: number, d: number, w: number[], b: number[], eps: number): number[] {
  const y = [...x];
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += at(x, r * d + i) / d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (at(x, r * d + i) - mean) ** 2 / d;
    for (let i = 0; i < d; i++) y[r * d + i] = ((at(x, r * d + i) - mean) / Math.sqrt(v + eps)) * at(w, i) + at(b, i);
  }
  return y;
}

/** Rotates one head vector at `pos` in place ("rotate half" convention). */
function rope(v: number[], offset: number, dh: number, pos: number, theta: number): void {
  const half = dh / 2;
  for (let i = 0; i < half; i++) {
    const angle = pos / Math.pow(theta, (2 * i) / dh);
    const [a, b] = [at(v, offset + i), at(v, offset + i + half)];
    v[offset + i] = a * Math.cos(angle) - b * Math.sin(angle);
    v[offset + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
  }
}

export function naiveBlockLoss(dims: BlockDims, p: Params, batch: BlockBatch): number {
  const { d, heads, kvHeads, ffn, batch: B, seq: T, theta, eps } = dims;
  const dh = d / heads;
  const rows = B * T;
  const x = batch.ids.flatMap((id) => p.emb!.slice(id * d, (id + 1) * d));
  const h = rmsNorm(x, rows, d, p.ln1!, eps);
  const q = linear(h, rows, d, p.q!, heads * dh, p.bq);
  const k = linear(h, rows, d, p.k!, kvHeads * dh, p.bk);
  const v = linear(h, rows, d, p.v!, kvHeads * dh, p.bv);
  for (let r = 0; r < rows; r++) {
    for (let hh = 0; hh < heads; hh++) rope(q, r * heads * dh + hh * dh, dh, at(batch.positions, r), theta);
    for (let hh = 0; hh < kvHeads; hh++) rope(k, r * kvHeads * dh + hh * dh, dh, at(batch.positions, r), theta);
  }
  const ctx = new Array<number>(rows * d).fill(0);
  for (let b = 0; b < B; b++)
    for (let hh = 0; hh < heads; hh++) {
      const kvh = Math.floor(hh / (heads / kvHeads)); // grouped-query attention
      for (let i = 0; i < T; i++) {
        const scores: number[] = [];
        for (let j = 0; j < T; j++) {
          let s = 0;
          for (let e = 0; e < dh; e++) s += at(q, ((b * T + i) * heads + hh) * dh + e) * at(k, ((b * T + j) * kvHeads + kvh) * dh + e);
          const allowed = j <= i && at(batch.mask, b * T + j) === 1;
          scores.push(s / Math.sqrt(dh) + (allowed ? 0 : -1e9));
        }
        const max = Math.max(...scores);
        const ex = scores.map((s) => Math.exp(s - max));
        const z = ex.reduce((a, c) => a + c, 0);
        for (let j = 0; j < T; j++)
          for (let e = 0; e < dh; e++) ctx[(b * T + i) * d + hh * dh + e]! += (at(ex, j) / z) * at(v, ((b * T + j) * kvHeads + kvh) * dh + e);
      }
    }
  const x2 = linear(ctx, rows, d, p.o!, d).map((o, i) => o + at(x, i));
  const h2 = layerNorm(x2, rows, d, p.ln2w!, p.ln2b!, eps);
  const gate = linear(h2, rows, d, p.gate!, ffn);
  const up = linear(h2, rows, d, p.up!, ffn);
  const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * at(up, i));
  const x3 = linear(act, rows, ffn, p.down!, d).map((o, i) => o + at(x2, i));
  const final = rmsNorm(x3, rows, d, p.lnf!, eps);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const row = b * T + at(batch.labelPos, b);
    const logits = batch.labelTokens.map((tok) => {
      let s = 0;
      for (let e = 0; e < d; e++) s += at(final, row * d + e) * at(p.emb!, tok * d + e);
      return s;
    });
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((a, l) => a + Math.exp(l - max), 0));
    loss += (lse - at(logits, at(batch.labels, b))) / B;
  }
  return loss;
}

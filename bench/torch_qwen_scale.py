"""PyTorch side of `npm run bench:scale`: a plain float32 nn.Module Qwen2 classifier with the same
weights (read from the benchmark's safetensors), timed on one phase per process so that its peak RSS
is its own. Prints one JSON line. Run only by bench/scale.ts.

  python3 torch_qwen_scale.py MODEL_DIR PHASE(forward|full|ctsft) BATCH SEQ THREADS STEPS HEADS_JSON LABEL_IDS_JSON
"""
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.h, self.kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.dh = d // self.h
        self.q_proj = nn.Linear(d, self.h * self.dh)
        self.k_proj = nn.Linear(d, self.kv * self.dh)
        self.v_proj = nn.Linear(d, self.kv * self.dh)
        self.o_proj = nn.Linear(self.h * self.dh, d, bias=False)
        self.gate_proj = nn.Linear(d, c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(d, c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], d, bias=False)
        self.input_layernorm = RMSNorm(d, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(d, c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        y = self.input_layernorm(x)
        q = self.q_proj(y).view(b, t, self.h, self.dh).transpose(1, 2)
        k = self.k_proj(y).view(b, t, self.kv, self.dh).transpose(1, 2)
        v = self.v_proj(y).view(b, t, self.kv, self.dh).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = (z.repeat_interleave(self.h // self.kv, dim=1) for z in (k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.dh) + mask
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, -1)
        x = x + self.o_proj(ctx)
        y = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(y)) * self.up_proj(y))


class Qwen2Classifier(nn.Module):
    """Label logits at the last position against the tied embedding's label-token rows (as Lontar does)."""

    def __init__(self, c, label_ids):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.theta = c.get("rope_theta", 10000.0)
        self.label_ids = torch.tensor(label_ids)

    def forward(self, ids, labels):
        b, t = ids.shape
        dh = self.layers[0].dh
        inv = 1.0 / (self.theta ** (torch.arange(0, dh, 2, dtype=torch.float32) / dh))
        freqs = torch.outer(torch.arange(t, dtype=torch.float32), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        mask = torch.full((t, t), -1e9).triu(1)[None, None]
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        row = self.norm(x[:, -1])
        logits = row @ self.embed_tokens.weight[self.label_ids].T
        return F.cross_entropy(logits, labels)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    blob = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        raw = np.frombuffer(blob[start:end], dtype=np.uint16 if meta["dtype"] == "BF16" else np.float32)
        arr = (raw.astype(np.uint32) << 16).view(np.float32) if meta["dtype"] == "BF16" else raw.copy()
        out[name] = torch.from_numpy(arr.reshape(meta["shape"]))
    return out


def ctsft_parameters(model, heads):
    """CT-SFT in PyTorch: only the circuit heads' Q/K/V rows and O columns (plus all norms) train;
    gradient hooks zero every other element of those matrices (how the paper's scope is usually written)."""
    trainable = []
    h, kv = model.layers[0].h, model.layers[0].kv
    dh = model.layers[0].dh
    by_layer = {}
    for hd in heads:
        by_layer.setdefault(hd["layer"], set()).add(hd["head"])
    for p in model.parameters():
        p.requires_grad_(False)
    for name, p in model.named_parameters():
        if "norm" in name:
            p.requires_grad_(True)
            trainable.append(p)
    for l, hs in by_layer.items():
        layer = model.layers[l]
        rows = torch.zeros(h * dh, dtype=torch.bool)
        kv_rows = torch.zeros(kv * dh, dtype=torch.bool)
        for x in hs:
            rows[x * dh:(x + 1) * dh] = True
            g = x // (h // kv)
            kv_rows[g * dh:(g + 1) * dh] = True
        for mod, m in ((layer.q_proj, rows), (layer.k_proj, kv_rows), (layer.v_proj, kv_rows)):
            for p, mask in ((mod.weight, m[:, None]), (mod.bias, m)):
                p.requires_grad_(True)
                p.register_hook(lambda g, mask=mask: g * mask)
                trainable.append(p)
        p = layer.o_proj.weight
        p.requires_grad_(True)
        p.register_hook(lambda g, mask=rows[None, :]: g * mask)
        trainable.append(p)
    return trainable


def main():
    model_dir, phase, batch, seq, threads, steps, heads, label_ids = sys.argv[1:9]
    batch, seq, threads, steps = int(batch), int(seq), int(threads), int(steps)
    torch.set_num_threads(threads)
    c = json.load(open(os.path.join(model_dir, "config.json")))
    model = Qwen2Classifier(c, json.loads(label_ids))
    flat = lambda k: k.removeprefix("model.").replace(".self_attn.", ".").replace(".mlp.", ".")
    state = {flat(k): v for k, v in read_safetensors(os.path.join(model_dir, "model.safetensors")).items()}
    model.load_state_dict({k: v for k, v in state.items() if not k.startswith("lm_head")}, strict=True)
    del state
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(0, c["vocab_size"], (batch, seq), generator=gen)
    labels = torch.randint(0, 3, (batch,), generator=gen)
    times = []
    if phase == "forward":
        with torch.no_grad():
            for _ in range(1 + steps):
                t0 = time.perf_counter()
                model(ids, labels)
                times.append(time.perf_counter() - t0)
    else:
        params = list(model.parameters()) if phase == "full" else ctsft_parameters(model, json.loads(heads))
        opt = torch.optim.AdamW(params, lr=5e-5, weight_decay=0.0)
        for _ in range(1 + steps):
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = model(ids, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"phase": phase, "firstRun": times[0], "seconds": times[1:], "peakRssMiB": peak, "torch": torch.__version__}))


if __name__ == "__main__":
    main()

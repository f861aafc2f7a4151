"""PyTorch side of `npm run bench:engine`: the same BERT-style encoder classifier, loaded with the
same weights and batches, timed on command. Protocol: one JSON command per stdin line, one JSON
reply per stdout line. Run only by bench/torch-bridge.ts."""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class Layer(nn.Module):
    def __init__(self, d, heads, ffn, eps):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln1 = nn.LayerNorm(d, eps=eps)
        self.up = nn.Linear(d, ffn)
        self.down = nn.Linear(ffn, d)
        self.ln2 = nn.LayerNorm(d, eps=eps)

    def forward(self, x, mask):
        b, t, d = x.shape
        dh = d // self.heads
        split = lambda y: y.view(b, t, self.heads, dh).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + mask
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        h = self.ln1(self.o(ctx) + x)
        return self.ln2(self.down(F.gelu(self.up(h))) + h)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["hidden"], c.get("eps", 1e-12)
        self.word = nn.Embedding(c["vocab"], d)
        self.pos = nn.Embedding(c["maxPositions"], d)
        self.ln = nn.LayerNorm(d, eps=eps)
        self.layers = nn.ModuleList(Layer(d, c["heads"], c["ffn"], eps) for _ in range(c["layers"]))
        self.pooler = nn.Linear(d, d)
        self.classifier = nn.Linear(d, c["classes"])

    def forward(self, ids, mask, labels):
        t = ids.shape[1]
        x = self.ln(self.word(ids) + self.pos.weight[:t])
        additive = ((1 - mask[:, None, None, :].to(x.dtype)) * -1e9)
        for layer in self.layers:
            x = layer(x, additive)
        logits = self.classifier(torch.tanh(self.pooler(x[:, 0])))
        return F.cross_entropy(logits, labels)


def hf_to_torch_names(c):
    """Our weight names (Hugging Face BERT layout) → this module's parameter names."""
    m = {
        "embeddings.word_embeddings.weight": "word.weight",
        "embeddings.position_embeddings.weight": "pos.weight",
        "embeddings.LayerNorm.weight": "ln.weight",
        "embeddings.LayerNorm.bias": "ln.bias",
        "pooler.dense.weight": "pooler.weight",
        "pooler.dense.bias": "pooler.bias",
        "classifier.weight": "classifier.weight",
        "classifier.bias": "classifier.bias",
    }
    parts = {"attention.self.query": "q", "attention.self.key": "k", "attention.self.value": "v",
             "attention.output.dense": "o", "attention.output.LayerNorm": "ln1", "intermediate.dense": "up",
             "output.dense": "down", "output.LayerNorm": "ln2"}
    for i in range(c["layers"]):
        for hf, ours in parts.items():
            for kind in ("weight", "bias"):
                m[f"encoder.layer.{i}.{hf}.{kind}"] = f"layers.{i}.{ours}.{kind}"
    return m


def loaded_blas():
    """The BLAS library this process mapped: Debian's default is the reference (netlib) one, ~30x slower."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if any(k in os.path.basename(path) for k in ("blas", "mkl")):
                    return os.path.realpath(path)
    except OSError:
        pass
    return None


def matmul_rate():
    """GFLOP/s of a 512^3 float32 MatMul, a quick check of the BLAS before any timing."""
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    t0 = time.perf_counter()
    for _ in range(3):
        a @ b
    return 3 * 2 * 512**3 / (time.perf_counter() - t0) / 1e9


def main():
    manifest = json.load(open(sys.argv[1]))
    torch.set_num_threads(manifest["threads"])
    blob = np.fromfile(manifest["weights"], dtype=np.float32)
    c = manifest["config"]
    model = Encoder(c)
    names = hf_to_torch_names(c)
    state = {}
    for w in manifest["tensors"]:
        arr = blob[w["offset"] : w["offset"] + int(np.prod(w["shape"]))].reshape(w["shape"])
        state[names[w["name"]]] = torch.from_numpy(arr.copy())
    model.load_state_dict(state)
    ints = np.fromfile(manifest["batches"], dtype=np.int64)
    b, t, n = manifest["batch"], manifest["seq"], manifest["count"]
    per = 2 * b * t + b
    batches = []
    for i in range(n):
        chunk = torch.from_numpy(ints[i * per : (i + 1) * per].copy())
        batches.append((chunk[: b * t].view(b, t), chunk[b * t : 2 * b * t].view(b, t), chunk[2 * b * t :]))

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": manifest["weightDecay"]},
                             {"params": no_decay, "weight_decay": 0.0}], lr=manifest["lr"], foreach=True)
    with torch.no_grad():
        initial = model(*batches[0]).item()
    print(json.dumps({"ready": True, "initial_loss": initial, "torch": torch.__version__, "blas": loaded_blas(), "matmul_gflops": matmul_rate()}), flush=True)

    step = 0

    def next_batch():
        nonlocal step
        step += 1
        return batches[(step - 1) % n]

    def train_step(batch):
        opt.zero_grad(set_to_none=True)
        loss = model(*batch)
        loss.backward()
        opt.step()
        return loss

    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "profile":
            print(json.dumps(profile(cmd, model, opt, next_batch, train_step)), flush=True)
            continue
        times, losses = [], []
        for i in range(cmd["warmup"] + cmd["repeats"]):
            batch = next_batch()
            t0 = time.perf_counter()
            if cmd["cmd"] == "train":
                loss = train_step(batch)
            else:
                with torch.no_grad():
                    loss = model(*batch)
            value = loss.item()
            if i >= cmd["warmup"]:
                times.append((time.perf_counter() - t0) * 1000)
                losses.append(value)
        print(json.dumps({"ms": times, "losses": losses}), flush=True)


def profile(cmd, model, opt, next_batch, train_step):
    """Where a step's time goes (bench:engine-profile): phases timed with perf_counter (the CPU runs
    synchronously), then the same steps under the profiler for each op's own time. Per-step figures,
    medians for phases, means for ops."""
    train = cmd["what"] == "train"
    for _ in range(cmd["warmup"]):
        if train:
            train_step(next_batch())
        else:
            with torch.no_grad():
                model(*next_batch())
    phases = {"forward": [], "backward": [], "optimizer": [], "step": []}
    for _ in range(cmd["repeats"]):
        batch = next_batch()
        t0 = time.perf_counter()
        if train:
            opt.zero_grad(set_to_none=True)
            loss = model(*batch)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            loss.item()
            t3 = time.perf_counter()
            phases["forward"].append((t1 - t0) * 1000)
            phases["backward"].append((t2 - t1) * 1000)
            phases["optimizer"].append((t3 - t2) * 1000)
            phases["step"].append((t3 - t0) * 1000)
        else:
            with torch.no_grad():
                model(*batch).item()
            phases["forward"].append((time.perf_counter() - t0) * 1000)
            phases["step"].append(phases["forward"][-1])
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        t0 = time.perf_counter()
        for _ in range(cmd["repeats"]):
            if train:
                train_step(next_batch()).item()
            else:
                with torch.no_grad():
                    model(*next_batch()).item()
        profiled_ms = (time.perf_counter() - t0) * 1000 / cmd["repeats"]
    r = cmd["repeats"]
    ops = {e.key: e.self_cpu_time_total / r for e in prof.key_averages() if e.self_cpu_time_total > 0}
    return {"phases_ms": {k: float(np.median(v)) for k, v in phases.items() if v}, "ops_us": ops, "profiled_ms": profiled_ms}


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch peer of murmur's family SFT train step (benchmarks/src/train-hf.ts spawns it).

Loads the same Hugging Face folder with the pure-torch forward of scripts/torch-family-forward.py
(no transformers), and times forward + backward + global-norm clipping (1.0) + AdamW on the same
batch shape and the same masked next-token loss: full fine-tuning, or LoRA (A, B on the chosen
projections; base weights frozen). Prints one JSON line:
{"step_ms": median, "steps": n, "trainable": count, "torch": version}.
"""
import argparse
import importlib.util
import json
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("fam", os.path.join(HERE, "..", "..", "scripts", "torch-family-forward.py"))
fam = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fam)

parser = argparse.ArgumentParser()
parser.add_argument("--folder", required=True)
parser.add_argument("--batch", type=int, default=8)
parser.add_argument("--seq", type=int, default=64)
parser.add_argument("--lora-rank", type=int, default=0)
parser.add_argument("--lora-targets", default="q_proj,v_proj")
parser.add_argument("--warmup", type=int, default=2)
parser.add_argument("--steps", type=int, default=6)
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
cfg, w = fam.load(args.folder)
w = {k: v.to(torch.float32) for k, v in w.items()}
V = cfg["vocab_size"]
B, T = args.batch, args.seq
ids = torch.randint(0, V, (B, T))
targets = torch.roll(ids, -1, dims=1)
mask = torch.zeros(B, T)
mask[:, T // 2:T - 1] = 1

if args.lora_rank > 0:
    r = args.lora_rank
    targets_set = set(args.lora_targets.split(","))
    adapters = {}
    for name, t in w.items():
        parts = name.split(".")
        if name.endswith(".weight") and len(parts) > 2 and parts[-2] in targets_set:
            out_dim, in_dim = t.shape
            a = (torch.rand(r, in_dim) * 2 - 1) / in_dim ** 0.5
            adapters[name[:-7]] = (a.requires_grad_(), torch.zeros(out_dim, r, requires_grad=True))
    scale = 2.0

    def lin(x, name):
        y = x @ w[name + ".weight"].T
        if name + ".bias" in w:
            y = y + w[name + ".bias"]
        if name in adapters:
            a, b = adapters[name]
            y = y + scale * ((x @ a.T) @ b.T)
        return y
    params = [t for pair in adapters.values() for t in pair]
else:
    lin = None
    for t in w.values():
        t.requires_grad_()
    params = list(w.values())

opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)


def step():
    t0 = time.perf_counter()
    logits = fam.forward(cfg, w, ids, lin)
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), reduction="none").reshape(B, T)
    loss = (nll * mask).sum() / mask.sum()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    return (time.perf_counter() - t0) * 1000


for _ in range(args.warmup):
    step()
times = [step() for _ in range(args.steps)]
print(json.dumps({"step_ms": statistics.median(times), "steps": args.steps, "trainable": sum(p.numel() for p in params), "torch": torch.__version__}))

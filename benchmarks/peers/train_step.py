#!/usr/bin/env python3
"""PyTorch peer of murmur's policy-gradient train step (benchmarks/src/train.ts spawns it).

Same architecture as murmur's default `gpt` policy (pre-LayerNorm decoder, causal multi-head
attention, GELU MLP, tied embeddings, learned positions), same batch, same loss (clipped
surrogate, token-mean, eps 0.2/0.28), global-norm clipping and AdamW. Prints one JSON line:
{"step_ms": median, "steps": n, "params": count, "torch": version}.

Threads follow docs/spec/runtime-facts.md: OPENBLAS_NUM_THREADS=2 and
torch.set_num_threads(1) (other settings oversubscribe the 2 cores). The caller sets the env.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--d", type=int, default=64)
parser.add_argument("--layers", type=int, default=2)
parser.add_argument("--heads", type=int, default=4)
parser.add_argument("--vocab", type=int, default=101)
parser.add_argument("--ctx", type=int, default=64)
parser.add_argument("--mlp", type=int, default=0, help="MLP hidden width (default 4*d)")
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--seq", type=int, default=32)
parser.add_argument("--warmup", type=int, default=5)
parser.add_argument("--steps", type=int, default=30)
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
D, L, H, V, C = args.d, args.layers, args.heads, args.vocab, args.ctx
M = args.mlp if args.mlp > 0 else 4 * D


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(D)
        self.qkv = torch.nn.Linear(D, 3 * D)
        self.proj = torch.nn.Linear(D, D)
        self.ln2 = torch.nn.LayerNorm(D)
        self.fc = torch.nn.Linear(D, M)
        self.out = torch.nn.Linear(M, D)

    def forward(self, x, bias):
        b, t, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q = q.view(b, t, H, D // H).transpose(1, 2)
        k = k.view(b, t, H, D // H).transpose(1, 2)
        v = v.view(b, t, H, D // H).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(D // H) + bias
        y = F.softmax(att, dim=-1) @ v
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, D))
        return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class Gpt(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = torch.nn.Embedding(V, D)
        self.wpe = torch.nn.Embedding(C, D)
        self.blocks = torch.nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = torch.nn.LayerNorm(D)

    def forward(self, ids, attn_mask):
        b, t = ids.shape
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        allowed = causal[None, None] & attn_mask[:, None, None, :].bool()
        bias = torch.where(allowed, 0.0, -1e9)
        x = self.wte(ids) + self.wpe(torch.arange(t))[None]
        for blk in self.blocks:
            x = blk(x, bias)
        return self.ln_f(x) @ self.wte.weight.T


model = Gpt()
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
B, T = args.batch, args.seq
g = torch.Generator().manual_seed(1)
ids = torch.randint(0, V, (B, T), generator=g)
attn = torch.ones(B, T, dtype=torch.long)
loss_mask = torch.zeros(B, T - 1)
loss_mask[:, T // 2:] = 1.0
adv = torch.randn(B, generator=g)
with torch.no_grad():
    lp0 = torch.log_softmax(model(ids, attn)[:, :-1], -1).gather(-1, ids[:, 1:, None])[..., 0]
old = lp0 + 0.05 * torch.randn(B, T - 1, generator=g)


def step():
    logits = model(ids, attn)[:, :-1]
    logp_all = torch.log_softmax(logits, -1)
    logp = logp_all.gather(-1, ids[:, 1:, None])[..., 0]
    log_ratio = torch.clamp(logp - old, -20.0, 20.0)
    ratio = torch.exp(log_ratio)
    a = adv[:, None]
    surr = torch.minimum(ratio * a, torch.clamp(ratio, 0.8, 1.28) * a)
    denom = loss_mask.sum()
    loss = -(surr * loss_mask).sum() / denom
    opt.zero_grad(set_to_none=True)
    loss.backward()
    gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    with torch.no_grad():  # the statistics murmur's graph also returns
        clipped = ((ratio < 0.8) | (ratio > 1.28)).float()
        clip_frac = (clipped * loss_mask).sum() / denom
        approx_kl = (((ratio - 1) - log_ratio) * loss_mask).sum() / denom
        entropy = (-(logp_all.exp() * logp_all).sum(-1) * loss_mask).sum() / denom
    return float(loss), float(gnorm), float(clip_frac), float(approx_kl), float(entropy)


for _ in range(args.warmup):
    step()
times = []
for _ in range(args.steps):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1000)
params = sum(p.numel() for p in model.parameters())
print(json.dumps({"step_ms": statistics.median(times), "steps": args.steps, "params": params,
                  "torch": torch.__version__, "threads": torch.get_num_threads(),
                  "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}))
sys.stdout.flush()

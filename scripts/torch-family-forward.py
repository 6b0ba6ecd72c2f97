#!/usr/bin/python3
"""Independent float64 PyTorch forward of a Llama / Qwen2 / Qwen3 Hugging Face model folder.

Pure torch (no transformers): reads config.json and model.safetensors (or a sharded index),
runs one sequence and prints one JSON line {"logits": [[...]], "greedy": [...]}.

usage: /usr/bin/python3 scripts/torch-family-forward.py <folder> '<json token ids>' [greedy_tokens]
"""
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        buf = bytearray(raw[8 + n + a:8 + n + b])
        t = torch.frombuffer(buf, dtype=DTYPES[e["dtype"]]) if b > a else torch.zeros(0, dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"]).to(torch.float64)
    return out


def load(folder):
    cfg = json.load(open(os.path.join(folder, "config.json")))
    index = os.path.join(folder, "model.safetensors.index.json")
    w = {}
    if os.path.exists(index):
        for shard in sorted(set(json.load(open(index))["weight_map"].values())):
            w.update(read_safetensors(os.path.join(folder, shard)))
    else:
        w.update(read_safetensors(os.path.join(folder, "model.safetensors")))
    return cfg, w


def inv_freq(cfg, hd):
    base = cfg.get("rope_theta", 10000.0)
    f = 1.0 / (base ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    rs = cfg.get("rope_scaling") or {}
    kind = rs.get("rope_type", rs.get("type", "default"))
    if kind == "linear":
        return f / rs["factor"], 1.0
    if kind == "llama3":
        factor, lo, hi, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
        wavelen = 2 * math.pi / f
        scaled = torch.where(wavelen > old / lo, f / factor, f)
        smooth = (old / wavelen - lo) / (hi - lo)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / hi) & ~(wavelen > old / lo)
        return torch.where(medium, smoothed, scaled), 1.0
    if kind == "yarn":
        factor = rs["factor"]
        omax = rs.get("original_max_position_embeddings") or cfg["max_position_embeddings"]
        att = rs.get("attention_factor")
        if att is None:
            att = 0.1 * math.log(factor) + 1.0 if factor > 1 else 1.0
        bf, bs = rs.get("beta_fast") or 32, rs.get("beta_slow") or 1

        def corr(rot):
            return (hd * math.log(omax / (rot * 2 * math.pi))) / (2 * math.log(base))
        low, high = corr(bf), corr(bs)
        if rs.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, hd - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(hd // 2, dtype=torch.float64) - low) / (high - low), 0, 1)
        extra = 1 - ramp
        return (f / factor) * (1 - extra) + f * extra, att
    return f, 1.0


def rms(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def forward(cfg, w, ids, lin=None):
    """Logits [B, T, V] of token ids [B, T] (a list is one sequence); `lin(x, name)` may replace the projections (LoRA)."""
    ids = torch.as_tensor(ids)
    if ids.dim() == 1:
        return forward(cfg, w, ids.unsqueeze(0), lin)[0]
    B, T = ids.shape
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    hd = cfg.get("head_dim") or H // nh
    eps = cfg.get("rms_norm_eps", 1e-6)
    dt = w["model.embed_tokens.weight"].dtype
    freq, att = inv_freq(cfg, hd)
    ang = torch.outer(torch.arange(T, dtype=torch.float64), freq)
    emb = torch.cat((ang, ang), dim=-1)
    cos, sin = (emb.cos() * att).to(dt), (emb.sin() * att).to(dt)
    mask = torch.full((T, T), float("-inf"), dtype=dt).triu(1)

    def plain(x, name):
        y = x @ w[name + ".weight"].T
        return y + w[name + ".bias"] if name + ".bias" in w else y
    lin = lin or plain

    x = w["model.embed_tokens.weight"][ids]
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms(x, w[p + "input_layernorm.weight"], eps)
        q = lin(h, p + "self_attn.q_proj").view(B, T, nh, hd).transpose(1, 2)
        k = lin(h, p + "self_attn.k_proj").view(B, T, nkv, hd).transpose(1, 2)
        v = lin(h, p + "self_attn.v_proj").view(B, T, nkv, hd).transpose(1, 2)
        if p + "self_attn.q_norm.weight" in w:
            q = rms(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms(k, w[p + "self_attn.k_norm.weight"], eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=1)
        v = v.repeat_interleave(nh // nkv, dim=1)
        probs = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(hd) + mask, dim=-1)
        y = (probs @ v).transpose(1, 2).reshape(B, T, nh * hd)
        x = x + lin(y, p + "self_attn.o_proj")
        h2 = rms(x, w[p + "post_attention_layernorm.weight"], eps)
        x = x + lin(torch.nn.functional.silu(lin(h2, p + "mlp.gate_proj")) * lin(h2, p + "mlp.up_proj"), p + "mlp.down_proj")
    head = w["lm_head.weight"] if not cfg.get("tie_word_embeddings", False) else w["model.embed_tokens.weight"]
    return rms(x, w["model.norm.weight"], eps) @ head.T


def main():
    folder, ids = sys.argv[1], json.loads(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    torch.set_num_threads(1)
    cfg, w = load(folder)
    logits = forward(cfg, w, ids)
    seq, greedy = list(ids), []
    for _ in range(n):
        nxt = int(forward(cfg, w, seq)[-1].argmax())
        greedy.append(nxt)
        seq.append(nxt)
    print(json.dumps({"logits": logits.tolist(), "greedy": greedy}))


if __name__ == "__main__":
    main()

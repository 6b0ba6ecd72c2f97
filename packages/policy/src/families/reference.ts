/**
 * An independent float64 forward pass of the Llama / Qwen2 / Qwen3 families in plain
 * TypeScript loops — the yardstick the ONNX graph is checked against. It follows transformers'
 * modeling code line by line: RMSNorm, q/k/v projections (+ bias), per-head q/k RMSNorm
 * (Qwen3), rotary with scaled frequencies, grouped-query causal attention, SwiGLU MLP, final
 * norm, tied or untied head. One unpadded sequence at a time.
 */
import { ropeFrequencies, type FamilyConfig } from './config.js'
import type { FamilyWeights } from './folder.js'

/** Logits [ids.length × vocabSize] (row-major) of one sequence starting at position 0. */
export function familyReferenceForward (c: FamilyConfig, w: FamilyWeights, ids: readonly number[]): Float64Array {
  const T = ids.length
  const H = c.hiddenSize
  const hd = c.headDim
  const W = (name: string): Float32Array => {
    const t = w[name]
    if (t === undefined) throw new Error(`reference forward: missing weight ${name}`)
    return t
  }
  const opt = (name: string): Float32Array | undefined => w[name]
  const emb = W('model.embed_tokens.weight')
  let x: Float64Array[] = ids.map(id => Float64Array.from(emb.subarray(id * H, (id + 1) * H)))
  const { invFreq, attentionFactor } = ropeFrequencies(c)
  const rep = c.nHead / c.nKvHead
  for (let l = 0; l < c.nLayer; l++) {
    const p = `model.layers.${l}.`
    const h = x.map(r => rmsNorm(r, W(p + 'input_layernorm.weight'), c.rmsEps))
    const q = h.map(r => linear(r, W(p + 'self_attn.q_proj.weight'), opt(p + 'self_attn.q_proj.bias')))
    const k = h.map(r => linear(r, W(p + 'self_attn.k_proj.weight'), opt(p + 'self_attn.k_proj.bias')))
    const v = h.map(r => linear(r, W(p + 'self_attn.v_proj.weight'), opt(p + 'self_attn.v_proj.bias')))
    for (let t = 0; t < T; t++) {
      for (let head = 0; head < c.nHead; head++) prepHead(q[t], head, t)
      for (let head = 0; head < c.nKvHead; head++) prepHead(k[t], head, t, true)
    }
    function prepHead (row: Float64Array, head: number, pos: number, isKey = false): void {
      const seg = row.subarray(head * hd, (head + 1) * hd)
      if (c.qkNorm) seg.set(rmsNorm(seg, W(p + (isKey ? 'self_attn.k_norm.weight' : 'self_attn.q_norm.weight')), c.rmsEps))
      const half = hd / 2
      for (let i = 0; i < half; i++) {
        const angle = pos * invFreq[i]
        const cos = Math.cos(angle) * attentionFactor
        const sin = Math.sin(angle) * attentionFactor
        const a = seg[i]
        const b = seg[i + half]
        seg[i] = a * cos - b * sin
        seg[i + half] = b * cos + a * sin
      }
    }
    const attn = Array.from({ length: T }, () => new Float64Array(c.nHead * hd))
    const scale = 1 / Math.sqrt(hd)
    for (let head = 0; head < c.nHead; head++) {
      const kvh = Math.floor(head / rep)
      for (let t = 0; t < T; t++) {
        const scores = new Float64Array(t + 1)
        let max = -Infinity
        for (let s = 0; s <= t; s++) {
          let dot = 0
          for (let i = 0; i < hd; i++) dot += q[t][head * hd + i] * k[s][kvh * hd + i]
          scores[s] = dot * scale
          if (scores[s] > max) max = scores[s]
        }
        let sum = 0
        for (let s = 0; s <= t; s++) { scores[s] = Math.exp(scores[s] - max); sum += scores[s] }
        for (let s = 0; s <= t; s++) {
          const pr = scores[s] / sum
          for (let i = 0; i < hd; i++) attn[t][head * hd + i] += pr * v[s][kvh * hd + i]
        }
      }
    }
    x = x.map((r, t) => add(r, linear(attn[t], W(p + 'self_attn.o_proj.weight'), opt(p + 'self_attn.o_proj.bias'))))
    const h2 = x.map(r => rmsNorm(r, W(p + 'post_attention_layernorm.weight'), c.rmsEps))
    x = x.map((r, t) => {
      const gate = linear(h2[t], W(p + 'mlp.gate_proj.weight'), opt(p + 'mlp.gate_proj.bias'))
      const up = linear(h2[t], W(p + 'mlp.up_proj.weight'), opt(p + 'mlp.up_proj.bias'))
      for (let i = 0; i < gate.length; i++) gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i]
      return add(r, linear(gate, W(p + 'mlp.down_proj.weight'), opt(p + 'mlp.down_proj.bias')))
    })
  }
  const head = c.tiedEmbeddings ? emb : W('lm_head.weight')
  const out = new Float64Array(T * c.vocabSize)
  for (let t = 0; t < T; t++) out.set(linear(rmsNorm(x[t], W('model.norm.weight'), c.rmsEps), head), t * c.vocabSize)
  return out
}

/** Greedy continuation of `prompt` by `n` tokens under the reference forward (full recompute per token). */
export function familyReferenceGreedy (c: FamilyConfig, w: FamilyWeights, prompt: readonly number[], n: number): number[] {
  const seq = [...prompt]
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const logits = familyReferenceForward(c, w, seq)
    const row = logits.subarray((seq.length - 1) * c.vocabSize)
    let best = 0
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j
    out.push(best)
    seq.push(best)
  }
  return out
}

function rmsNorm (x: Float64Array, weight: Float32Array, eps: number): Float64Array {
  let ss = 0
  for (const v of x) ss += v * v
  const inv = 1 / Math.sqrt(ss / x.length + eps)
  return x.map((v, i) => v * inv * weight[i])
}

/** x·Wᵀ (+ b) with W stored [out, in] as torch.nn.Linear does. */
function linear (x: Float64Array, weight: Float32Array, bias?: Float32Array): Float64Array {
  const n = x.length
  const out = new Float64Array(weight.length / n)
  for (let o = 0; o < out.length; o++) {
    let s = bias === undefined ? 0 : bias[o]
    const off = o * n
    for (let i = 0; i < n; i++) s += weight[off + i] * x[i]
    out[o] = s
  }
  return out
}

function add (a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i])
}

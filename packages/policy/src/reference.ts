/**
 * A plain-TypeScript float64 forward pass of the gpt family, written straight from the math
 * (no shared code with the ONNX graph) so tests can check onnxruntime's logits against it.
 * Slow on purpose-free loops; use it on small shapes only.
 */
import { headDim, type GptConfig } from './config.js'
import type { Weights } from './weights.js'

/** Inputs of `referenceForward`: one row per sequence, left padding allowed. */
export interface ReferenceInput {
  /** Token ids, [batch][time]. */
  ids: number[][]
  /** 1 for real tokens, 0 for padding, same shape as `ids`; default all ones. */
  attentionMask?: number[][]
}

/**
 * Logits [batch][time][vocab] in float64. Positions are the running count of real tokens
 * (cumsum(mask) − 1), as Hugging Face computes them for left-padded batches.
 */
export function referenceForward (config: GptConfig, weights: Weights, input: ReferenceInput): number[][][] {
  return input.ids.map((row, b) => forwardOne(config, weights, row, input.attentionMask?.[b] ?? row.map(() => 1)))
}

function forwardOne (c: GptConfig, w: Weights, ids: number[], mask: number[]): number[][] {
  const d = c.nEmbd
  const T = ids.length
  const hd = headDim(c)
  const positions: number[] = []
  let count = 0
  for (let t = 0; t < T; t++) {
    if (mask[t] !== 0) count++
    positions.push(mask[t] !== 0 ? count - 1 : 1)
  }
  const wte = w['transformer.wte.weight']
  let x: number[][] = ids.map((id, t) => {
    const v = new Array<number>(d)
    for (let i = 0; i < d; i++) v[i] = wte[id * d + i] + (c.positions === 'learned' ? w['transformer.wpe.weight'][positions[t] * d + i] : 0)
    return v
  })
  for (let l = 0; l < c.nLayer; l++) {
    const p = `transformer.h.${l}.`
    const h = x.map(v => layerNorm(v, w[p + 'ln_1.weight'], w[p + 'ln_1.bias'], c.layerNormEps))
    const qkv = h.map(v => linear(v, w[p + 'attn.c_attn.weight'], w[p + 'attn.c_attn.bias'], 3 * d))
    const att: number[][] = x.map(() => new Array<number>(d).fill(0))
    for (let head = 0; head < c.nHead; head++) {
      const slice = (t: number, part: number): number[] => qkv[t].slice(part * d + head * hd, part * d + (head + 1) * hd)
      const q = ids.map((_, t) => rope(c, slice(t, 0), positions[t]))
      const k = ids.map((_, t) => rope(c, slice(t, 1), positions[t]))
      const v = ids.map((_, t) => slice(t, 2))
      for (let t = 0; t < T; t++) {
        const scores: number[] = []
        for (let s = 0; s <= t; s++) {
          let dot = 0
          for (let i = 0; i < hd; i++) dot += q[t][i] * k[s][i]
          scores.push(mask[s] !== 0 ? dot / Math.sqrt(hd) : -Infinity)
        }
        const m = Math.max(...scores)
        if (m === -Infinity) continue // a padding row: no visible keys, output unused
        const e = scores.map(z => Math.exp(z - m))
        const sum = e.reduce((a, b) => a + b, 0)
        for (let s = 0; s <= t; s++) {
          for (let i = 0; i < hd; i++) att[t][head * hd + i] += e[s] / sum * v[s][i]
        }
      }
    }
    x = x.map((v, t) => add(v, linear(att[t], w[p + 'attn.c_proj.weight'], w[p + 'attn.c_proj.bias'], d)))
    const hidden = c.mlpRatio * d
    x = x.map(v => {
      const u = layerNorm(v, w[p + 'ln_2.weight'], w[p + 'ln_2.bias'], c.layerNormEps)
      const a = linear(u, w[p + 'mlp.c_fc.weight'], w[p + 'mlp.c_fc.bias'], hidden).map(geluTanh)
      return add(v, linear(a, w[p + 'mlp.c_proj.weight'], w[p + 'mlp.c_proj.bias'], d))
    })
  }
  const head = c.tiedEmbeddings ? wte : w['lm_head.weight']
  return x.map(v => {
    const u = layerNorm(v, w['transformer.ln_f.weight'], w['transformer.ln_f.bias'], c.layerNormEps)
    const logits = new Array<number>(c.vocabSize).fill(0)
    for (let j = 0; j < c.vocabSize; j++) {
      let s = 0
      for (let i = 0; i < d; i++) s += u[i] * head[j * d + i]
      logits[j] = s
    }
    return logits
  })
}

/** log-softmax of one logit row, float64. */
export function logSoftmax (logits: ArrayLike<number>): number[] {
  let m = -Infinity
  for (let i = 0; i < logits.length; i++) if (logits[i] > m) m = logits[i]
  let s = 0
  for (let i = 0; i < logits.length; i++) s += Math.exp(logits[i] - m)
  const lse = m + Math.log(s)
  return Array.from(logits, z => z - lse)
}

function layerNorm (v: number[], g: Float32Array, b: Float32Array, eps: number): number[] {
  const mean = v.reduce((a, x) => a + x, 0) / v.length
  const variance = v.reduce((a, x) => a + (x - mean) ** 2, 0) / v.length
  const inv = 1 / Math.sqrt(variance + eps)
  return v.map((x, i) => (x - mean) * inv * g[i] + b[i])
}

/** y = x · W + b with W stored [in, out] (GPT-2 Conv1D layout). */
function linear (x: number[], W: Float32Array, b: Float32Array, out: number): number[] {
  const y = Array.from(b.subarray(0, out), Number)
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]
    for (let j = 0; j < out; j++) y[j] += xi * W[i * out + j]
  }
  return y
}

function add (a: number[], b: number[]): number[] {
  return a.map((x, i) => x + b[i])
}

function geluTanh (x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))
}

/** Rotary embedding in the "rotate half" layout: pairs (i, i + hd/2) rotate by pos·θ^(−2i/hd). */
function rope (c: GptConfig, v: number[], pos: number): number[] {
  if (c.positions !== 'rotary') return v
  const half = v.length / 2
  const out = v.slice()
  for (let i = 0; i < half; i++) {
    const angle = pos * c.ropeTheta ** (-2 * i / v.length)
    const cos = Math.cos(angle)
    const sin = Math.sin(angle)
    out[i] = v[i] * cos - v[i + half] * sin
    out[i + half] = v[i + half] * cos + v[i] * sin
  }
  return out
}

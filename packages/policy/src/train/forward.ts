/**
 * The gpt forward pass as a train-step graph fragment: right-padded rows, positions 0..T−1,
 * a constant causal mask, parameters as graph values (inputs in a train step). Padding sits
 * after every real token, so causal attention makes it invisible to the positions that count.
 * It records a tape of the intermediates `gptBackward` (backward.ts) needs. Float32 and
 * float64 (the whole-model gradient check runs in float64). Layer norms are composed from
 * primitives so the forward and backward agree on one formula in both dtypes.
 */
import type { GraphBuilder, Value } from '@murmur/graph'
import { tensor } from '@murmur/graph'
import { headDim, paramSpecs, type GptConfig } from '../config.js'
import { MASK_VALUE } from '../constants.js'
import { InvalidModelConfigError } from '../errors.js'

/** Parameter values by HF GPT-2 name. */
export type ParamValues = Record<string, Value>

/** Intermediates of one layer norm. */
export interface LnTape { xhat: Value, rstd: Value, weight: Value }

/** Intermediates of one transformer block. */
export interface BlockTape {
  ln1: LnTape
  h1: Value
  q: Value
  k: Value
  v: Value
  probs: Value
  merged: Value
  ln2: LnTape
  h2: Value
  fc: Value
  act: Value
}

/** What the backward pass reads. */
export interface GptTape {
  config: GptConfig
  params: ParamValues
  ids: Value
  blocks: BlockTape[]
  lnf: LnTape
  hidden: Value
  rows: number
  steps: number
}

/** Declares every parameter of `config` as a graph input (train steps feed them each call). */
export function declareParams (g: GraphBuilder, config: GptConfig, dtype: 'float32' | 'float64' = 'float32', prefix = ''): ParamValues {
  const out: ParamValues = {}
  for (const spec of paramSpecs(config)) out[spec.name] = g.input(prefix + spec.name, dtype, spec.shape)
  return out
}

/** Layer norm over the last axis, recording `xhat` and `rstd`. */
export function layerNormTape (g: GraphBuilder, x: Value, weight: Value, bias: Value, eps: number): { y: Value, tape: LnTape } {
  return g.scope('ln', () => {
    const xc = g.sub(x, g.reduceMean(x, [-1], true))
    const rstd = g.reciprocal(g.sqrt(g.add(g.reduceMean(g.mul(xc, xc), [-1], true), eps)))
    const xhat = g.mul(xc, rstd)
    return { y: g.add(g.mul(xhat, weight), bias), tape: { xhat, rstd, weight } }
  })
}

/** Final hidden states `[B, T, d]` (after `ln_f`) of token ids `[B, T]` (int64), with the tape. */
export function gptForward (g: GraphBuilder, config: GptConfig, p: ParamValues, ids: Value): GptTape {
  if (config.positions !== 'learned') throw new InvalidModelConfigError('positions', 'training graphs support learned positions only')
  const B = ids.shape[0] as number // may be a symbol (`batch_size`) in export graphs
  const T = ids.shape[1] as number
  const d = config.nEmbd
  const H = config.nHead
  const hd = headDim(config)
  const dtype = p['transformer.wte.weight'].dtype as 'float32' | 'float64'
  const eps = config.layerNormEps
  const mask = new (dtype === 'float32' ? Float32Array : Float64Array)(T * T)
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = MASK_VALUE
  const causal = g.constant(tensor(dtype, [T, T], mask), 'causal_mask')
  let x = g.scope('embed', () => g.add(
    g.gather(p['transformer.wte.weight'], ids, 0),
    g.slice(p['transformer.wpe.weight'], [0], [T], [0])
  ))
  const blocks: BlockTape[] = []
  for (let l = 0; l < config.nLayer; l++) {
    const n = `transformer.h.${l}.`
    x = g.scope(`h.${l}`, () => {
      const ln1 = layerNormTape(g, x, p[n + 'ln_1.weight'], p[n + 'ln_1.bias'], eps)
      const qkv = g.linear(ln1.y, p[n + 'attn.c_attn.weight'], p[n + 'attn.c_attn.bias'])
      const [q, k, v] = g.split(qkv, 2, [d, d, d]).map(t => g.transpose(g.reshape(t, [-1, T, H, hd]), [0, 2, 1, 3]))
      const scores = g.add(g.mul(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hd)), causal)
      const probs = g.softmax(scores, -1)
      const merged = g.reshape(g.transpose(g.matmul(probs, v), [0, 2, 1, 3]), [-1, T, d])
      const x1 = g.add(x, g.linear(merged, p[n + 'attn.c_proj.weight'], p[n + 'attn.c_proj.bias']))
      const ln2 = layerNormTape(g, x1, p[n + 'ln_2.weight'], p[n + 'ln_2.bias'], eps)
      const fc = g.linear(ln2.y, p[n + 'mlp.c_fc.weight'], p[n + 'mlp.c_fc.bias'])
      const act = g.gelu(fc, 'tanh')
      blocks.push({ ln1: ln1.tape, h1: ln1.y, q, k, v, probs, merged, ln2: ln2.tape, h2: ln2.y, fc, act })
      return g.add(x1, g.linear(act, p[n + 'mlp.c_proj.weight'], p[n + 'mlp.c_proj.bias']))
    })
  }
  const lnf = layerNormTape(g, x, p['transformer.ln_f.weight'], p['transformer.ln_f.bias'], eps)
  return { config, params: p, ids, blocks, lnf: lnf.tape, hidden: lnf.y, rows: B, steps: T }
}

/** The output projection (tied: the token embedding transposed). */
export function lmHeadWeight (config: GptConfig, p: ParamValues): Value {
  return config.tiedEmbeddings ? p['transformer.wte.weight'] : p['lm_head.weight']
}

/** Logits `[B, T, vocab]` from the tape's hidden states. */
export function gptLogits (g: GraphBuilder, tape: GptTape): Value {
  return g.scope('lm_head', () => g.matmul(tape.hidden, g.transpose(lmHeadWeight(tape.config, tape.params), [1, 0])))
}

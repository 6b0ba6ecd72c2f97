/** Small models used by the training tests. */
import type { GraphBuilder } from '../src/builder.js'
import type { Value } from '../src/core.js'
import { tensor, type Tensor } from '../src/tensor.js'
import { randn, rng } from './helpers.js'

type FloatDType = 'float32' | 'float64'

function init (r: () => number, dtype: FloatDType, dims: number[], scale: number): Tensor {
  return tensor(dtype, dims, randn(r, dims.reduce((a, d) => a * d, 1), scale))
}

/** Configuration of `tinyTransformer`. */
export interface TinyConfig { vocab: number, d: number, heads: number, layers: number, seq: number, dtype: FloatDType, seed: number }

/** A GPT-style decoder: token + position embeddings, pre-LN blocks (causal attention, GELU MLP), logits. */
export function tinyTransformer (b: GraphBuilder, cfg: TinyConfig, tokens: Value): Value {
  const r = rng(cfg.seed)
  const { d, heads, dtype, seq } = cfg
  const hd = d / heads
  const ones = (n: number): Tensor => tensor(dtype, [n], new Array<number>(n).fill(1))
  const wte = b.param('wte.weight', init(r, dtype, [cfg.vocab, d], 0.5))
  const wpe = b.param('wpe.weight', init(r, dtype, [seq, d], 0.5))
  let h = b.add(b.gather(wte, tokens), wpe)
  const mask = b.constant(tensor(dtype, [seq, seq], Array.from({ length: seq * seq }, (_, i) => (i % seq) > Math.floor(i / seq) ? -1e9 : 0)), 'causal_mask')
  for (let l = 0; l < cfg.layers; l++) {
    h = b.scope(`block.${l}`, () => {
      const x1 = b.scope('ln_1', () => b.layerNorm(h, b.param('weight', ones(d)), b.param('bias', tensor(dtype, [d]))))
      const att = b.scope('attn', () => {
        const qkv = b.linear(x1, b.param('c_attn.weight', init(r, dtype, [d, 3 * d], 0.3)), b.param('c_attn.bias', tensor(dtype, [3 * d])))
        const [q, k, v] = b.split(qkv, -1, 3).map(t => b.transpose(b.reshape(t, [0, 0, heads, hd]), [0, 2, 1, 3]))
        const scores = b.add(b.mul(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hd)), mask)
        const y = b.matmul(b.softmax(scores, -1), v)
        const merged = b.reshape(b.transpose(y, [0, 2, 1, 3]), [0, 0, d])
        return b.linear(merged, b.param('c_proj.weight', init(r, dtype, [d, d], 0.3)), b.param('c_proj.bias', tensor(dtype, [d])))
      })
      const h2 = b.add(h, att)
      const x2 = b.scope('ln_2', () => b.layerNorm(h2, b.param('weight', ones(d)), b.param('bias', tensor(dtype, [d]))))
      const mlp = b.scope('mlp', () => {
        const up = b.gelu(b.linear(x2, b.param('c_fc.weight', init(r, dtype, [d, 4 * d], 0.3)), b.param('c_fc.bias', tensor(dtype, [4 * d]))))
        return b.linear(up, b.param('c_proj.weight', init(r, dtype, [4 * d, d], 0.2)), b.param('c_proj.bias', tensor(dtype, [d])))
      })
      return b.add(h2, mlp)
    })
  }
  const hf = b.scope('ln_f', () => b.layerNorm(h, b.param('weight', ones(d)), b.param('bias', tensor(dtype, [d]))))
  return b.matmul(hf, b.transpose(wte, [1, 0]))
}

/** A 2-layer tanh MLP classifier's logits. */
export function mlp (b: GraphBuilder, x: Value, sizes: number[], dtype: FloatDType, seed: number): Value {
  const r = rng(seed)
  let h = x
  for (let i = 0; i + 1 < sizes.length; i++) {
    h = b.scope(`fc${i}`, () => b.linear(h, b.param('weight', init(r, dtype, [sizes[i], sizes[i + 1]], 1 / Math.sqrt(sizes[i]))), b.param('bias', tensor(dtype, [sizes[i + 1]]))))
    if (i + 2 < sizes.length) h = b.tanh(h)
  }
  return h
}

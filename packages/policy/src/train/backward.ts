/**
 * Reverse pass of `gptForward`, emitted as standard ONNX ops. Each rule is the textbook
 * derivative of one forward piece (linear, layer norm, tanh-GELU, causal softmax attention,
 * embedding lookup); the whole-model float64 directional-derivative test checks them together.
 */
import type { GraphBuilder, Value } from '@murmur/graph'
import { tensor } from '@murmur/graph'
import { headDim } from '../config.js'
import { lmHeadWeight, type GptTape, type LnTape } from './forward.js'

/** Gradients by parameter name. */
export type Grads = Record<string, Value>

/** Flattens `[B, T, n]` to `[B·T, n]`. */
function flat (g: GraphBuilder, x: Value, rows: number): Value {
  return g.reshape(x, [rows, x.shape[x.rank - 1] as number])
}

/** y = x·W + b → (dx, dW, db). */
function linearBack (g: GraphBuilder, x: Value, w: Value, dy: Value, bt: number): { dx: Value, dw: Value, db: Value } {
  return {
    dx: g.matmul(dy, g.transpose(w, [1, 0])),
    dw: g.gemm(flat(g, x, bt), flat(g, dy, bt), undefined, { transA: true }),
    db: g.reduceSum(dy, [0, 1])
  }
}

/** y = xhat·w + b with xhat = (x − μ)·rstd → (dx, dw, db). */
function layerNormBack (g: GraphBuilder, t: LnTape, dy: Value): { dx: Value, dw: Value, db: Value } {
  return g.scope('ln_grad', () => {
    const dxhat = g.mul(dy, t.weight)
    const m1 = g.reduceMean(dxhat, [-1], true)
    const m2 = g.reduceMean(g.mul(dxhat, t.xhat), [-1], true)
    const dx = g.mul(g.sub(g.sub(dxhat, m1), g.mul(t.xhat, m2)), t.rstd)
    return { dx, dw: g.reduceSum(g.mul(dy, t.xhat), [0, 1]), db: g.reduceSum(dy, [0, 1]) }
  })
}

/** Derivative of tanh-GELU at `x`, times `dy`. */
function geluBack (g: GraphBuilder, x: Value, dy: Value): Value {
  return g.scope('gelu_grad', () => {
    const c = Math.sqrt(2 / Math.PI)
    const x2 = g.mul(x, x)
    const t = g.tanh(g.mul(g.mul(x, g.add(g.mul(x2, 0.044715), 1)), c))
    const left = g.mul(g.add(t, 1), 0.5)
    const sech2 = g.sub(1, g.mul(t, t))
    const right = g.mul(g.mul(g.mul(x, sech2), g.add(g.mul(x2, 3 * 0.044715), 1)), 0.5 * c)
    return g.mul(dy, g.add(left, right))
  })
}

/**
 * Gradients of every parameter given the gradient of the loss with respect to the logits
 * (`dlogits`, `[B, T, V]`) and/or the final hidden states (`dhidden`, `[B, T, d]`).
 */
export function gptBackward (g: GraphBuilder, tape: GptTape, seeds: { dlogits?: Value, dhidden?: Value }): Grads {
  const { config, params: p, rows: B, steps: T } = tape
  const d = config.nEmbd
  const H = config.nHead
  const hd = headDim(config)
  const V = config.vocabSize
  const bt = B * T
  const dtype = tape.hidden.dtype as 'float32' | 'float64'
  const grads: Grads = {}
  return g.scope('backward', () => {
    let dh: Value | undefined = seeds.dhidden
    let dwteHead: Value | undefined
    if (seeds.dlogits !== undefined) {
      const w = lmHeadWeight(config, p)
      const dl = seeds.dlogits
      const fromLogits = g.matmul(dl, w)
      dh = dh === undefined ? fromLogits : g.add(dh, fromLogits)
      dwteHead = g.gemm(flat(g, dl, bt), flat(g, tape.hidden, bt), undefined, { transA: true })
      if (!config.tiedEmbeddings) grads['lm_head.weight'] = dwteHead
    }
    if (dh === undefined) throw new TypeError('gptBackward needs dlogits or dhidden')
    const f = layerNormBack(g, tape.lnf, dh)
    grads['transformer.ln_f.weight'] = f.dw
    grads['transformer.ln_f.bias'] = f.db
    let dx = f.dx
    for (let l = config.nLayer - 1; l >= 0; l--) {
      const n = `transformer.h.${l}.`
      const b = tape.blocks[l]
      dx = g.scope(`h.${l}`, () => {
        // MLP: x_out = x1 + act·Wp + bp
        const proj = linearBack(g, b.act, p[n + 'mlp.c_proj.weight'], dx, bt)
        grads[n + 'mlp.c_proj.weight'] = proj.dw
        grads[n + 'mlp.c_proj.bias'] = proj.db
        const dfc = geluBack(g, b.fc, proj.dx)
        const fc = linearBack(g, b.h2, p[n + 'mlp.c_fc.weight'], dfc, bt)
        grads[n + 'mlp.c_fc.weight'] = fc.dw
        grads[n + 'mlp.c_fc.bias'] = fc.db
        const ln2 = layerNormBack(g, b.ln2, fc.dx)
        grads[n + 'ln_2.weight'] = ln2.dw
        grads[n + 'ln_2.bias'] = ln2.db
        const dx1 = g.add(dx, ln2.dx)
        // Attention: x1 = x + merged·Wo + bo
        const o = linearBack(g, b.merged, p[n + 'attn.c_proj.weight'], dx1, bt)
        grads[n + 'attn.c_proj.weight'] = o.dw
        grads[n + 'attn.c_proj.bias'] = o.db
        const dO = g.transpose(g.reshape(o.dx, [B, T, H, hd]), [0, 2, 1, 3])
        const dP = g.matmul(dO, g.transpose(b.v, [0, 1, 3, 2]))
        const dv = g.matmul(g.transpose(b.probs, [0, 1, 3, 2]), dO)
        const dS = g.mul(b.probs, g.sub(dP, g.reduceSum(g.mul(dP, b.probs), [-1], true)))
        const scale = 1 / Math.sqrt(hd)
        const dq = g.mul(g.matmul(dS, b.k), scale)
        const dk = g.mul(g.matmul(g.transpose(dS, [0, 1, 3, 2]), b.q), scale)
        const back = (t: Value): Value => g.reshape(g.transpose(t, [0, 2, 1, 3]), [B, T, d])
        const dqkv = g.concat([back(dq), back(dk), back(dv)], 2)
        const qkv = linearBack(g, b.h1, p[n + 'attn.c_attn.weight'], dqkv, bt)
        grads[n + 'attn.c_attn.weight'] = qkv.dw
        grads[n + 'attn.c_attn.bias'] = qkv.db
        const ln1 = layerNormBack(g, b.ln1, qkv.dx)
        grads[n + 'ln_1.weight'] = ln1.dw
        grads[n + 'ln_1.bias'] = ln1.db
        return g.add(dx1, ln1.dx)
      })
    }
    g.scope('embed_grad', () => {
      const vocab = g.constant(tensor('int64', [1, V], Array.from({ length: V }, (_, i) => i)), 'vocab_ids')
      const onehot = g.cast(g.equal(g.reshape(tape.ids, [bt, 1]), vocab), dtype)
      const dwteEmb = g.gemm(onehot, flat(g, dx, bt), undefined, { transA: true })
      grads['transformer.wte.weight'] = config.tiedEmbeddings && dwteHead !== undefined ? g.add(dwteEmb, dwteHead) : dwteEmb
      const dpos = g.reduceSum(dx, [0])
      grads['transformer.wpe.weight'] = T === config.nCtx ? dpos : g.pad(dpos, [0, 0, config.nCtx - T, 0])
    })
    return grads
  })
}

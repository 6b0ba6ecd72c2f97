import { describe, it, expect } from 'vitest'
import { appendUpdate, flatParamInput, type UpdateInit } from '../src/train-step.js'
import { graphBuilder, type GraphBuilder } from '../src/builder.js'
import type { Value } from '../src/core.js'
import { grad } from '../src/autodiff.js'
import { adamw } from '../src/optim.js'
import { createSession } from '../src/session.js'
import { createSessionWorker } from '../src/worker.js'
import { scalar, tensor, type Tensor } from '../src/tensor.js'
import { mlp, tinyTransformer, type TinyConfig } from './models.js'
import { maxAbsDiff, randn, rng } from './helpers.js'

/** A train step over `forward`'s parameters (graph inputs): the model, the first step's state and the names carried. */
function buildStep (forward: (b: GraphBuilder) => Value, init: UpdateInit): { model: Uint8Array, state: Record<string, Tensor>, stateNames: string[] } {
  const b = graphBuilder({ paramsAs: 'input' })
  const loss = b.output('loss', forward(b))
  const params = b.params()
  const stateNames = appendUpdate(b, loss, params.map(p => p.value), init)
  const state: Record<string, Tensor> = { step: scalar('int64', 1n) }
  for (const p of params) {
    state[p.value.name] = p.init
    for (const s of ['m', 'v']) state[`opt.${s}.${p.value.name}`] = tensor(p.init.dtype, p.init.dims)
  }
  return { model: b.toModelProto(), state, stateNames }
}

const next = (names: string[], out: Record<string, Tensor>): Record<string, Tensor> => Object.fromEntries(names.map(n => [n, out[n + '.next']]))

describe('appendUpdate', () => {
  it('trains an MLP classifier to near-zero loss in onnxruntime', async () => {
    const r = rng(5)
    const B = 16
    const xs = tensor('float32', [B, 4], randn(r, B * 4))
    const ys = tensor('int64', [B], Array.from({ length: B }, () => Math.floor(r() * 3)))
    const step = buildStep((b) => {
      const x = b.input('x', 'float32', ['batch_size', 4])
      const y = b.input('y', 'int64', ['batch_size'])
      const logits = mlp(b, x, [4, 32, 3], 'float32', 1)
      b.output('accuracy', b.reduceMean(b.cast(b.equal(b.argMax(logits, -1), y), 'float32')))
      return b.reduceMean(b.crossEntropy(logits, y))
    }, { optimizer: adamw({ weightDecay: 0 }), clipNorm: 10 })
    const session = await createSessionWorker(step.model)
    let state = step.state
    const losses: number[] = []
    let out: Record<string, Tensor> = {}
    for (let i = 0; i < 300; i++) {
      out = await session.run({ ...state, x: xs, y: ys, lr: scalar('float32', 0.03) })
      losses.push(Number(out.loss.data[0]))
      state = next(step.stateNames, out)
    }
    await session.close()
    expect(losses[0]).toBeGreaterThan(0.5)
    expect(losses[losses.length - 1]).toBeLessThan(0.02)
    expect(Number(out.accuracy.data[0])).toBe(1)
    expect(Number(state.step.data[0])).toBe(301)
    expect(Number(out.grad_norm.data[0])).toBeGreaterThan(0)
  })

  it('trains a 2-layer attention block to near-zero loss on a fixed batch', async () => {
    const cfg: TinyConfig = { vocab: 8, d: 16, heads: 2, layers: 2, seq: 6, dtype: 'float32', seed: 3 }
    const r = rng(9)
    const B = 4
    const tokens = Array.from({ length: B * cfg.seq }, () => Math.floor(r() * cfg.vocab))
    // Target: the token two places back (needs attention), 0 where there is none.
    const targets = tokens.map((_, i) => (i % cfg.seq) >= 2 ? tokens[i - 2] : 0)
    const step = buildStep((b) => {
      const t = b.input('tokens', 'int64', ['batch_size', cfg.seq])
      const y = b.input('targets', 'int64', ['batch_size', cfg.seq])
      return b.reduceMean(b.crossEntropy(tinyTransformer(b, cfg, t), y))
    }, { optimizer: adamw({ weightDecay: 0 }), clipNorm: 1 })
    const session = await createSession(step.model)
    let state = step.state
    const batch = { tokens: tensor('int64', [B, cfg.seq], tokens), targets: tensor('int64', [B, cfg.seq], targets) }
    let first = 0
    let last = 0
    for (let i = 0; i < 150; i++) {
      const out = await session.run({ ...state, ...batch, lr: scalar('float32', 0.01) })
      if (i === 0) first = Number(out.loss.data[0])
      last = Number(out.loss.data[0])
      state = next(step.stateNames, out)
    }
    await session.close()
    expect(first).toBeGreaterThan(1)
    expect(last).toBeLessThan(0.05)
  })

  it('differentiates the whole transformer in float64 like central differences (directional, < 1e-8)', async () => {
    const cfg: TinyConfig = { vocab: 7, d: 8, heads: 2, layers: 2, seq: 4, dtype: 'float64', seed: 4 }
    const b = graphBuilder({ paramsAs: 'input' })
    const t = b.input('tokens', 'int64', ['batch_size', cfg.seq])
    const y = b.input('targets', 'int64', ['batch_size', cfg.seq])
    const loss = b.reduceMean(b.crossEntropy(tinyTransformer(b, cfg, t), y))
    const params = b.params()
    const grads = grad(b, loss, params.map(p => p.value))
    b.output('loss', loss)
    grads.forEach((g, i) => b.output(`grad.${i}`, g))
    const session = await createSession(b.toModelProto())
    const r = rng(2)
    const batch = { tokens: tensor('int64', [2, 4], [1, 2, 3, 4, 6, 5, 0, 1]), targets: tensor('int64', [2, 4], [2, 3, 4, 5, 0, 6, 1, 2]) }
    const base = params.map(p => p.init.data as Float64Array)
    const dirs = base.map(a => Float64Array.from(randn(r, a.length)))
    const at = (eps: number): Record<string, Tensor> => Object.fromEntries(params.map((p, i) => [p.value.name, tensor('float64', p.init.dims, base[i].map((v, j) => v + eps * dirs[i][j]))]))
    const out = await session.run({ ...at(0), ...batch })
    let analytic = 0
    grads.forEach((_, i) => { const g = out[`grad.${i}`].data as Float64Array; for (let j = 0; j < g.length; j++) analytic += g[j] * dirs[i][j] })
    const lossAt = async (eps: number): Promise<number> => Number((await session.run({ ...at(eps), ...batch }, { fetches: ['loss'] })).loss.data[0])
    const central = async (h: number): Promise<number> => (await lossAt(h) - await lossAt(-h)) / (2 * h)
    // Richardson extrapolation of central differences: truncation error O(h^4).
    const h = 2e-5
    const fd = (4 * await central(h / 2) - await central(h)) / 3
    await session.close()
    expect(Math.abs(analytic)).toBeGreaterThan(1e-3)
    expect(Math.abs(fd - analytic) / Math.abs(analytic)).toBeLessThan(1e-8)
  })

  it('steps a flat parameter/state buffer exactly as named parameters, fused (several) or one by one (one)', async () => {
    const x = tensor('float64', [4, 3], [1, 2, 0, -1, 0.5, 1, 0, 1, -2, 3, 1, 0])
    for (const specs of [[{ name: 'w', shape: [3, 2] }, { name: 'c', shape: [2] }], [{ name: 'w', shape: [3, 2] }]]) {
      const init = [Float64Array.from([0.3, -0.2, 0.5, 0.1, -0.4, 0.2]), Float64Array.from([0.05, -0.1])].slice(0, specs.length)
      const build = (flat: boolean): Uint8Array => {
        const b = graphBuilder()
        const f = flat ? flatParamInput(b, 'params', specs, 'float64') : undefined
        const ps = f?.params ?? specs.map(s => b.input(s.name, 'float64', s.shape))
        const y = b.matmul(b.input('x', 'float64', [4, 3]), ps[0])
        appendUpdate(b, b.reduceSum(b.mul(y, ps.length > 1 ? b.add(y, ps[1]) : y)), ps, { optimizer: adamw({ weightDecay: 0.1 }), clipNorm: 0.5, flat: f })
        return b.toModelProto()
      }
      const run = async (flat: boolean): Promise<number[]> => {
        const session = await createSession(build(flat))
        const n = init.reduce((a, v) => a + v.length, 0)
        let state: Record<string, Tensor> = flat
          ? { params: tensor('float64', [n], init.flatMap(v => [...v])), 'opt.m.params': tensor('float64', [n]), 'opt.v.params': tensor('float64', [n]) }
          : Object.fromEntries(specs.flatMap((s, i) => [[s.name, tensor('float64', s.shape, init[i])], [`opt.m.${s.name}`, tensor('float64', s.shape)], [`opt.v.${s.name}`, tensor('float64', s.shape)]]))
        for (let t = 1; t <= 3; t++) {
          const out = await session.run({ ...state, x, lr: scalar('float64', 0.1), step: scalar('int64', BigInt(t)) })
          state = Object.fromEntries(Object.keys(state).map(k => [k, out[k + '.next']]))
        }
        await session.close()
        return flat ? Array.from(state.params.data, Number) : specs.flatMap(s => Array.from(state[s.name].data, Number))
      }
      const [flat, named] = [await run(true), await run(false)]
      expect(maxAbsDiff(flat, named)).toBeLessThan(1e-12)
      expect(maxAbsDiff(flat, init.flatMap(v => [...v]))).toBeGreaterThan(1e-3)
    }
  })

  it('rejects a non-scalar loss and an empty parameter list', () => {
    const b = graphBuilder()
    const z = b.input('z', 'float32', [2])
    expect(() => appendUpdate(b, z, [z])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_GRAPH' }) as Error)
    expect(() => appendUpdate(b, b.reduceSum(z), [])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error)
  })
})

import { describe, it, expect } from 'vitest'
import { graphBuilder } from '../src/builder.js'
import { adamw, clipScale, globalNorm, type Optimizer } from '../src/optim.js'
import { createSession } from '../src/session.js'
import { scalar, tensor, type Tensor } from '../src/tensor.js'
import { randn, rng, maxAbsDiff } from './helpers.js'

const N = 6

async function runOptimizer (opt: Optimizer, grads: number[][], p0: number[], lrs: number[]): Promise<number[][]> {
  const b = graphBuilder()
  const p = b.input('p', 'float64', [N])
  const g = b.input('g', 'float64', [N])
  const lr = b.input('lr', 'float64', [])
  const step = b.input('step', 'float64', [])
  const state = Object.fromEntries(opt.slots.map(s => [s, b.input(s, 'float64', [N])]))
  const [u] = opt.apply(b, [{ name: 'w', param: p, grad: g, state }], { lr, step })
  b.output('p_next', u.param)
  for (const s of opt.slots) b.output(`${s}_next`, u.state[s])
  const session = await createSession(b.toModelProto())
  let feeds: Record<string, Tensor> = { p: tensor('float64', [N], p0), ...Object.fromEntries(opt.slots.map(s => [s, tensor('float64', [N])])) }
  const trace: number[][] = []
  for (let t = 0; t < grads.length; t++) {
    const out = await session.run({ ...feeds, g: tensor('float64', [N], grads[t]), lr: scalar('float64', lrs[t]), step: scalar('float64', t + 1) })
    trace.push(Array.from(out.p_next.data as Float64Array))
    feeds = { p: out.p_next, ...Object.fromEntries(opt.slots.map(s => [s, out[`${s}_next`]])) }
  }
  await session.close()
  return trace
}

/** Plain-TS AdamW (PyTorch's algorithm). */
function tsAdamW (grads: number[][], p0: number[], lrs: number[], b1: number, b2: number, eps: number, wd: number): number[][] {
  const p = [...p0]
  const m = new Array<number>(N).fill(0)
  const v = new Array<number>(N).fill(0)
  return grads.map((g, t) => {
    const lr = lrs[t]
    for (let i = 0; i < N; i++) {
      p[i] *= 1 - lr * wd
      m[i] = b1 * m[i] + (1 - b1) * g[i]
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
      const mhat = m[i] / (1 - b1 ** (t + 1))
      const vhat = v[i] / (1 - b2 ** (t + 1))
      p[i] -= lr * mhat / (Math.sqrt(vhat) + eps)
    }
    return [...p]
  })
}

describe('optimizer', () => {
  const r = rng(11)
  const grads = Array.from({ length: 8 }, () => randn(r, N, 2))
  const p0 = randn(r, N)
  const lrs = [0.1, 0.05, 0.05, 0.02, 0.2, 0.1, 0.01, 0.03]

  it('AdamW matches a plain-TypeScript AdamW to 1e-6 (float64)', async () => {
    const got = await runOptimizer(adamw({ beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1 }), grads, p0, lrs)
    const want = tsAdamW(grads, p0, lrs, 0.8, 0.95, 1e-6, 0.1)
    for (let t = 0; t < grads.length; t++) expect(maxAbsDiff(got[t], want[t])).toBeLessThan(1e-6)
  })

  it('clips gradients to a global norm and reports the pre-clip norm', async () => {
    const b = graphBuilder()
    const g1 = b.input('g1', 'float64', [2])
    const g2 = b.input('g2', 'float64', [3])
    const norm = globalNorm(b, [g1, g2])
    b.output('norm', norm)
    b.output('c1', b.mul(g1, clipScale(b, norm, 1)))
    const s = await createSession(b.toModelProto())
    for (const scale of [10, 0.1]) {
      const a = [3, 4].map(v => v * scale)
      const c = [0, 0, 0]
      const out = await s.run({ g1: tensor('float64', [2], a), g2: tensor('float64', [3], c) })
      const n = 5 * scale
      expect(Number(out.norm.data[0])).toBeCloseTo(n, 12)
      const k = Math.min(1, 1 / (n + 1e-6))
      expect(maxAbsDiff(out.c1.data as Float64Array, a.map(v => v * k))).toBeLessThan(1e-12)
    }
    await s.close()
    expect(() => adamw({ beta1: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error)
  })
})

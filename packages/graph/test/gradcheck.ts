/**
 * Gradient checking: builds `loss = Σ y ⊙ r` (r fixed random) over the op under test, asks
 * `grad()` for d loss / d inputs, and compares every coordinate with central finite
 * differences computed in float64 — from the same graph in onnxruntime (float64 ops) or from
 * an independent JS float64 forward (`reference`, for ops with float32-only kernels).
 */
import { graphBuilder, type GraphBuilder } from '../src/builder.js'
import type { Value } from '../src/core.js'
import { grad } from '../src/autodiff.js'
import { createSession } from '../src/session.js'
import { tensor, type DType } from '../src/tensor.js'
import type { Shape } from '../src/shape.js'
import { rng, randn } from './helpers.js'

/** One gradient check. */
export interface GradCase {
  dtype?: 'float32' | 'float64'
  /** Input dims, and optional symbolic dims declared to the graph. */
  inputs: Array<{ dims: number[], declared?: Shape, values?: number[], positive?: boolean }>
  build: (b: GraphBuilder, xs: Value[]) => Value
  /** Independent float64 forward (returns y flattened), for ops lacking float64 kernels. */
  reference?: (xs: Float64Array[]) => ArrayLike<number>
  seed?: number
}

/** Result: worst error relative to max(1, |fd|). */
export interface GradReport { maxErr: number, count: number }

export async function checkGradient (c: GradCase): Promise<GradReport> {
  const dtype: DType = c.dtype ?? 'float64'
  const r = rng(c.seed ?? 1)
  const xs = c.inputs.map(inp => Float64Array.from(inp.values ?? randn(r, inp.dims.reduce((a, d) => a * d, 1)).map(v => inp.positive === true ? Math.abs(v) + 0.2 : v)))
  const b = graphBuilder({ name: 'gradcheck' })
  const vals = c.inputs.map((inp, i) => b.input(`x${i}`, dtype, inp.declared ?? inp.dims))
  const y = b.scope('op', () => c.build(b, vals))
  const weightsData = randn(r, y.shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1))
  const yN = c.inputs.length > 0 ? weightsData.length : 0
  const w = b.constant(tensor(dtype, y.shape.map(d => typeof d === 'number' ? d : 1), weightsData))
  const loss = b.reduceSum(b.mul(y, w))
  const grads = grad(b, loss, vals)
  b.output('loss', loss)
  grads.forEach((g, i) => b.output(`g${i}`, g))
  const session = await createSession(b.toModelProto())
  const feed = (arrays: Float64Array[]): Record<string, ReturnType<typeof tensor>> => Object.fromEntries(arrays.map((a, i) => [`x${i}`, tensor(dtype, c.inputs[i].dims, dtype === 'float64' ? a : Float32Array.from(a))]))
  const analytic = await session.run(feed(xs))
  const lossAt = async (arrays: Float64Array[]): Promise<number> => {
    if (c.reference !== undefined) {
      const yv = c.reference(arrays)
      let s = 0
      for (let i = 0; i < yN; i++) s += yv[i] * weightsData[i]
      return s
    }
    const out = await session.run(feed(arrays), { fetches: ['loss'] })
    return Number(out.loss.data[0])
  }
  const h = dtype === 'float64' ? 1e-5 : 1e-4
  let maxErr = 0
  let count = 0
  for (let i = 0; i < xs.length; i++) {
    const g = analytic[`g${i}`].data as Float64Array | Float32Array
    for (let j = 0; j < xs[i].length; j++) {
      const plus = xs.map(a => a.slice())
      const minus = xs.map(a => a.slice())
      plus[i][j] += h
      minus[i][j] -= h
      const fd = (await lossAt(plus) - await lossAt(minus)) / (2 * h)
      maxErr = Math.max(maxErr, Math.abs(fd - g[j]) / Math.max(1, Math.abs(fd)))
      count++
    }
  }
  await session.close()
  return { maxErr, count }
}

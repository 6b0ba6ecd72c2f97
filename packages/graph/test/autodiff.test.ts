import { describe, it, expect } from 'vitest'
import { graphBuilder } from '../src/builder.js'
import { grad } from '../src/autodiff.js'
import { tensor } from '../src/tensor.js'
import { createSession, type TensorMap } from '../src/session.js'
import type { Value } from '../src/core.js'
import { MissingGradientError } from '../src/errors.js'

/** Outputs `g` as `name`, runs the graph once on `feeds` and returns that output's values. */
async function runOutput (b: ReturnType<typeof graphBuilder>, g: Value, feeds: TensorMap): Promise<number[]> {
  b.output('out', g)
  const s = await createSession(b.toModelProto())
  try {
    return Array.from((await s.run(feeds)).out.data as Float32Array | Float64Array)
  } finally {
    await s.close()
  }
}

describe('autodiff', () => {
  it('passes no gradient through stopGradient', async () => {
    const b = graphBuilder()
    const x = b.input('x', 'float64', [3])
    const loss = b.reduceSum(b.mul(x, b.stopGradient(x)))
    const [gx] = grad(b, loss, [x])
    expect(await runOutput(b, gx, { x: tensor('float64', [3], [1, -2, 3]) })).toEqual([1, -2, 3]) // not 2x
  })

  it('sums gradients over every use of a value', async () => {
    const b = graphBuilder()
    const x = b.input('x', 'float64', [2])
    const loss = b.reduceSum(b.add(b.mul(x, x), b.mul(x, 3)))
    const [gx] = grad(b, loss, [x])
    expect(await runOutput(b, gx, { x: tensor('float64', [2], [1, 5]) })).toEqual([5, 13])
  })

  it('builds backward nodes only on paths to the requested parameters', () => {
    const make = (both: boolean): number => {
      const b = graphBuilder()
      const x = b.input('x', 'float32', [2, 4])
      const w1 = b.scope('a', () => b.param('w', tensor('float32', [4, 4])))
      const w2 = b.scope('b', () => b.param('w', tensor('float32', [4, 4])))
      const loss = b.reduceSum(b.add(b.tanh(b.matmul(x, w1)), b.sigmoid(b.matmul(x, w2))))
      const before = b.nodeList.length
      grad(b, loss, both ? [w1, w2] : [w1])
      return b.nodeList.length - before
    }
    expect(make(false)).toBeLessThan(make(true))
  })

  it('returns zeros for a parameter that does not reach the loss', async () => {
    const b = graphBuilder()
    const x = b.input('x', 'float32', [2])
    const w = b.param('w', tensor('float32', [2], [1, 1]))
    const [gw] = grad(b, b.reduceSum(b.mul(x, x)), [w])
    expect(await runOutput(b, gw, { x: tensor('float32', [2], [1, 2]) })).toEqual([0, 0])
  })

  it('throws MissingGradientError naming an op without a rule', () => {
    const b = graphBuilder()
    const x = b.input('x', 'float32', [2, 3])
    const [y] = b.scope('blk', () => b.node('HardSwish', [x], {}, [{ dtype: 'float32', shape: [2, 3] }]))
    let err: unknown
    try { grad(b, b.reduceSum(y), [x]) } catch (e) { err = e }
    expect(err).toBeInstanceOf(MissingGradientError)
    expect((err as MissingGradientError).op).toBe('HardSwish')
    expect((err as MissingGradientError).code).toBe('ERR_MISSING_GRADIENT')
    expect((err as Error).message).toContain('blk/HardSwish')
  })
})

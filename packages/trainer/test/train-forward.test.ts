import { describe, expect, it } from 'vitest'
import { createSession, tensor, type TensorMap } from '@murmur/graph'
import { paramSpecs, resolveGptConfig, initWeights, referenceForward } from '@murmur/policy'
import { buildLogitsGraph, buildLogprobGraph } from '../src/graphs.js'

const config = resolveGptConfig({ nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 11, nCtx: 8 })

describe('training forward graph', () => {
  it('matches the independent plain-TypeScript forward pass (1e-4)', async () => {
    const weights = initWeights(config, 3)
    // Larger weights than the 0.02 init so the check is not dominated by near-uniform logits.
    for (const w of Object.values(weights)) for (let i = 0; i < w.length; i++) w[i] *= 20
    const ids = [[1, 5, 7, 2, 9, 0], [1, 3, 3, 3, 10, 4]]
    const session = await createSession(buildLogitsGraph(config, 2, 6))
    const feeds: TensorMap = { input_ids: tensor('int64', [2, 6], ids.flat()) }
    for (const s of paramSpecs(config)) feeds[s.name] = tensor('float32', s.shape, weights[s.name])
    const out = await session.run(feeds)
    const ref = referenceForward(config, weights, { ids })
    const logits = out.logits.data as Float32Array
    let maxErr = 0
    ref.forEach((row, b) => row.forEach((v, t) => v.forEach((x, k) => {
      maxErr = Math.max(maxErr, Math.abs(x - logits[(b * 6 + t) * 11 + k]))
    })))
    expect(maxErr).toBeLessThan(1e-4)
    await session.close()
  })

  it('log-prob graph picks log-softmax at the targets', async () => {
    const weights = initWeights(config, 4)
    const feeds: TensorMap = {
      input_ids: tensor('int64', [1, 4], [1, 2, 3, 4]),
      targets: tensor('int64', [1, 4], [2, 3, 4, 5])
    }
    for (const s of paramSpecs(config)) feeds[s.name] = tensor('float32', s.shape, weights[s.name])
    const session = await createSession(buildLogprobGraph(config, 1, 4))
    const lp = (await session.run(feeds)).logp.data as Float32Array
    await session.close()
    const ref = referenceForward(config, weights, { ids: [[1, 2, 3, 4]] })[0]
    ref.forEach((row, t) => {
      const m = Math.max(...row)
      const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0))
      expect(lp[t]).toBeCloseTo(row[t + 2] - lse, 4)
    })
  })
})

import { describe, expect, it } from 'vitest'
import { createSession, tensor, type TensorMap } from '@murmur/graph'
import { paramSpecs, resolveGptConfig, initWeights, referenceForward } from '@murmur/policy'
import { buildLogprobGraph } from '../src/step-graph.js'

const config = resolveGptConfig({ nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 11, nCtx: 8 })

describe('training forward graph', () => {
  it('log-probs at the targets match log-softmax of the independent plain-TypeScript forward pass (1e-4)', async () => {
    const weights = initWeights(config, 3)
    // Larger weights than the 0.02 init so the check is not dominated by near-uniform logits.
    for (const w of Object.values(weights)) for (let i = 0; i < w.length; i++) w[i] *= 20
    const ids = [[1, 5, 7, 2, 9, 0], [1, 3, 3, 3, 10, 4]]
    const targets = [[5, 7, 2, 9, 0, 6], [3, 3, 3, 10, 4, 8]]
    const feeds: TensorMap = { input_ids: tensor('int64', [2, 6], ids.flat()), targets: tensor('int64', [2, 6], targets.flat()) }
    for (const s of paramSpecs(config)) feeds[s.name] = tensor('float32', s.shape, weights[s.name])
    const session = await createSession(buildLogprobGraph(config, 2, 6))
    const lp = (await session.run(feeds)).logp.data as Float32Array
    await session.close()
    let maxErr = 0
    referenceForward(config, weights, { ids }).forEach((rows, b) => rows.forEach((row, t) => {
      const m = Math.max(...row)
      const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0))
      maxErr = Math.max(maxErr, Math.abs(row[targets[b][t]] - lse - lp[b * 6 + t]))
    }))
    expect(maxErr).toBeLessThan(1e-4)
  })
})

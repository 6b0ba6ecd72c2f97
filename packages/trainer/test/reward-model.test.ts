import { describe, expect, it } from 'vitest'
import { graphBuilder } from '@murmur/graph'
import { resolveGptConfig, charTokenizer, initWeights, weightsFromSafetensors } from '@murmur/policy'
import { readFileSync } from 'node:fs'
import { buildRewardScoringModel } from '../src/reward-model/graphs.js'
import { createRewardModel } from '../src/reward-model/runtime.js'
import { rewardModelFromSafetensors, rewardModelToSafetensors, trainRewardModel } from '../src/reward-model/train.js'

const tokenizer = charTokenizer()
const config = resolveGptConfig({ nLayer: 1, nEmbd: 16, nHead: 2, vocabSize: tokenizer.vocabSize, nCtx: 32 })

describe('reward model', () => {
  it('fits preference pairs with the Bradley–Terry loss and round-trips through safetensors', async () => {
    const losses: number[] = []
    const r = await trainRewardModel({
      seed: 1, steps: 150, pairsPerStep: 16, evalPairs: 128,
      // From scratch the trunk learns too slowly for a fast test; start from the shipped base policy.
      base: weightsFromSafetensors(readFileSync(new URL('../../policy/checkpoints/tiny-base.safetensors', import.meta.url)), 'tiny-base.safetensors'),
      onProgress: p => { losses.push(p.loss) }
    })
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
    expect(mean(losses.slice(-50))).toBeLessThan(mean(losses.slice(0, 50)))
    expect(r.heldOutAccuracy).toBeGreaterThan(0.55)
    const back = rewardModelFromSafetensors(rewardModelToSafetensors(r.config, r.weights))
    for (const k of Object.keys(r.weights)) expect(back.weights[k]).toEqual(r.weights[k])
    expect(() => rewardModelFromSafetensors(new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_TRAINER_STATE' }) as Error)
  })

  it('scores a row the same whatever the batch and padding around it', async () => {
    const weights: Record<string, Float32Array> = initWeights(config, 2)
    weights['score.weight'] = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i))
    const fixed = await createRewardModel({ model: buildRewardScoringModel(config, weights), tokenizer })
    const item = { prompt: '12+34=', completion: '46' }
    const alone = await fixed.score([item])
    const mixed = await fixed.score([{ prompt: '1+1=', completion: '2222222222' }, item, { prompt: 'x', completion: '' }])
    expect(mixed[1]).toBeCloseTo(alone[0], 5)
    expect(mixed[0]).not.toBeCloseTo(alone[0], 3)
    const shorter = await createRewardModel({ model: buildRewardScoringModel(config, weights, 16), tokenizer })
    expect((await shorter.score([item]))[0]).toBeCloseTo(alone[0], 5)
    await fixed.close()
    await shorter.close()
    await expect(fixed.score([item])).rejects.toMatchObject({ code: 'ERR_TRAINER_CLOSED' })
  })

  it('rejects a model without the documented I/O with a typed error', async () => {
    const g = graphBuilder()
    const x = g.input('tokens', 'int64', ['batch_size', 4])
    g.output('scores', g.cast(x, 'float32'))
    await expect(createRewardModel({ model: g.toModelProto(), tokenizer })).rejects.toMatchObject({ code: 'ERR_INFERENCE' })
  })
})

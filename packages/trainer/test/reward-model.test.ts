import { describe, expect, it } from 'vitest'
import { graphBuilder } from '@murmur/graph'
import { resolveGptConfig, charTokenizer, initWeights, weightsFromSafetensors, referenceForward } from '@murmur/policy'
import { readFileSync } from 'node:fs'
import { buildRewardScoringModel } from '../src/reward-model/graphs.js'
import { createRewardModel } from '../src/reward-model/runtime.js'
import { loadRewardModel, rewardModelFromSafetensors, rewardModelToSafetensors, trainRewardModel } from '../src/reward-model/train.js'

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

  it('scores with the shipped tiny-reward checkpoint as the float64 reference trunk and head do', async () => {
    const bytes = readFileSync(new URL('../../policy/checkpoints/tiny-reward.safetensors', import.meta.url))
    const { config: c, weights } = rewardModelFromSafetensors(bytes)
    const rm = await loadRewardModel(bytes)
    const items = [{ prompt: '12+34=', completion: '46' }, { prompt: '12+34=', completion: '45' }, { prompt: '7*8=', completion: '56' }]
    const got = await rm.score(items)
    await rm.close()
    // Reference: an untied head whose row 0 is score.weight reads the score as logit 0 of the last token.
    const head = new Float32Array(c.vocabSize * c.nEmbd)
    head.set(weights['score.weight'])
    const untied = resolveGptConfig({ ...c, tiedEmbeddings: false })
    items.forEach((item, i) => {
      const ids = [tokenizer.bosId as number, ...tokenizer.encode(item.prompt + item.completion), tokenizer.eosId as number]
      const ref = referenceForward(untied, { ...weights, 'lm_head.weight': head }, { ids: [ids] })[0].at(-1) as number[]
      expect(got[i]).toBeCloseTo(ref[0], 4)
    })
    expect(new Set(got.map(x => x.toFixed(4))).size).toBe(3)
  })
})

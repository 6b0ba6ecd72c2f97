import { describe, expect, it } from 'vitest'
import { resolveGptConfig, charTokenizer, initWeights } from '@murmur/policy'
import { learningRateAt } from '../src/lr-schedule.js'
import { resolveTrainerConfig } from '../src/trainer-config.js'
import { createTrainer } from '../src/trainer.js'
import { closedAfterEach, groups, pairs, sum } from './groups-fixture.js'

describe('learningRateAt', () => {
  it('warms up linearly, then stays constant without decay', () => {
    const s = { warmupSteps: 4, decaySteps: 0 }
    expect([1, 2, 3, 4, 5, 100].map(t => learningRateAt(t, 1, s))).toEqual([0.25, 0.5, 0.75, 1, 1, 1])
    expect(learningRateAt(1, 2e-4, { warmupSteps: 0, decaySteps: 0 })).toBe(2e-4)
  })

  it('decays linearly to zero at decaySteps, the last step still moving (Hugging Face linear schedule)', () => {
    // W = 2, D = 6: steps 3..6 decay over D − W = 4 steps: 4/4, 3/4, 2/4, 1/4; after D, 0.
    const s = { warmupSteps: 2, decaySteps: 6 }
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(t => learningRateAt(t, 8, s))).toEqual([4, 8, 8, 6, 4, 2, 0, 0])
    // The whole schedule's area, summed independently: warm-up W(W+1)/2W + decay (D−W+1)/2.
    const w = 20
    const d = 400
    let area = 0
    for (let t = 1; t <= d + 10; t++) area += learningRateAt(t, 1, { warmupSteps: w, decaySteps: d })
    expect(area).toBeCloseTo((w + 1) / 2 + (d - w + 1) / 2, 9)
  })

  it('rejects a decay that ends inside warm-up, naming the key', () => {
    expect(() => resolveTrainerConfig({ warmupSteps: 20, decaySteps: 10 })).toThrow(/decaySteps/)
    expect(() => resolveTrainerConfig({ decaySteps: -1 })).toThrow(/decaySteps/)
    expect(resolveTrainerConfig({ warmupSteps: 20, decaySteps: 21 }).decaySteps).toBe(21)
  })
})

describe('a trainer with decay', () => {
  const tokenizer = charTokenizer()
  const config = resolveGptConfig({ nLayer: 1, nEmbd: 16, nHead: 2, vocabSize: tokenizer.vocabSize, nCtx: 32 })
  const track = closedAfterEach()

  it('applies the schedule step by step and stops moving the weights after decaySteps', async () => {
    const t = track(createTrainer({ config, weights: initWeights(config, 1), tokenizer, seed: 3, learningRate: 1e-3, minibatchSize: 8, warmupSteps: 1, decaySteps: 3 }))
    const rates: number[] = []
    for (let i = 0; i < 3; i++) rates.push(...(await t.train(groups)).perStep.map(s => s.learningRate))
    expect(rates).toHaveLength(3)
    expect(rates[0]).toBeCloseTo(1e-3, 12)
    expect(rates[1]).toBeCloseTo(1e-3, 12)
    expect(rates[2]).toBeCloseTo(0.5e-3, 12)
    const before = (await t.logprobs(pairs)).map(sum)
    const after4 = await t.train(groups)
    expect(after4.perStep[0].learningRate).toBe(0)
    expect((await t.logprobs(pairs)).map(sum)).toEqual(before)
  })
})

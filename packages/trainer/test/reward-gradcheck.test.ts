import { describe, expect, it } from 'vitest'
import { createSession, tensor, type TensorMap } from '@murmur/graph'
import { createRng } from '@murmur/interface'
import { initWeights, resolveGptConfig } from '@murmur/policy'
import { buildRewardTrainStep, rewardParamSpecs, SCORE_WEIGHT } from '../src/reward-model/graphs.js'

// Whole-model float64 gradient check of the reward model's Bradley–Terry step (trunk + scalar
// head, autodiff) against a central difference along random directions.
describe('reward-model step gradient (float64 directional derivative)', () => {
  it('matches central differences within 1e-7 (rotary and learned positions)', async () => {
    for (const positions of ['learned', 'rotary'] as const) {
      const config = resolveGptConfig({ nLayer: 1, nEmbd: 8, nHead: 2, vocabSize: 7, nCtx: 6, positions })
      const rng = createRng(3)
      const w = initWeights(config, 2)
      const params: Record<string, Float64Array> = {}
      for (const s of rewardParamSpecs(config)) {
        params[s.name] = s.name === SCORE_WEIGHT ? Float64Array.from({ length: 8 }, () => 0.5 * rng.normal()) : Float64Array.from(w[s.name], x => x * 10 + 0.1 * rng.normal())
      }
      const P = 2
      const T = 5
      const batch: TensorMap = {
        input_ids: tensor('int64', [2 * P, T], [1, 4, 2, 6, 0, 1, 5, 5, 0, 0, 1, 3, 2, 6, 2, 1, 5, 2, 0, 0]),
        attention_mask: tensor('int64', [2 * P, T], [1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
        pair_mask: tensor('float64', [P], [1, 1])
      }
      const session = await createSession(buildRewardTrainStep(config, P, T, { optimizer: false, dtype: 'float64' }))
      const feeds = (x: Record<string, Float64Array>): TensorMap => ({ ...batch, ...Object.fromEntries(rewardParamSpecs(config).map(s => [s.name, tensor('float64', s.shape, x[s.name])])) })
      const out = await session.run(feeds(params))
      const dir = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v, () => rng.normal())]))
      let analytic = 0
      for (const s of rewardParamSpecs(config)) {
        const g = out[`grad.${s.name}`].data as Float64Array
        for (let i = 0; i < g.length; i++) analytic += g[i] * dir[s.name][i]
      }
      const h = 1e-6
      const at = async (sign: number): Promise<number> => {
        const shifted = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.map((x, i) => x + sign * h * dir[k][i])]))
        return (await session.run(feeds(shifted), { fetches: ['loss'] })).loss.data[0] as number
      }
      const numeric = (await at(1) - await at(-1)) / (2 * h)
      await session.close()
      expect(Math.abs(analytic)).toBeGreaterThan(1e-4)
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-7 * Math.max(1, Math.abs(analytic)))
    }
  })
})

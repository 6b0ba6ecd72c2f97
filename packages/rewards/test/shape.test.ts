import { describe, it, expect } from 'vitest'
import { shapeRewards, type RewardGroup } from '../src/shape.js'
import { resolveRewardsConfig } from '../src/config.js'
import { groupAdvantages, overlongPenalty } from '../src/advantages.js'
import { heroShape, type HeroState } from '../src/hero.js'
import { gdpoAdvantages } from '../src/gdpo.js'
import { partialCredit } from '../src/partial.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from '../src/errors.js'
import { mulberry32, randArray } from './prng.js'

function catchErr (fn: () => unknown): unknown {
  try { fn(); return undefined } catch (e) { return e }
}

function randomGroups (rand: () => number, n: number, g = 6): RewardGroup[] {
  return Array.from({ length: n }, () => ({
    verifier: Array.from({ length: g }, () => (rand() < 0.5 ? 1 : 0)),
    rm: randArray(rand, g, -1, 1),
    lengths: Array.from({ length: g }, () => Math.floor(rand() * 120))
  }))
}

describe('shapeRewards', () => {
  it('verifier shaper with GRPO equals groupAdvantages on the raw scores, and drops all-equal groups', () => {
    const groups: RewardGroup[] = [{ verifier: [1, 0, 0, 1] }, { verifier: [1, 1, 1] }, { verifier: [0, 0] }]
    const out = shapeRewards({ shaper: 'verifier' }, { groups })
    expect(out.kept).toEqual([true, false, false])
    expect(out.advantages[0]).toEqual(groupAdvantages([1, 0, 0, 1], 'grpo'))
    expect(out.advantages[1]).toEqual([0, 0, 0])
    expect(out.stats).toMatchObject({ groups: 3, keptGroups: 1, completions: 9, passRate: 5 / 9 })
    const unfiltered = shapeRewards({ shaper: 'verifier', filterZeroVariance: false, advantage: 'rloo' }, { groups })
    expect(unfiltered.kept).toEqual([true, true, true])
    expect(unfiltered.advantages[0]).toEqual(groupAdvantages([1, 0, 0, 1], 'rloo'))
  })

  it('rm shaper uses the raw RM scores', () => {
    const out = shapeRewards({ shaper: 'rm', advantage: 'mean' }, { groups: [{ verifier: [0, 0, 0], rm: [3, 1, 2] }] })
    expect(out.rewards).toEqual([[3, 1, 2]])
    expect(out.advantages).toEqual([[1, -1, 0]])
  })

  it('hero shaper composes heroShape with mean-only advantages and carries state', () => {
    const rand = mulberry32(50)
    let state: HeroState | undefined
    for (let batch = 0; batch < 3; batch++) {
      const groups = randomGroups(rand, 4)
      const out = shapeRewards({ shaper: 'hero' }, { groups, state })
      const ref = heroShape(groups.map(g => ({ verifier: g.verifier, rm: g.rm as number[] })), state)
      expect(out.rewards).toEqual(ref.rewards)
      expect(out.weights).toEqual(ref.weights)
      expect(out.state).toEqual(ref.state)
      out.advantages.forEach((a, g) => { if (out.kept[g]) expect(a).toEqual(groupAdvantages(ref.rewards[g], 'mean')) })
      expect(out.stats.sigmaBar).toBe(ref.state.sigmaBar)
      state = JSON.parse(JSON.stringify(out.state)) as HeroState
    }
    expect(state?.batches).toBe(3)
  })

  it('hero without weighting defaults to GRPO advantages', () => {
    expect(resolveRewardsConfig({ shaper: 'hero', hero: { weighting: false } }).advantage).toBe('grpo')
    expect(resolveRewardsConfig({ shaper: 'hero' }).advantage).toBe('mean')
    expect(resolveRewardsConfig({}).advantage).toBe('grpo')
    expect(resolveRewardsConfig({ shaper: 'verifier' }).advantage).toBe('grpo')
  })

  it('adds the overlong penalty to every scalar reward', () => {
    const groups: RewardGroup[] = [{ verifier: [1, 1, 0], lengths: [10, 90, 120] }]
    const out = shapeRewards({ shaper: 'verifier', overlong: { lMax: 100, lCache: 20 } }, { groups })
    expect(out.rewards[0]).toEqual([1, 1 + overlongPenalty(90, 100, 20), -1])
    expect(out.rewards[0][1]).toBeCloseTo(0.5, 12)
  })

  it('partial shaper uses difficulty-weighted partial credit', () => {
    const checks = [[1, 1], [1, 0], [0, 0]]
    const out = shapeRewards({ shaper: 'partial', partial: { a: 2 } }, { groups: [{ verifier: [1, 0, 0], checks }] })
    expect(out.rewards[0]).toEqual(partialCredit(checks, { a: 2 }))
  })

  it('gdpo shaper equals gdpoAdvantages on [verifier, ...extra] and leaves filtered groups out of the batch statistics', () => {
    const groups: RewardGroup[] = [
      { verifier: [0, 0], extra: [[0], [1]] },
      { verifier: [0, 1], extra: [[0], [1]] },
      { verifier: [1, 1], extra: [[0.5], [0.5]] }
    ]
    const out = shapeRewards({ shaper: 'gdpo' }, { groups })
    expect(out.kept).toEqual([true, true, false])
    const ref = gdpoAdvantages([[[0, 0], [0, 1]], [[0, 0], [1, 1]]])
    expect(out.advantages.slice(0, 2)).toEqual(ref)
    expect(out.advantages[2]).toEqual([0, 0])
    expect(out.rewards).toEqual([[0, 1], [0, 2], [1.5, 1.5]])
    const unfiltered = shapeRewards({ shaper: 'gdpo', filterZeroVariance: false }, { groups })
    expect(unfiltered.advantages).toEqual(gdpoAdvantages(groups.map(g => g.verifier.map((v, i) => [v, ...(g.extra as number[][])[i]]))))
  })

  it('gdpo conditioning zeroes extras of failed completions and appends the overlong column', () => {
    const groups: RewardGroup[] = [{ verifier: [0, 1, 1], extra: [[1], [1], [0]], lengths: [5, 5, 50] }]
    const cfg = { shaper: 'gdpo' as const, gdpo: { conditionOnCorrect: true, weights: [1, 0.5, 2] }, overlong: { lMax: 40, lCache: 10 } }
    const out = shapeRewards(cfg, { groups })
    expect(out.advantages).toEqual(gdpoAdvantages([[[0, 0, 0], [1, 1, 0], [1, 0, -1]]], [1, 0.5, 2]))
    const err = catchErr(() => shapeRewards({ ...cfg, gdpo: { weights: [1, 1] } }, { groups }))
    expect((err as InvalidRewardsConfigError).field).toBe('gdpo.weights')
  })

  it('an empty batch yields empty results and passes HERO state through', () => {
    const state: HeroState = { version: 1, sigmaBar: 0.3, batches: 2 }
    const out = shapeRewards({}, { groups: [], state })
    expect(out).toMatchObject({ rewards: [], advantages: [], kept: [], state })
    expect(shapeRewards({ shaper: 'gdpo' }, { groups: [] }).advantages).toEqual([])
  })

  it('rejects NaN/Infinity anywhere in the batch with InvalidRewardInputError naming the element', () => {
    const cases: [string, RewardGroup][] = [
      ['groups[0].verifier[1]', { verifier: [1, NaN], rm: [0, 0] }],
      ['groups[0].rm[0]', { verifier: [1, 0], rm: [Infinity, 0] }],
      ['groups[0].lengths[1]', { verifier: [1, 0], rm: [0, 1], lengths: [1, NaN] }],
      ['groups[0].verifier[0]', { verifier: [1.5, 0], rm: [0, 1] }],
      ['groups[0].rm', { verifier: [1, 0] }]
    ]
    for (const [field, group] of cases) {
      const err = catchErr(() => shapeRewards({ shaper: 'hero' }, { groups: [group] }))
      expect(err).toBeInstanceOf(InvalidRewardInputError)
      expect((err as InvalidRewardInputError).field).toBe(field)
    }
    expect(catchErr(() => shapeRewards({ shaper: 'gdpo' }, { groups: [{ verifier: [1, 0], extra: [[0], [-Infinity]] }] }))).toBeInstanceOf(InvalidRewardInputError)
    const partialErr = catchErr(() => shapeRewards({ shaper: 'partial' }, { groups: [{ verifier: [1, 0], checks: [[1], [NaN]] }] }))
    expect(partialErr).toBeInstanceOf(InvalidRewardInputError)
    expect((partialErr as InvalidRewardInputError).field).toBe('groups[0].checks[1][0]')
    expect(catchErr(() => shapeRewards({ shaper: 'verifier' }, { groups: [{ verifier: [] }] }))).toBeInstanceOf(InvalidRewardInputError)
    expect(catchErr(() => shapeRewards({ shaper: 'verifier', overlong: { lMax: 10, lCache: 1 } }, { groups: [{ verifier: [1] }] }))).toBeInstanceOf(InvalidRewardInputError)
    expect(catchErr(() => shapeRewards({}, null as never))).toBeInstanceOf(InvalidRewardInputError)
  })

  it('never returns a non-finite number on random valid batches', () => {
    const rand = mulberry32(51)
    for (const shaper of ['verifier', 'rm', 'hero', 'gdpo'] as const) {
      for (let trial = 0; trial < 30; trial++) {
        const groups = randomGroups(rand, 3).map(g => ({ ...g, extra: g.verifier.map(() => randArray(rand, 2)) }))
        const out = shapeRewards({ shaper, overlong: { lMax: 100, lCache: 30 } }, { groups })
        for (const x of [...out.rewards.flat(), ...out.advantages.flat()]) expect(Number.isFinite(x)).toBe(true)
      }
    }
  })
})

describe('resolveRewardsConfig', () => {
  it('returns a frozen, fully defaulted config that resolves to itself', () => {
    const cfg = resolveRewardsConfig()
    expect(cfg).toMatchObject({ shaper: 'verifier', advantage: 'grpo', eps: 1e-6, filterZeroVariance: true })
    expect(cfg.hero).toMatchObject({ alpha: 0.05, beta: 0.05, wMin: 0.4, wMax: 3, k: 6, ddof: 0, weighting: true })
    expect(Object.isFrozen(cfg)).toBe(true)
    expect(Object.isFrozen(cfg.hero)).toBe(true)
    expect(resolveRewardsConfig(cfg)).toEqual(cfg)
    const full = resolveRewardsConfig({ shaper: 'gdpo', gdpo: { weights: [1, 2], conditionOnCorrect: [1] }, overlong: { lMax: 10, lCache: 2 } })
    expect(resolveRewardsConfig(JSON.parse(JSON.stringify(full)))).toEqual(full)
  })

  it('rejects bad configs with InvalidRewardsConfigError naming the key', () => {
    const cases: [unknown, string][] = [
      [{ hero: { alpha: 0.5, beta: 0.5 } }, 'hero.alpha'],
      [{ hero: { alpha: 0.7, beta: 0.31 } }, 'hero.alpha'],
      [{ hero: { beta: 1 } }, 'hero.beta'],
      [{ hero: { wMin: -1 } }, 'hero.wMin'],
      [{ hero: { wMax: 0.1 } }, 'hero.wMax'],
      [{ gdpo: { weights: [1, -0.5] } }, 'gdpo.weights[1]'],
      [{ gdpo: { weights: [1, NaN] } }, 'gdpo.weights[1]'],
      [{ gdpo: { conditionOnCorrect: [0] } }, 'gdpo.conditionOnCorrect[0]'],
      [{ gdpo: { eps: 0 } }, 'gdpo.eps'],
      [{ shaper: 'ppo' }, 'shaper'],
      [{ advantage: 'gae' }, 'advantage'],
      [{ eps: -1 }, 'eps'],
      [{ partial: { a: -1 } }, 'partial.a'],
      [{ filterZeroVariance: 'yes' }, 'filterZeroVariance'],
      [{ overlong: { lMax: 10, lCache: 20 } }, 'overlong.lCache'],
      [{ overlong: { lMax: 0, lCache: 0 } }, 'overlong.lMax'],
      [{ heroo: {} }, 'heroo'],
      [{ hero: { alhpa: 0.1 } }, 'hero.alhpa'],
      [{ hero: 3 }, 'hero'],
      [null, 'config']
    ]
    for (const [init, field] of cases) {
      const err = catchErr(() => resolveRewardsConfig(init as never))
      expect(err, JSON.stringify(init)).toBeInstanceOf(InvalidRewardsConfigError)
      expect((err as InvalidRewardsConfigError).code).toBe('ERR_INVALID_REWARDS_CONFIG')
      expect((err as InvalidRewardsConfigError).name).toBe('InvalidRewardsConfigError')
      expect((err as InvalidRewardsConfigError).field).toBe(field)
    }
  })
})

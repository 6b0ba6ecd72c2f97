// The trust rule and the producer-first draw of producer-trust.ts, on their own.
import { describe, expect, it } from 'vitest'
import { createRng } from '@murmur/tasks'
import { agreement, producerTrust, PRIOR } from '../src/index.js'

const SETTINGS = { rate: 0.2, floor: 0.05, maxShare: 0.5 }
const honest = { agreement: 1, admissible: 1, useful: true }
const liar = { agreement: 0, admissible: 1, useful: false }

describe('agreement', () => {
  it('is 1 − the worst disagreement, and 0 when the producer sent a different number of scores', () => {
    expect(agreement([1, 0, 0], [1, 0, 0])).toBe(1)
    expect(agreement([1, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0])).toBe(0)
    expect(agreement([0.5, 1], [1, 1])).toBe(0.5)
    expect(agreement([1, 1], [1, 1, 1])).toBe(0)
    // A non-finite advisory score counts as a claim of 1.
    expect(agreement([Number.NaN], [0])).toBe(0)
  })
})

describe('producerTrust', () => {
  it('starts unknown producers at the prior, drops a liar to the floor and lets it recover at the EMA rate', () => {
    const trust = producerTrust(SETTINGS)
    expect(trust.weight('new')).toBeCloseTo(PRIOR * (0.5 + 0.5 * PRIOR))
    for (let k = 0; k < 30; k++) trust.observe('bad', liar)
    expect(trust.weight('bad')).toBeCloseTo(SETTINGS.floor * 0.5, 2)
    for (let k = 0; k < 30; k++) trust.observe('good', honest)
    expect(trust.weight('good')).toBeGreaterThan(0.99)
    // Recovery: after n honest, useful groups honesty is 1 − (1 − rate)^n · (1 − h0).
    const h0 = trust.record('bad')?.honesty ?? Number.NaN
    for (let k = 0; k < 5; k++) trust.observe('bad', honest)
    expect(trust.record('bad')?.honesty).toBeCloseTo(1 - 0.8 ** 5 * (1 - h0))
    expect(trust.record('bad')).toMatchObject({ groups: 35, usefulGroups: 5 })
  })

  it('weights honest but useless producers below honest useful ones', () => {
    const trust = producerTrust(SETTINGS)
    for (let k = 0; k < 20; k++) { trust.observe('useful', honest); trust.observe('useless', { ...honest, useful: false }) }
    expect(trust.weight('useless')).toBeLessThan(0.6 * trust.weight('useful'))
  })

  it('caps one producer at maxShare of the draw however many items it holds', () => {
    const trust = producerTrust(SETTINGS)
    const items = [...Array.from({ length: 90 }, (_, i) => ({ p: 'flood', i })), ...Array.from({ length: 4 }, (_, i) => ({ p: `h${i % 2}`, i }))]
    const picked = trust.draw(items, 8, x => x.p, createRng(1))
    expect(picked).toHaveLength(8)
    expect(picked.filter(x => x.p === 'flood')).toHaveLength(4)
    const many = trust.draw(items, 20, x => x.p, createRng(1))
    expect(many.filter(x => x.p === 'flood')).toHaveLength(10)
    expect(new Set(picked).size).toBe(8)
    expect(trust.cap(1)).toBe(1)
    // Fewer items than asked: all of them, capped.
    expect(trust.draw([{ p: 'a' }, { p: 'a' }, { p: 'a' }], 4, x => x.p, createRng(2))).toHaveLength(2)
  })

  it('samples producers in proportion to their weight, not to how many groups they sent', () => {
    const trust = producerTrust({ ...SETTINGS, maxShare: 1 })
    for (let k = 0; k < 30; k++) { trust.observe('bad', liar); trust.observe('good', honest) }
    const items = [...Array.from({ length: 900 }, () => ({ p: 'bad' })), ...Array.from({ length: 100 }, () => ({ p: 'good' }))]
    const rng = createRng(3)
    let bad = 0
    for (let t = 0; t < 400; t++) if (trust.draw(items, 1, x => x.p, rng)[0].p === 'bad') bad++
    // Weight ratio ≈ 0.025 : 1, against a 9 : 1 share of the items.
    expect(bad / 400).toBeLessThan(0.08)
  })
})

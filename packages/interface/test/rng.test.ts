import { describe, expect, it } from 'vitest'
import { createRng, hashSeeds } from '../src/rng.js'

const M32 = (1n << 32n) - 1n

/** Independent BigInt reference of splitmix32 seeding + sfc32, written from the published algorithms. */
function referenceSfc32 (seed: number, count: number): number[] {
  const mix = (x: bigint): bigint => {
    x = (x + 0x9e3779b9n) & M32
    let z = x
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M32
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M32
    return (z ^ (z >> 16n)) & M32
  }
  let s = mix(BigInt(seed))
  let a = s
  s = mix(s ^ 0x1b873593n)
  let b = s
  s = mix(s ^ 0xcc9e2d51n)
  let c = s
  let d = 1n
  const next = (): bigint => {
    const t = (a + b + d) & M32
    d = (d + 1n) & M32
    a = b ^ (b >> 9n)
    b = (c + (c << 3n)) & M32
    c = ((c << 21n) | (c >> 11n)) & M32
    c = (c + t) & M32
    return t
  }
  for (let i = 0; i < 12; i++) next()
  return Array.from({ length: count }, () => Number(next()))
}

describe('createRng', () => {
  it('matches an independent BigInt sfc32 reference', () => {
    for (const seed of [0, 1, 42, 0xffffffff, 123456789]) {
      const rng = createRng(seed)
      const got = Array.from({ length: 200 }, () => rng.nextUint32())
      expect(got).toEqual(referenceSfc32(seed, 200))
    }
  })

  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(7)
    const b = createRng(7)
    const c = createRng(8)
    const sa = Array.from({ length: 10 }, () => a.nextUint32())
    expect(Array.from({ length: 10 }, () => b.nextUint32())).toEqual(sa)
    expect(Array.from({ length: 10 }, () => c.nextUint32())).not.toEqual(sa)
  })

  it('restores a saved JSON state and continues identically', () => {
    const rng = createRng(99)
    for (let i = 0; i < 5; i++) rng.nextUint32()
    const state = JSON.parse(JSON.stringify(rng.getState()))
    const expected = Array.from({ length: 20 }, () => rng.int(0, 1000))
    const other = createRng(1)
    other.setState(state)
    expect(Array.from({ length: 20 }, () => other.int(0, 1000))).toEqual(expected)
  })

  it('int stays in range and is roughly uniform (chi-square, 10 bins)', () => {
    const rng = createRng(3)
    const bins = new Array(10).fill(0)
    const n = 50_000
    let outOfRange = 0
    for (let i = 0; i < n; i++) {
      const v = rng.int(-5, 4)
      if (v < -5 || v > 4 || !Number.isInteger(v)) outOfRange++
      else bins[v + 5]++
    }
    expect(outOfRange).toBe(0)
    const e = n / 10
    const chi2 = bins.reduce((s, o) => s + (o - e) ** 2 / e, 0)
    expect(chi2).toBeLessThan(30) // 9 dof: p ≈ 0.0004 threshold
  })

  it('nextFloat is in [0, 1) with mean near 0.5', () => {
    const rng = createRng(11)
    let sum = 0
    for (let i = 0; i < 20_000; i++) {
      const x = rng.nextFloat()
      expect(x >= 0 && x < 1).toBe(true)
      sum += x
    }
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01)
  })

  it('shuffle returns a permutation and pick an element', () => {
    const rng = createRng(5)
    const items = [1, 2, 3, 4, 5, 6, 7, 8]
    const s = rng.shuffle(items)
    expect([...s].sort((x, y) => x - y)).toEqual(items)
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(items).toContain(rng.pick(items))
  })

  it('rejects bad seeds, ranges and states with typed errors', () => {
    for (const seed of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => createRng(seed)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'seed' }))
    }
    const rng = createRng(1)
    expect(() => rng.int(5, 4)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => rng.pick([])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => rng.setState({ a: 1, b: 2, c: -3, d: 4 })).toThrow(expect.objectContaining({ field: 'state.c' }))
  })

  it('hashSeeds separates inputs, including rounds beyond 2^32', () => {
    const seen = new Set<number>()
    for (let s = 0; s < 50; s++) for (let r = 0; r < 50; r++) seen.add(hashSeeds(s, r))
    expect(seen.size).toBe(2500)
    expect(hashSeeds(1, 2 ** 32)).not.toBe(hashSeeds(1, 0))
    expect(hashSeeds(1, 2)).not.toBe(hashSeeds(2, 1))
  })
})

import { describe, expect, it } from 'vitest'
import { blockToken, resolveSampling, sampleToken } from '../src/sampling.js'
import { createRng } from '@murmur/interface'
import { logSoftmax } from '../src/reference.js'

const logits = Float32Array.from([2, 1, 0.5, -1, 3, 0])

function histogram (opts: Parameters<typeof resolveSampling>[0], draws: number): number[] {
  const s = resolveSampling(opts)
  const rng = createRng(42)
  const h = new Array<number>(logits.length).fill(0)
  for (let i = 0; i < draws; i++) h[sampleToken(logits, 0, logits.length, s, rng).token]++
  return h.map(c => c / draws)
}

describe('sampling', () => {
  it('greedy picks the argmax and reports its temperature-1 log-prob', () => {
    const r = sampleToken(logits, 0, 6, resolveSampling({ temperature: 0 }), createRng(1))
    expect(r.token).toBe(4)
    expect(r.logprob).toBeCloseTo(logSoftmax(logits)[4], 6)
  })

  it('a precomputed argmax and log-normalizer (the graph\'s, at temperature 1) give the same draws and log-probs', () => {
    const rng = createRng(3)
    const V = 500
    const row = Float32Array.from({ length: V }, () => rng.normal() * 3)
    const lsm = logSoftmax(row)
    const argmax = lsm.indexOf(Math.max(...lsm))
    const norm = { argmax, logZ: -Math.fround(lsm[argmax]) } // float32, as the graph returns it
    for (const opts of [{ temperature: 1 }, { temperature: 1, topK: 20 }, { temperature: 1, topP: 0.9 }]) {
      const s = resolveSampling(opts)
      const a = createRng(7)
      const b = createRng(7)
      for (let i = 0; i < 200; i++) {
        const plain = sampleToken(row, 0, V, s, a)
        const fast = sampleToken(row, 0, V, s, b, norm)
        expect(fast.token).toBe(plain.token)
        expect(Math.abs(fast.logprob - plain.logprob)).toBeLessThan(1e-5)
        expect(Math.abs(fast.sampleLogprob - plain.sampleLogprob)).toBeLessThan(1e-5)
      }
    }
  })

  it('a block draw returns the block\'s id i for every fraction strictly inside id i\'s share of the block (exact construction), with its full log-softmax', () => {
    const rng = createRng(9)
    const V = 512
    const row = Float32Array.from({ length: V }, () => rng.normal() * 6)
    for (let i = 0; i < V; i += 7) row[i] = -1e30 // zero-probability ids are never drawn
    const lsm = logSoftmax(row)
    const argmax = lsm.indexOf(Math.max(...lsm))
    const max = row[argmax]
    const logZ = -lsm[argmax]
    const width = 64
    let checked = 0
    for (let first = 0; first < V; first += width) {
      const e = Array.from(row.subarray(first, first + width), z => Math.exp(z - max))
      const total = e.reduce((x, y) => x + y, 0)
      let cum = 0
      for (let i = 0; i < width; i++) {
        const lo = cum / total
        cum += e[i]
        const hi = cum / total
        for (const f of [0.5, 1e-3, 1 - 1e-3]) {
          // fractions at least 1e-12 from both ends: far beyond float64 rounding of the sums
          if (Math.min(f, 1 - f) * (hi - lo) < 1e-12) continue
          const d = blockToken({ logits: row, offset: first, width, first, frac: lo + (hi - lo) * f, max, logZ })
          expect(d.token).toBe(first + i)
          expect(Math.abs(d.logprob - lsm[first + i])).toBeLessThan(1e-9)
          expect(d.sampleLogprob).toBe(d.logprob)
          checked++
        }
      }
      // the ends: the first and the last id with positive mass
      const positive = e.flatMap((x, i) => x > 0 ? [first + i] : [])
      expect(blockToken({ logits: row, offset: first, width, first, frac: 0, max, logZ }).token).toBe(positive[0])
      expect(blockToken({ logits: row, offset: first, width, first, frac: 1, max, logZ }).token).toBe(positive.at(-1))
    }
    expect(checked).toBeGreaterThan(V)
    // a block stored apart from its row (the graph's output): `first` names the ids, `offset` the storage
    const copy = new Float32Array(3 * width)
    copy.set(row.subarray(128, 128 + width), width)
    expect(blockToken({ logits: copy, offset: width, width, first: 128, frac: 0.5, max, logZ })).toEqual(blockToken({ logits: row, offset: 128, width, first: 128, frac: 0.5, max, logZ }))
  })

  it('temperature sampling matches softmax(logits/T) frequencies', () => {
    const h = histogram({ temperature: 0.7 }, 40_000)
    const p = logSoftmax(Array.from(logits, z => z / 0.7)).map(Math.exp)
    for (let i = 0; i < p.length; i++) expect(Math.abs(h[i] - p[i])).toBeLessThan(0.01)
  })

  it('top-k keeps only the k best; top-p keeps the smallest nucleus', () => {
    const k = histogram({ topK: 2 }, 5000)
    expect(k.filter(x => x > 0).length).toBe(2)
    expect(k[4] + k[0]).toBe(1)
    const p = logSoftmax(logits).map(Math.exp)
    // p sorted: idx4 .61, idx0 .22, idx1 .08 … top-p 0.8 keeps {4, 0}
    expect(p[4] + p[0]).toBeGreaterThan(0.8)
    const hp = histogram({ topP: 0.8 }, 5000)
    expect(hp[4] + hp[0]).toBe(1)
    expect(hp[4] / hp[0]).toBeCloseTo(p[4] / p[0], 0)
  })

  it('reported log-prob is over the full distribution even under top-k', () => {
    const s = resolveSampling({ topK: 1, temperature: 1 })
    const r = sampleToken(logits, 0, 6, s, createRng(3))
    expect(r.token).toBe(4)
    expect(r.logprob).toBeCloseTo(logSoftmax(logits)[4], 6)
  })

  it('reports the behaviour log-prob under the renormalized top-k / top-p distribution (0 for greedy)', () => {
    const lp = logSoftmax(logits)
    const p = lp.map(Math.exp)
    const t = 0.7
    const lpT = logSoftmax(logits.map(x => x / t))
    for (let seed = 0; seed < 20; seed++) {
      const k = sampleToken(logits, 0, 6, resolveSampling({ topK: 2 }), createRng(seed))
      expect(k.sampleLogprob).toBeCloseTo(lp[k.token] - Math.log(p[4] + p[0]), 6)
      expect(k.logprob).toBeCloseTo(lp[k.token], 6)
      const full = sampleToken(logits, 0, 6, resolveSampling({ temperature: t }), createRng(seed))
      expect(full.sampleLogprob).toBeCloseTo(lpT[full.token], 6)
    }
    expect(sampleToken(logits, 0, 6, resolveSampling({ temperature: 0 }), createRng(1)).sampleLogprob).toBe(0)
  })

  it('the same seed gives the same draws', () => {
    expect(histogram({}, 50)).toEqual(histogram({}, 50))
  })

  it('rejects bad options naming the field', () => {
    expect(() => resolveSampling({ temperature: -1 })).toThrow(expect.objectContaining({ field: 'temperature' }))
    expect(() => resolveSampling({ topP: 0 })).toThrow(expect.objectContaining({ field: 'topP' }))
    expect(() => resolveSampling({ topK: 1.5 })).toThrow(expect.objectContaining({ field: 'topK' }))
  })
})

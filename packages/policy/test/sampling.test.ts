import { describe, expect, it } from 'vitest'
import { blockInverseCdf, resolveSampling, sampleToken, type BlockMasses, type SampledToken } from '../src/sampling.js'
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

  it('block-mass sampling draws the same token as the element-wise inverse CDF, with the same log-probs', () => {
    const rng = createRng(5)
    for (const [V, width] of [[1024, 128], [1000, 8], [96, 32]]) {
      const row = Float32Array.from({ length: V }, () => rng.normal() * 4)
      const { max, argmax, blocks } = exactBlocks(row, width)
      const logZ = Math.log(Array.from(row).reduce((a, z) => a + Math.exp(z - max), 0))
      const s = resolveSampling({ temperature: 1 })
      const a = createRng(V)
      const b = createRng(V)
      const plain: SampledToken[] = []
      const fast: SampledToken[] = []
      // Both consume one uniform per draw: a mismatch needs a draw within ~1e-15 of a boundary.
      for (let i = 0; i < 3000; i++) {
        plain.push(sampleToken(row, 0, V, s, a))
        fast.push(sampleToken(row, 0, V, s, b, { argmax, logZ, blocks }))
      }
      expect(fast).toEqual(plain)
      expect(new Set(fast.map(d => d.token)).size).toBeGreaterThan(V / 10)
    }
  })

  it('block-mass inverse CDF returns token i for every quantile strictly inside token i\'s interval (exact construction)', () => {
    const rng = createRng(9)
    const V = 512
    const row = Float32Array.from({ length: V }, () => rng.normal() * 6)
    for (let i = 0; i < V; i += 7) row[i] = -1e30 // zero-probability ids are never drawn
    const { max, blocks } = exactBlocks(row, 64)
    const e = Array.from(row, z => Math.exp(z - max))
    const total = e.reduce((x, y) => x + y, 0)
    let cum = 0
    let checked = 0
    for (let i = 0; i < V; i++) {
      const lo = cum / total
      cum += e[i]
      const hi = cum / total
      for (const f of [0.5, 1e-3, 1 - 1e-3]) {
        // quantiles at least 1e-12 from both ends: far beyond float64 rounding of the sums
        if (Math.min(f, 1 - f) * (hi - lo) < 1e-12) continue
        expect(blockInverseCdf(row, 0, V, max, blocks, lo + (hi - lo) * f)).toBe(i)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(V)
    // Masses that do not quite add up (float32 rounding) still land on an id with positive mass.
    const rough: BlockMasses = { ...blocks, mass: Float32Array.from(blocks.mass, m => m * (1 - 1e-6)) }
    expect(row[blockInverseCdf(row, 0, V, max, rough, 1 - 1e-17)]).toBeGreaterThan(-1e29)
    expect(blockInverseCdf(row, 0, V, max, rough, 0)).toBe(1)
  })

  it('on a Qwen-size vocabulary, draws with the graph\'s float32 block probabilities equal the exact float64 inverse CDF', () => {
    // Near-uniform rows (as an untrained model gives) put 151,936 boundaries ~1/V apart: the
    // element-wise scan with the graph's float32 log-normalizer moves ~1 % of draws to a neighbour.
    const V = 151_936
    const rng = createRng(13)
    const row = Float32Array.from({ length: V }, () => rng.normal() * 0.05)
    const { argmax, blocks } = exactBlocks(row, 128)
    const total = Array.from(blocks.mass).reduce((x, y) => x + y, 0)
    const norm = { argmax, logZ: Math.fround(Math.log(total)), blocks: { ...blocks, mass: Float32Array.from(blocks.mass, m => m / total) } }
    const s = resolveSampling({ temperature: 1 })
    for (let seed = 0; seed < 150; seed++) {
      expect(sampleToken(row, 0, V, s, createRng(seed), norm).token).toBe(sampleToken(row, 0, V, s, createRng(seed)).token)
    }
  })

  it('block-mass sampling follows softmax(logits): chi-square over 64 ids, 40,000 draws (p > 0.001)', () => {
    const rng = createRng(21)
    const V = 64
    const row = Float32Array.from({ length: V }, () => rng.normal() * 1.5)
    const { max, argmax, blocks } = exactBlocks(row, 16)
    const p = logSoftmax(row).map(Math.exp)
    // the graph's float32 masses, scaled as probabilities
    const graphLike = { ...blocks, mass: Float32Array.from(blocks.mass, m => m / Array.from(blocks.mass).reduce((x, y) => x + y, 0)) }
    const norm = { argmax, logZ: Math.log(Array.from(row).reduce((a, z) => a + Math.exp(z - max), 0)), blocks: graphLike }
    const draws = 40_000
    const counts = new Array<number>(V).fill(0)
    const s = resolveSampling({ temperature: 1 })
    const r = createRng(77)
    for (let i = 0; i < draws; i++) counts[sampleToken(row, 0, V, s, r, norm).token]++
    const chi2 = counts.reduce((acc, c, i) => acc + (c - draws * p[i]) ** 2 / (draws * p[i]), 0)
    expect(chi2).toBeLessThan(103.4) // χ²(63) at p = 0.001
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

/** A row's argmax, max and float64 block masses Σ exp(z − max) (what the graph's `next_block_prob` approximates, up to scale). */
function exactBlocks (row: Float32Array, width: number): { max: number, argmax: number, blocks: BlockMasses } {
  let argmax = 0
  for (let i = 1; i < row.length; i++) if (row[i] > row[argmax]) argmax = i
  const max = row[argmax]
  const mass = new Float64Array(Math.ceil(row.length / width))
  for (let i = 0; i < row.length; i++) mass[Math.floor(i / width)] += Math.exp(row[i] - max)
  return { max, argmax, blocks: { mass, offset: 0, width } }
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { graphBuilder } from '@murmur/graph'
import { createRng } from '@murmur/interface'
import { writeFamilyFixture } from '../src/families/fixture.js'
import { buildFamilyDecodeModel } from '../src/families/graph.js'
import { familyReferenceForward } from '../src/families/reference.js'
import { drawsByBlocks, generationOutputs, vocabBlock } from '../src/generation-graph.js'
import { logSoftmax } from '../src/reference.js'
import { blockToken, type SampledToken } from '../src/sampling.js'
import { VARIANTS } from './family-variants.js'

const root = mkdtempSync(join(tmpdir(), 'murmur-gengraph-'))
const sessions: ort.InferenceSession[] = []
afterAll(async () => {
  for (const s of sessions) await s.release()
  rmSync(root, { recursive: true, force: true })
})

/** A session of the generation outputs over an input `z` [rows, V] of logits. */
async function drawSession (V: number): Promise<ort.InferenceSession> {
  const b = graphBuilder({ opset: 21 })
  generationOutputs(b, b.input('z', 'float32', ['rows', V]))
  const s = await ort.InferenceSession.create(b.toModelProto(), { intraOpNumThreads: 1, logSeverityLevel: 3 })
  sessions.push(s)
  return s
}

/** Each draw's token of a generation-graph result (what the engine does with it), [rows][draws]. */
function tokensOf (res: ort.InferenceSession.OnnxValueMapType, rows: number, draws: number): SampledToken[][] {
  const picked = res.sample_logits as ort.Tensor
  const width = picked.dims[2]
  return Array.from({ length: rows }, (_, r) => Array.from({ length: draws }, (_, d) => {
    const i = r * draws + d
    return blockToken({
      logits: picked.data as Float32Array,
      offset: i * width,
      width,
      first: Number((res.sample_block.data as BigInt64Array)[i]) * width,
      frac: (res.sample_frac.data as Float64Array)[i],
      max: (res.next_logit.data as Float32Array)[r],
      logZ: -(res.next_logprob.data as Float32Array)[r]
    })
  }))
}

async function draw (s: ort.InferenceSession, rows: Float32Array[], u: number[]): Promise<SampledToken[][]> {
  const V = rows[0].length
  const z = new Float32Array(rows.length * V)
  rows.forEach((r, i) => z.set(r, i * V))
  const uu = Float64Array.from(rows.flatMap(() => u))
  const res = await s.run({ z: new ort.Tensor('float32', z, [rows.length, V]), sample_u: new ort.Tensor('float64', uu, [rows.length, u.length]) })
  return tokensOf(res, rows.length, u.length)
}

/** The id at quantile q of softmax(row) in id order, element by element in float64. */
function inverseCdf (row: ArrayLike<number>, q: number): number {
  let max = -Infinity
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i])
  let sum = 0
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max)
  let u = q * sum
  let last = 0
  for (let i = 0; i < row.length; i++) {
    const e = Math.exp(row[i] - max)
    if (e > 0) last = i
    u -= e
    if (u < 0) return i
  }
  return last
}

/**
 * The JavaScript block sampler the graph replaces (`blockInverseCdf` of session 7), fed float64
 * block masses: walk the masses to the block where q·total falls, then the ids of that block.
 */
function previousBlockSampler (row: Float32Array, width: number, q: number): number {
  let max = -Infinity
  for (const z of row) max = Math.max(max, z)
  const mass = new Float64Array(row.length / width)
  for (let i = 0; i < row.length; i++) mass[Math.floor(i / width)] += Math.exp(row[i] - max)
  let u = q * mass.reduce((a, m) => a + m, 0)
  let block = -1
  for (let i = 0; i < mass.length; i++) {
    if (mass[i] <= 0) continue
    block = i
    if (u < mass[i]) break
    u -= mass[i]
  }
  const start = block * width
  let sum = 0
  for (let i = start; i < start + width; i++) sum += Math.exp(row[i] - max)
  let v = Math.min(u, mass[block]) / mass[block] * sum
  let last = start
  for (let i = start; i < start + width; i++) {
    const e = Math.exp(row[i] - max)
    if (e > 0) last = i
    v -= e
    if (v < 0) return i
  }
  return last
}

const uniforms = (seed: number, n: number): number[] => {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => rng.nextFloat())
}

describe('block draws in the generation graph', () => {
  it.each([[1024, 128], [48, 16], [96, 32]])('vocabulary %i (blocks of %i): the same token as the previous JavaScript block sampler and the float64 inverse CDF for each uniform, and its log-softmax', async (V, width) => {
    expect(vocabBlock(V)).toBe(width)
    const rng = createRng(V)
    const rows = [0, 1].map(() => Float32Array.from({ length: V }, () => rng.normal() * 2))
    const u = uniforms(V + 1, 2000)
    const got = await draw(await drawSession(V), rows, u)
    rows.forEach((row, r) => {
      const lsm = logSoftmax(row)
      const tokens = got[r].map(t => t.token)
      expect(tokens).toEqual(u.map(q => previousBlockSampler(row, width, q)))
      expect(tokens).toEqual(u.map(q => inverseCdf(row, q)))
      expect(new Set(tokens).size).toBeGreaterThan(V / 4)
      for (const t of got[r]) {
        expect(Math.abs(t.logprob - lsm[t.token])).toBeLessThan(1e-5)
        expect(t.sampleLogprob).toBe(t.logprob)
      }
    })
  })

  it('draws by blocks only for vocabularies with blocks of at least 16 ids (not the builtin GPT\'s 101 or an odd one)', () => {
    expect([101, 1000, 50_257, 48, 151_936].map(drawsByBlocks)).toEqual([false, false, false, true, true])
  })

  it('on a Qwen-size vocabulary of near-uniform rows, the float64 inverse CDF\'s token for each uniform', async () => {
    // 151,936 boundaries ~1/V apart: the float32 block masses must not move draws across them.
    const V = 151_936
    const rng = createRng(13)
    const row = Float32Array.from({ length: V }, () => rng.normal() * 0.05)
    const u = uniforms(14, 150)
    const [got] = await draw(await drawSession(V), [row], u)
    expect(got.map(t => t.token)).toEqual(u.map(q => inverseCdf(row, q)))
  })

  it('edge cases: uniforms at 0 and next to 1, blocks and ids of −∞ never drawn, ties within and across blocks', async () => {
    const V = 1024 // 8 blocks of 128
    const rng = createRng(3)
    const masked = Float32Array.from({ length: V }, (_, i) => {
      const block = Math.floor(i / 128)
      return block === 0 || block === 3 || block === 7 || i % 5 === 0 ? -Infinity : rng.normal() * 3
    })
    const flat = new Float32Array(V).fill(0.25) // every id tied
    const twins = new Float32Array(V).fill(-Infinity) // two tied ids in different blocks
    twins[200] = 1.5
    twins[900] = 1.5
    const edges = [0, 2 ** -53, 1e-300, 0.5, 1 - 1e-12, 1 - 2 ** -53]
    const u = [...edges, ...uniforms(4, 2000)]
    const [m, f, t] = await draw(await drawSession(V), [masked, flat, twins], u)
    const finite = [...masked.keys()].filter(i => masked[i] > -Infinity)
    expect(m[0].token).toBe(finite[0])
    expect(m[edges.length - 1].token).toBe(finite.at(-1))
    for (const d of m) expect(masked[d.token]).toBeGreaterThan(-Infinity)
    expect(m.map(d => d.token)).toEqual(u.map(q => inverseCdf(masked, q)))
    // (the previous sampler put a draw that rounding carried past the last block's end on that block's first id)
    expect(m.slice(edges.length).map(d => d.token)).toEqual(u.slice(edges.length).map(q => previousBlockSampler(masked, 128, q)))
    // tied ids: each takes 1/V of [0, 1), in id order
    expect(f[0].token).toBe(0)
    expect(f[edges.length - 1].token).toBe(V - 1)
    u.forEach((q, i) => { if (Math.abs(q * V - Math.round(q * V)) > 1e-6) expect(f[i].token).toBe(Math.floor(q * V)) })
    for (const d of f) expect(Math.abs(d.logprob + Math.log(V))).toBeLessThan(1e-5)
    u.forEach((q, i) => expect(t[i].token).toBe(q < 0.5 ? 200 : 900))
    for (const d of t) expect(Math.abs(d.logprob + Math.log(2))).toBeLessThan(1e-6)
  })

  it('follows softmax(logits): chi-square over 80 ids in 5 blocks, 40,000 draws (p > 0.001)', async () => {
    const V = 80
    const rng = createRng(21)
    const row = Float32Array.from({ length: V }, () => rng.normal() * 1.5)
    const p = logSoftmax(row).map(Math.exp)
    const draws = 40_000
    const [got] = await draw(await drawSession(V), [row], uniforms(77, draws))
    const counts = new Array<number>(V).fill(0)
    for (const d of got) counts[d.token]++
    const chi2 = counts.reduce((acc, c, i) => acc + (c - draws * p[i]) ** 2 / (draws * p[i]), 0)
    expect(chi2).toBeLessThan(123.7) // χ²(79) at p = 0.001 (Wilson–Hilferty)
  })

  it.each(VARIANTS)('%s folder: a prefill\'s draws equal the previous JavaScript block sampler on its logits, with float64-reference log-probs (1e-4)', async (label, opts) => {
    const { config: c, weights } = await writeFamilyFixture(join(root, label.replace(/\W+/g, '-')), opts)
    const s = await ort.InferenceSession.create(buildFamilyDecodeModel(c, weights, { generation: true }), { intraOpNumThreads: 1, logSeverityLevel: 3 })
    sessions.push(s)
    const V = c.vocabSize
    const ids = [5, 17, 40, 3, 77, 12]
    const ref = familyReferenceForward(c, weights, ids)
    const past: Record<string, ort.Tensor> = {}
    for (let l = 0; l < c.nLayer; l++) {
      for (const kind of ['key', 'value']) past[`past_key_values.${l}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [1, c.nKvHead, 0, c.headDim])
    }
    const i64 = (values: number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length])
    const u = uniforms(opts.seed ?? 0, 500)
    const res = await s.run({
      input_ids: i64(ids),
      attention_mask: i64(ids.map(() => 1)),
      position_ids: i64(ids.map((_, i) => i)),
      num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(1n), []),
      sample_u: new ort.Tensor('float64', Float64Array.from(u), [1, u.length]),
      ...past
    })
    const logits = res.logits.data as Float32Array
    const [got] = tokensOf(res, 1, u.length)
    expect(got.map(d => d.token)).toEqual(u.map(q => previousBlockSampler(logits, vocabBlock(V), q)))
    const refRow = ref.subarray((ids.length - 1) * V, ids.length * V)
    const lsm = logSoftmax(refRow)
    for (const d of got) expect(Math.abs(d.logprob - lsm[d.token])).toBeLessThan(1e-4)
    expect(new Set(got.map(d => d.token)).size).toBeGreaterThan(10)
  })
})

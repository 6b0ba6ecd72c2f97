import ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveGptConfig, type GptConfig } from '../src/config.js'
import { graphBuilder } from '@murmur/graph'
import { buildDecodeModel } from '../src/model-graph.js'
import { firstArgmax } from '../src/generation-graph.js'
import { referenceForward } from '../src/reference.js'
import { initWeights, type Weights } from '../src/weights.js'
import { createRng } from '@murmur/interface'

const sessions: ort.InferenceSession[] = []
afterAll(async () => { for (const s of sessions) await s.release() })

/** Random weights with larger scale than the init so attention and LN are far from trivial. */
function noisyWeights (config: GptConfig, seed: number): Weights {
  const w = initWeights(config, seed)
  const rng = createRng(seed + 1)
  for (const [name, t] of Object.entries(w)) {
    const scale = name.endsWith('weight') && !name.includes('ln_') ? 0.3 : 0.15
    for (let i = 0; i < t.length; i++) t[i] += rng.normal() * scale
  }
  return w
}

async function session (config: GptConfig, w: Weights, generation = false): Promise<ort.InferenceSession> {
  const s = await ort.InferenceSession.create(buildDecodeModel(config, w, { generation }), { intraOpNumThreads: 1, logSeverityLevel: 3 })
  sessions.push(s)
  return s
}

function feeds (config: GptConfig, ids: number[][], mask: number[][], past?: Record<string, ort.Tensor>, pastLen = 0, keep = 0): Record<string, ort.Tensor> {
  const B = ids.length
  const T = ids[0].length
  const pos: bigint[] = []
  for (let b = 0; b < B; b++) {
    let count = mask[b].slice(0, pastLen).reduce((a, v) => a + v, 0)
    for (let t = 0; t < T; t++) {
      const real = mask[b][pastLen + t] === 1
      pos.push(BigInt(real ? count : 0))
      if (real) count++
    }
  }
  const hd = config.nEmbd / config.nHead
  const out: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), [B, T]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.flat(), BigInt), [B, mask[0].length]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(pos), [B, T]),
    num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(BigInt(keep)), [])
  }
  for (let i = 0; i < config.nLayer; i++) {
    for (const kv of ['key', 'value']) {
      out[`past_key_values.${i}.${kv}`] = past?.[`present.${i}.${kv}`] ?? new ort.Tensor('float32', new Float32Array(0), [B, config.nHead, 0, hd])
    }
  }
  return out
}

const configs: Array<[string, GptConfig]> = [
  ['learned, tied', resolveGptConfig({ nLayer: 2, nEmbd: 16, nHead: 4, vocabSize: 13, nCtx: 12 })],
  ['rotary, untied', resolveGptConfig({ nLayer: 2, nEmbd: 16, nHead: 2, vocabSize: 11, nCtx: 12, positions: 'rotary', tiedEmbeddings: false })]
]

describe.each(configs)('decode graph (%s)', (_name, config) => {
  const w = noisyWeights(config, 5)
  const rng = createRng(9)
  const ids = Array.from({ length: 3 }, () => Array.from({ length: 7 }, () => Math.floor(rng.nextFloat() * config.vocabSize)))
  // row 0 full, row 1 left-padded by 2, row 2 left-padded by 4
  const mask = [[1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1]]

  it('logits equal the float64 TypeScript reference (1e-4), left padding included', async () => {
    const s = await session(config, w)
    const res = await s.run(feeds(config, ids, mask))
    const logits = res.logits.data as Float32Array
    expect(res.logits.dims).toEqual([3, 7, config.vocabSize])
    const ref = referenceForward(config, w, { ids, attentionMask: mask })
    let maxErr = 0
    let maxAbs = 0
    for (let b = 0; b < 3; b++) {
      for (let t = 0; t < 7; t++) {
        if (mask[b][t] === 0) continue
        for (let v = 0; v < config.vocabSize; v++) {
          maxErr = Math.max(maxErr, Math.abs(logits[(b * 7 + t) * config.vocabSize + v] - ref[b][t][v]))
          maxAbs = Math.max(maxAbs, Math.abs(ref[b][t][v]))
        }
      }
    }
    expect(maxAbs).toBeGreaterThan(0.5) // the check is not vacuous
    expect(maxErr).toBeLessThan(1e-4)
  })

  it('a left-padded row equals the same tokens run alone without padding', async () => {
    const s = await session(config, w)
    const padded = (await s.run(feeds(config, ids, mask))).logits.data as Float32Array
    const alone = (await s.run(feeds(config, [ids[2].slice(4)], [[1, 1, 1]]))).logits.data as Float32Array
    const V = config.vocabSize
    for (let t = 0; t < 3; t++) {
      for (let v = 0; v < V; v++) expect(Math.abs(padded[(2 * 7 + 4 + t) * V + v] - alone[t * V + v])).toBeLessThan(1e-5)
    }
  })

  it('KV-cache decoding token by token equals full-sequence recomputation', async () => {
    const s = await session(config, w)
    const full = (await s.run(feeds(config, ids, mask))).logits.data as Float32Array
    const V = config.vocabSize
    // prefill 4 tokens, then feed the remaining 3 one at a time
    let res = await s.run(feeds(config, ids.map(r => r.slice(0, 4)), mask.map(r => r.slice(0, 4))))
    for (let t = 4; t < 7; t++) {
      res = await s.run(feeds(config, ids.map(r => [r[t]]), mask.map(r => r.slice(0, t + 1)), res as Record<string, ort.Tensor>, t))
      expect(res['present.0.key'].dims[2]).toBe(t + 1)
      const step = res.logits.data as Float32Array
      for (let b = 0; b < 3; b++) {
        for (let v = 0; v < V; v++) expect(Math.abs(step[b * V + v] - full[(b * 7 + t) * V + v])).toBeLessThan(1e-5)
      }
    }
  })

  it('num_logits_to_keep 1 and the generation outputs: the last position, its argmax and log-softmax (float64 reference, 1e-4); no block draws for a vocabulary without 16-id blocks', async () => {
    const s = await session(config, w, true)
    expect(s.inputNames).not.toContain('sample_u')
    expect(s.outputNames).not.toContain('sample_block')
    const res = await s.run(feeds(config, ids, mask, undefined, 0, 1))
    const V = config.vocabSize
    expect(res.logits.dims).toEqual([3, V]) // the worker's graph: flat, as the head's Gemm wrote it
    expect(res.next_token.dims).toEqual([3])
    const ref = referenceForward(config, w, { ids, attentionMask: mask })
    const logits = res.logits.data as Float32Array
    const tokens = res.next_token.data as BigInt64Array
    const lps = res.next_logprob.data as Float32Array
    for (let b = 0; b < 3; b++) {
      const row = ref[b][6]
      for (let v = 0; v < V; v++) expect(Math.abs(logits[b * V + v] - row[v])).toBeLessThan(1e-4)
      const best = row.indexOf(Math.max(...row))
      const logZ = Math.log(row.reduce((a, z) => a + Math.exp(z - row[best]), 0))
      expect(Number(tokens[b])).toBe(best)
      expect(Math.abs(lps[b] - (-logZ))).toBeLessThan(1e-4)
    }
  })
})

describe('decode graph export', () => {
  it('has the Hugging Face causal-LM I/O and no generation outputs unless asked', async () => {
    const config = configs[0][1]
    const w = initWeights(config, 3)
    const s = await ort.InferenceSession.create(buildDecodeModel(config, w), { logSeverityLevel: 3 })
    try {
      expect(s.inputNames).toEqual(['input_ids', 'attention_mask', 'position_ids', 'num_logits_to_keep', ...Array.from({ length: config.nLayer }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat()])
      expect(s.outputNames).toEqual(['logits', ...Array.from({ length: config.nLayer }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat()])
      const res = await s.run(feeds(config, [[1, 2, 3], [4, 5, 6]], [[1, 1, 1], [0, 1, 1]], undefined, 0, 1))
      expect(res.logits.dims).toEqual([2, 1, config.vocabSize])
    } finally {
      await s.release()
    }
  })

  it('serializes deterministically', () => {
    const config = configs[0][1]
    const w = initWeights(config, 3)
    expect(Buffer.from(buildDecodeModel(config, w)).equals(Buffer.from(buildDecodeModel(config, w)))).toBe(true)
  })
})

describe('firstArgmax', () => {
  it.each([[384, 'blocks of 128'], [48, 'blocks of 16'], [13, 'plain ArgMax']])('vocabulary %i (%s): the first index of each row\'s max, ties and -Infinity included', async (V) => {
    const rng = createRng(V)
    const rows: number[][] = [
      Array.from({ length: V }, () => rng.normal()),
      Array.from({ length: V }, () => Math.round(rng.normal() * 2)), // many ties, within and across blocks
      new Array<number>(V).fill(-Infinity),
      new Array<number>(V).fill(0.5)
    ]
    const tied = rows[0].slice()
    tied[V - 1] = 9
    tied[Math.floor(V / 2)] = 9
    rows.push(tied)
    const b = graphBuilder({ opset: 21 })
    b.output('t', firstArgmax(b, b.input('z', 'float32', ['rows', V])))
    const s = await ort.InferenceSession.create(b.toModelProto(), { logSeverityLevel: 3 })
    sessions.push(s)
    const res = await s.run({ z: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, V]) })
    const expected = rows.map(r => r.indexOf(Math.max(...r)))
    expect(expected[1]).not.toBe(expected[4])
    expect(Array.from(res.t.data as BigInt64Array, Number)).toEqual(expected)
  })
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSession, tensor, type Tensor, type TensorMap } from '@murmur/graph'
import { afterAll, describe, expect, it } from 'vitest'
import type { FamilyConfig } from '../src/families/config.js'
import { writeFamilyFixture } from '../src/families/fixture.js'
import { buildFamilyDecodeModel } from '../src/families/graph.js'
import { vocabBlock } from '../src/generation-graph.js'
import { familyReferenceForward } from '../src/families/reference.js'
import { VARIANTS } from './family-variants.js'

const root = mkdtempSync(join(tmpdir(), 'murmur-famgraph-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const i64 = (dims: number[], values: number[]): Tensor => tensor('int64', dims, BigInt64Array.from(values.map(BigInt)))

function emptyPast (c: FamilyConfig, batch: number): TensorMap {
  const feeds: TensorMap = {}
  for (let l = 0; l < c.nLayer; l++) {
    for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.${kind}`] = tensor('float32', [batch, c.nKvHead, 0, c.headDim], new Float32Array(0))
  }
  return feeds
}

function maxDiffRow (logits: Float32Array, offset: number, ref: Float64Array, refOffset: number, V: number): number {
  let d = 0
  for (let j = 0; j < V; j++) d = Math.max(d, Math.abs(logits[offset + j] - ref[refOffset + j]))
  return d
}

const keep = (n: number): Tensor => tensor('int64', [], BigInt64Array.of(BigInt(n)))
/** `sample_u` [rows, draws]. */
const uniforms = (rows: number, values: number[] = []): Tensor => tensor('float64', [rows, values.length / rows], Float64Array.from(values))

/** Index of the max and log-softmax there of row `t` of a reference [T·V] logits array. */
function refGreedy (ref: Float64Array, t: number, V: number): { token: number, logprob: number } {
  let token = 0
  for (let j = 1; j < V; j++) if (ref[t * V + j] > ref[t * V + token]) token = j
  let sum = 0
  for (let j = 0; j < V; j++) sum += Math.exp(ref[t * V + j] - ref[t * V + token])
  return { token, logprob: -Math.log(sum) }
}

/** softmax(row `t`) summed over each block of `width` consecutive ids, in float64. */
function refBlockProbs (ref: Float64Array, t: number, V: number, width: number): number[] {
  const { token, logprob } = refGreedy(ref, t, V)
  const out = new Array<number>(V / width).fill(0)
  for (let j = 0; j < V; j++) out[Math.floor(j / width)] += Math.exp(ref[t * V + j] - ref[t * V + token] + logprob)
  return out
}

describe('family ONNX graph vs the float64 reference', () => {
  for (const [label, opts] of VARIANTS) {
    it(`${label}: prefill, cached decode and a left-padded row all match within 1e-4`, async () => {
      const { config: c, weights } = await writeFamilyFixture(join(root, label.replace(/\W+/g, '-')), opts)
      const session = await createSession(buildFamilyDecodeModel(c, weights, { generation: true }))
      try {
        const ids = [5, 17, 40, 3, 77, 12, 9, 60, 31, 2]
        const ref = familyReferenceForward(c, weights, ids)
        const V = c.vocabSize
        // Prefill the first 6 tokens, then decode the remaining 4 one at a time with the cache.
        const P = 6
        let out = await session.run({ input_ids: i64([1, P], ids.slice(0, P)), attention_mask: i64([1, P], Array(P).fill(1)), position_ids: i64([1, P], [...Array(P).keys()]), num_logits_to_keep: keep(0), sample_u: uniforms(P), ...emptyPast(c, 1) })
        let worst = 0
        for (let t = 0; t < P; t++) worst = Math.max(worst, maxDiffRow(out.logits.data as Float32Array, t * V, ref, t * V, V))
        for (let t = P; t < ids.length; t++) {
          const past: TensorMap = {}
          for (let l = 0; l < c.nLayer; l++) {
            past[`past_key_values.${l}.key`] = out[`present.${l}.key`]
            past[`past_key_values.${l}.value`] = out[`present.${l}.value`]
          }
          out = await session.run({ input_ids: i64([1, 1], [ids[t]]), attention_mask: i64([1, t + 1], Array(t + 1).fill(1)), position_ids: i64([1, 1], [t]), num_logits_to_keep: keep(1), sample_u: uniforms(1), ...past })
          worst = Math.max(worst, maxDiffRow(out.logits.data as Float32Array, 0, ref, t * V, V))
          // The generation outputs: the greedy token and its log-prob.
          const greedy = refGreedy(ref, t, V)
          expect(Number(out.next_token.data[0])).toBe(greedy.token)
          worst = Math.max(worst, Math.abs(Number(out.next_logprob.data[0]) - greedy.logprob))
        }
        expect(worst).toBeLessThan(1e-4)
        // A batch of two: the second row left-padded by 3 must equal its unpadded reference.
        const short = ids.slice(0, 7)
        const refShort = familyReferenceForward(c, weights, short)
        const paddedBatch = (logitsToKeep: number, u: Tensor): TensorMap => ({
          input_ids: i64([2, 10], [...ids, 0, 0, 0, ...short]),
          attention_mask: i64([2, 10], [...Array(10).fill(1), 0, 0, 0, ...Array(7).fill(1)]),
          position_ids: i64([2, 10], [...Array(10).keys(), 0, 0, 0, ...Array(7).keys()]),
          num_logits_to_keep: keep(logitsToKeep),
          sample_u: u,
          ...emptyPast(c, 2)
        })
        const batch = await session.run(paddedBatch(0, uniforms(20)))
        const bl = batch.logits.data as Float32Array
        let padWorst = 0
        for (let t = 0; t < 7; t++) padWorst = Math.max(padWorst, maxDiffRow(bl, (10 + 3 + t) * V, refShort, t * V, V))
        expect(padWorst).toBeLessThan(1e-4)
        // num_logits_to_keep 1 (a prefill in generation): each row's last position only, with
        // block draws at the middle of each block of the float64 reference softmax.
        const blockWidth = vocabBlock(V)
        expect(blockWidth >= 16 && blockWidth <= 128 && (blockWidth & (blockWidth - 1)) === 0 && V % blockWidth === 0).toBe(true)
        const nb = V / blockWidth
        const refRows = [refBlockProbs(ref, 9, V, blockWidth), refBlockProbs(refShort, 6, V, blockWidth)]
        const u: number[] = []
        for (const probs of refRows) {
          let cum = 0
          for (const p of probs) { u.push(cum + p / 2); cum += p }
        }
        const last = await session.run(paddedBatch(1, uniforms(2, u)))
        expect(last.logits.dims).toEqual([2, V])
        const ll = last.logits.data as Float32Array
        expect(Math.max(maxDiffRow(ll, 0, ref, 9 * V, V), maxDiffRow(ll, V, refShort, 6 * V, V))).toBeLessThan(1e-4)
        expect([...last.next_token.data as BigInt64Array].map(Number)).toEqual([refGreedy(ref, 9, V).token, refGreedy(refShort, 6, V).token])
        // each draw lands in its block, half way through its mass, and returns that block's logits
        expect(last.sample_logits.dims).toEqual([2, nb, blockWidth])
        const picked = last.sample_logits.data as Float32Array
        const fracs = last.sample_frac.data as Float64Array
        expect([...last.sample_block.data as BigInt64Array].map(Number)).toEqual([...Array(nb).keys(), ...Array(nb).keys()])
        for (let i = 0; i < 2 * nb; i++) {
          expect(Math.abs(fracs[i] - 0.5)).toBeLessThan(1e-3)
          const row = Math.floor(i / nb)
          expect(picked.subarray(i * blockWidth, (i + 1) * blockWidth)).toEqual(ll.subarray(row * V + (i % nb) * blockWidth, row * V + (i % nb + 1) * blockWidth))
        }
      } finally {
        await session.close()
      }
    })
  }
})


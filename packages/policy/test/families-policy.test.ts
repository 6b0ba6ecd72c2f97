import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeFamilyFixture } from '../src/families/fixture.js'
import { createFamilyPolicy, loadFamilyPolicy } from '../src/families/policy.js'
import { readFamilyFolder } from '../src/families/folder.js'
import { familyReferenceForward, familyReferenceGreedy } from '../src/families/reference.js'
import { WeightsMismatchError } from '../src/errors.js'
import { createRng, hashSeeds } from '@murmur/interface'

const root = mkdtempSync(join(tmpdir(), 'murmur-fampolicy-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('family policy', () => {
  it('greedy batched generation with the KV cache equals the reference greedy tokens, with matching log-probs', async () => {
    const dir = join(root, 'qwen2')
    const { config, weights } = await writeFamilyFixture(dir, { modelType: 'qwen2', seed: 7, nLayer: 2, nHead: 4, nKvHead: 2 })
    const policy = await loadFamilyPolicy(dir)
    try {
      const prompts = ['12+34=', 'hello', 'a']
      const out = await policy.generate(prompts, { maxTokens: 6, temperature: 0 })
      for (let i = 0; i < prompts.length; i++) {
        const ids = policy.encodePrompt(prompts[i])
        const expected = familyReferenceGreedy(config, weights, ids, 6)
        const got = out[i][0].tokenIds
        // generation stops early only at EOS; compare the prefix it produced
        expect(got).toEqual(expected.slice(0, got.length))
        if (out[i][0].finishReason !== 'eos') expect(got.length).toBe(6)
        // the reported log-prob is log-softmax of the reference logits at each step
        const logits = familyReferenceForward(config, weights, [...ids, ...got])
        got.forEach((tok, t) => {
          const row = logits.subarray((ids.length - 1 + t) * config.vocabSize, (ids.length + t) * config.vocabSize)
          const max = Math.max(...row)
          const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0))
          expect(out[i][0].logprobs[t]).toBeCloseTo(row[tok] - lse, 4)
        })
      }
      const scored = await policy.logprobs(prompts, out.map(g => g[0].tokenIds))
      scored.forEach((lp, i) => lp.forEach((v, t) => expect(v).toBeCloseTo(out[i][0].logprobs[t], 4)))
    } finally {
      await policy.close()
    }
  })

  it('sampling at temperature 1: each token is the float64 reference inverse CDF at its sequence\'s next uniform, and its log-prob the reference log-softmax', async () => {
    const dir = join(root, 'qwen2-sample')
    const { config, weights } = await writeFamilyFixture(dir, { modelType: 'qwen2', seed: 11, nLayer: 2, nHead: 4, nKvHead: 2 })
    expect(config.vocabSize % 16).toBe(0) // the block argmax path, not plain ArgMax
    const policy = await loadFamilyPolicy(dir)
    try {
      const prompts = ['7+8=', 'xy']
      const out = await policy.generate(prompts, { maxTokens: 8, temperature: 1, n: 3, seed: 3 })
      let checked = 0
      out.forEach((group, i) => group.forEach((c, j) => {
        const ids = policy.encodePrompt(prompts[i])
        const logits = familyReferenceForward(config, weights, [...ids, ...c.tokenIds])
        // one uniform per token from the sequence's own generator, in order (the prefill's included)
        const rng = createRng(hashSeeds(3, i, j))
        c.tokenIds.forEach((tok, t) => {
          const row = logits.subarray((ids.length - 1 + t) * config.vocabSize, (ids.length + t) * config.vocabSize)
          const max = Math.max(...row)
          const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0))
          expect(tok).toBe(inverseCdf(row, rng.nextFloat()))
          expect(c.logprobs[t]).toBeCloseTo(row[tok] - lse, 4)
          expect(c.sampleLogprobs[t]).toBeCloseTo(c.logprobs[t], 6)
          checked++
        })
      }))
      expect(checked).toBeGreaterThan(20)
    } finally {
      await policy.close()
    }
  })

  it('rejects weights that do not match the config, naming the tensor', async () => {
    const dir = join(root, 'llama')
    await writeFamilyFixture(dir, { modelType: 'llama', seed: 1 })
    const folder = await readFamilyFolder(dir)
    const weights = { ...folder.weights }
    delete weights['model.layers.0.mlp.up_proj.weight']
    const err = await createFamilyPolicy({ config: folder.config, weights, tokenizer: folder.tokenizer }).catch(e => e)
    expect(err).toBeInstanceOf(WeightsMismatchError)
    expect(err.tensor).toBe('model.layers.0.mlp.up_proj.weight')
  })
})

/** The id at quantile q of softmax(row) in id order, in float64 (element by element). */
function inverseCdf (row: Float64Array, q: number): number {
  const max = Math.max(...row)
  let u = q * row.reduce((a, v) => a + Math.exp(v - max), 0)
  for (let i = 0; i < row.length; i++) {
    u -= Math.exp(row[i] - max)
    if (u < 0) return i
  }
  return row.length - 1
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPolicy, type Policy } from '../src/policy.js'
import { referenceForward } from '../src/reference.js'
import { initWeights } from '../src/weights.js'
import { resolveGptConfig, gptConfigs } from '../src/config.js'
import { createRng } from '@murmur/interface'

const config = resolveGptConfig(gptConfigs.tiny)
/** Sharper-than-init weights so sampling is not uniform noise and EOS actually happens. */
function sharpWeights (seed: number): ReturnType<typeof initWeights> {
  const w = initWeights(config, seed)
  const rng = createRng(seed)
  for (const t of Object.values(w)) for (let i = 0; i < t.length; i++) t[i] += rng.normal() * 0.15
  const wte = w['transformer.wte.weight']
  for (let i = 0; i < config.nEmbd; i++) wte[2 * config.nEmbd + i] *= 4 // make EOS likelier
  return w
}

let policy: Policy
beforeAll(async () => { policy = await createPolicy({ config, weights: sharpWeights(1) }) })
afterAll(async () => { await policy.close() })

const prompts = ['12+34=', 'sort 3 1 2:', 'x']

describe('policy.generate', () => {
  it('returns n completions per prompt with per-token logprobs equal to teacher-forced logprobs', async () => {
    const out = await policy.generate(prompts, { n: 4, maxTokens: 12, temperature: 1, seed: 5 })
    expect(out).toHaveLength(3)
    const flatPrompts: string[] = []
    const flatTokens: number[][] = []
    const flatLps: number[][] = []
    for (let i = 0; i < 3; i++) {
      expect(out[i]).toHaveLength(4)
      for (const c of out[i]) {
        expect(c.tokenIds.length).toBe(c.logprobs.length)
        expect(c.tokenIds.length).toBeLessThanOrEqual(12)
        if (c.finishReason === 'length') expect(c.tokenIds).toHaveLength(12)
        if (c.finishReason === 'eos') expect(c.tokenIds.at(-1)).toBe(policy.tokenizer.eosId)
        expect(c.text).toBe(policy.tokenizer.decode(c.tokenIds))
        flatPrompts.push(prompts[i]); flatTokens.push(c.tokenIds); flatLps.push(c.logprobs)
      }
    }
    expect(new Set(out.flat().map(c => c.finishReason)).size).toBeGreaterThan(1) // both eos and length occur
    const byIds = await policy.logprobs(flatPrompts, flatTokens, { batchSize: 5 })
    for (let k = 0; k < flatLps.length; k++) {
      expect(byIds[k]).toHaveLength(flatLps[k].length)
      for (let t = 0; t < flatLps[k].length; t++) expect(Math.abs(byIds[k][t] - flatLps[k][t])).toBeLessThan(1e-4)
    }
    // From text: exact wherever the text re-encodes to the sampled ids (sampled specials like
    // <pad> leave no trace in text, so those completions cannot be recovered from it).
    const all = out.flat()
    const eos = all.map(c => c.finishReason === 'eos')
    const byText = await policy.logprobs(flatPrompts, all.map(c => c.text), { eos })
    let exact = 0
    for (let k = 0; k < all.length; k++) {
      const reencoded = [...policy.tokenizer.encode(all[k].text), ...(eos[k] ? [2] : [])]
      if (reencoded.join() !== all[k].tokenIds.join()) continue
      exact++
      for (let t = 0; t < flatLps[k].length; t++) expect(Math.abs(byText[k][t] - flatLps[k][t])).toBeLessThan(1e-4)
    }
    expect(exact).toBeGreaterThan(3)
  })

  it('temperature-scaled logprobs match logprobs({ temperature })', async () => {
    const [[c]] = await policy.generate(['7*8='], { maxTokens: 6, temperature: 0.5, seed: 2 })
    const [lp] = await policy.logprobs(['7*8='], [c.tokenIds], { temperature: 0.5 })
    for (let t = 0; t < lp.length; t++) expect(Math.abs(lp[t] - c.logprobs[t])).toBeLessThan(1e-4)
  })

  it('greedy decoding with the KV cache matches argmax of the float64 reference, step by step', async () => {
    const [[c]] = await policy.generate(['12+34='], { maxTokens: 6, temperature: 0 })
    const w = policy.getWeights()
    const ids = policy.encodePrompt('12+34=')
    for (const tok of c.tokenIds) {
      const logits = referenceForward(config, w, { ids: [ids] })[0].at(-1) as number[]
      expect(tok).toBe(logits.indexOf(Math.max(...logits)))
      ids.push(tok)
    }
  })

  it('a left-padded batch generates what each prompt generates alone (greedy)', async () => {
    const batch = await policy.generate(prompts, { maxTokens: 10, temperature: 0 })
    for (let i = 0; i < prompts.length; i++) {
      const [[alone]] = await policy.generate([prompts[i]], { maxTokens: 10, temperature: 0 })
      expect(batch[i][0].tokenIds).toEqual(alone.tokenIds)
      for (let t = 0; t < alone.logprobs.length; t++) expect(Math.abs(batch[i][0].logprobs[t] - alone.logprobs[t])).toBeLessThan(1e-4)
    }
  })

  it('sampling is reproducible per seed and per sequence, and differs across seeds', async () => {
    const a = await policy.generate(prompts, { n: 3, maxTokens: 8, seed: 11 })
    const b = await policy.generate(prompts, { n: 3, maxTokens: 8, seed: 11 })
    const c = await policy.generate(prompts, { n: 3, maxTokens: 8, seed: 12 })
    expect(a.flat().map(x => x.tokenIds)).toEqual(b.flat().map(x => x.tokenIds))
    expect(a.flat().map(x => x.tokenIds)).not.toEqual(c.flat().map(x => x.tokenIds))
    // sequence (prompt 0, completion 2) does not depend on what else is in the batch
    const single = await policy.generate([prompts[0]], { n: 3, maxTokens: 8, seed: 11 })
    expect(single[0][2].tokenIds).toEqual(a[0][2].tokenIds)
  })

  it('stops at a stop string and cuts the text before it', async () => {
    const [[free]] = await policy.generate(['abc'], { maxTokens: 20, temperature: 0 })
    expect(free.text.length).toBeGreaterThan(4)
    const stop = free.text.slice(3, 5)
    const [[cut]] = await policy.generate(['abc'], { maxTokens: 20, temperature: 0, stop: [stop, 'never-appears'] })
    expect(cut.finishReason).toBe('stop')
    expect(cut.text).toBe(free.text.slice(0, free.text.indexOf(stop)))
    expect(cut.tokenIds).toEqual(free.tokenIds.slice(0, cut.tokenIds.length))
  })

  it('maxTokens 0 returns empty completions; bad options throw typed errors', async () => {
    const [[c]] = await policy.generate(['a'], { maxTokens: 0 })
    expect(c).toEqual({ text: '', tokenIds: [], logprobs: [], sampleLogprobs: [], finishReason: 'length' })
    await expect(policy.generate(['a'], { n: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'n' })
    await expect(policy.generate(['a'], { topP: 2 })).rejects.toMatchObject({ field: 'topP' })
    await expect(policy.generate(['x'.repeat(100)])).rejects.toMatchObject({ code: 'ERR_CONTEXT_OVERFLOW' })
    await expect(policy.logprobs(['a', 'b'], ['c'])).rejects.toMatchObject({ field: 'completions' })
  })

  it('stops at the context window with finishReason length', async () => {
    const prompt = 'y'.repeat(config.nCtx - 4) // BOS + 60 chars = 61 tokens: room for 3 more positions
    const [[c]] = await policy.generate([prompt], { maxTokens: 50, temperature: 0 })
    if (c.finishReason === 'length') expect(c.tokenIds.length).toBe(4)
    else expect(c.tokenIds.length).toBeLessThanOrEqual(4)
  })

  it('computes off the main event loop (the caller stays idle while a batch decodes)', async () => {
    const start = performance.eventLoopUtilization()
    const t0 = performance.now()
    await policy.generate(prompts, { n: 32, maxTokens: 40, seed: 1 })
    const elapsed = performance.now() - t0
    const elu = performance.eventLoopUtilization(start)
    expect(elapsed).toBeGreaterThan(30)
    expect(elu.utilization).toBeLessThan(0.5)
  })

  it('honours an abort signal with an AbortError', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(policy.generate(prompts, { signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    const ac2 = new AbortController()
    const p = policy.generate(prompts, { n: 64, maxTokens: 40, signal: ac2.signal })
    ac2.abort()
    await expect(p).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    // the worker is still usable afterwards
    expect((await policy.generate(['a'], { maxTokens: 2 }))[0][0].tokenIds.length).toBeGreaterThan(0)
  })
})

describe('policy weights', () => {
  it('setWeights refreshes the session; getWeights returns copies', async () => {
    const p = await createPolicy({ config, seed: 3 })
    try {
      const before = await p.generate(['1+1='], { maxTokens: 5, temperature: 0 })
      const w = p.getWeights()
      w['transformer.wte.weight'][0] = 123
      expect(p.getWeights()['transformer.wte.weight'][0]).not.toBe(123)
      await p.setWeights(sharpWeights(9), { step: 7 })
      expect(p.step).toBe(7)
      const after = await p.generate(['1+1='], { maxTokens: 5, temperature: 0 })
      expect(after[0][0].tokenIds).not.toEqual(before[0][0].tokenIds)
      await expect(p.setWeights({ nope: new Float32Array(1) })).rejects.toMatchObject({ code: 'ERR_WEIGHTS_MISMATCH' })
      // calls issued before setWeights see the old weights, calls after it the new ones
      const [old, , fresh] = await Promise.all([
        p.generate(['1+1='], { maxTokens: 5, temperature: 0 }),
        p.setWeights(initWeights(config, 3)),
        p.generate(['1+1='], { maxTokens: 5, temperature: 0 })
      ])
      expect(old[0][0].tokenIds).toEqual(after[0][0].tokenIds)
      expect(fresh[0][0].tokenIds).toEqual(before[0][0].tokenIds)
    } finally {
      await p.close()
      await p.close()
    }
    await expect(p.generate(['a'])).rejects.toMatchObject({ code: 'ERR_POLICY_CLOSED' })
  })

  it('rejects a config whose vocabulary is smaller than the tokenizer', async () => {
    await expect(createPolicy({ config: { ...gptConfigs.tiny, vocabSize: 50 } })).rejects.toMatchObject({ code: 'ERR_INVALID_MODEL_CONFIG', field: 'vocabSize' })
  })
})

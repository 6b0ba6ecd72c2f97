import { describe, expect, it } from 'vitest'
import { countParams, gptConfigs, paramSpecs, resolveGptConfig } from '../src/config.js'
import { initWeights, validateWeights } from '../src/weights.js'

describe('gpt config', () => {
  it('resolves the presets with defaults and the documented sizes', () => {
    const tiny = resolveGptConfig(gptConfigs.tiny)
    expect(tiny.positions).toBe('learned')
    expect(tiny.tiedEmbeddings).toBe(true)
    expect(countParams(tiny)).toBeGreaterThan(100_000)
    expect(countParams(tiny)).toBeLessThan(300_000)
    const small = resolveGptConfig(gptConfigs.small)
    expect(countParams(small)).toBeGreaterThan(500_000)
    expect(countParams(small)).toBeLessThan(2_000_000)
  })

  it('rejects bad values naming the key', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...gptConfigs.tiny, nHead: 3 }, 'nHead'],
      [{ ...gptConfigs.tiny, nLayer: 0 }, 'nLayer'],
      [{ ...gptConfigs.tiny, nEmbd: 1.5 }, 'nEmbd'],
      [{ ...gptConfigs.tiny, vocabSize: '64' }, 'vocabSize'],
      [{ ...gptConfigs.tiny, positions: 'alibi' }, 'positions'],
      [{ ...gptConfigs.tiny, layerNormEps: -1 }, 'layerNormEps'],
      [{ nLayer: 1, nEmbd: 6, nHead: 2, vocabSize: 8, nCtx: 4, positions: 'rotary' }, 'nHead']
    ]
    for (const [init, field] of bad) {
      expect(() => resolveGptConfig(init as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_MODEL_CONFIG', field }))
    }
  })

  it('untied embeddings add an lm_head and rotary drops wpe', () => {
    const c = resolveGptConfig({ ...gptConfigs.tiny, tiedEmbeddings: false, positions: 'rotary' })
    const names = paramSpecs(c).map(s => s.name)
    expect(names).toContain('lm_head.weight')
    expect(names).not.toContain('transformer.wpe.weight')
  })
})

describe('seeded init', () => {
  const config = resolveGptConfig(gptConfigs.tiny)

  it('is deterministic per seed and differs across seeds', () => {
    const a = initWeights(config, 7)
    const b = initWeights(config, 7)
    const c = initWeights(config, 8)
    const w = 'transformer.h.0.attn.c_attn.weight'
    expect(Buffer.from(a[w].buffer).equals(Buffer.from(b[w].buffer))).toBe(true)
    expect(Buffer.from(a[w].buffer).equals(Buffer.from(c[w].buffer))).toBe(false)
  })

  it('has GPT-2 statistics: std 0.02, scaled residual projections, unit LN gains, zero biases', () => {
    const w = initWeights(config, 1)
    const std = (x: Float32Array): number => {
      const m = x.reduce((a, v) => a + v, 0) / x.length
      return Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / x.length)
    }
    expect(std(w['transformer.h.0.mlp.c_fc.weight'])).toBeCloseTo(0.02, 3)
    expect(std(w['transformer.h.0.mlp.c_proj.weight'])).toBeCloseTo(0.02 / Math.sqrt(2 * config.nLayer), 3)
    expect(w['transformer.ln_f.weight'].every(v => v === 1)).toBe(true)
    expect(w['transformer.h.1.attn.c_attn.bias'].every(v => v === 0)).toBe(true)
  })

  it('validateWeights rejects missing, extra and mis-sized tensors', () => {
    const w = initWeights(config, 1)
    expect(validateWeights(config, w)).toBeTruthy()
    const { 'transformer.ln_f.bias': _drop, ...missing } = w
    expect(() => validateWeights(config, missing)).toThrow(expect.objectContaining({ code: 'ERR_WEIGHTS_MISMATCH', tensor: 'transformer.ln_f.bias' }))
    expect(() => validateWeights(config, { ...w, extra: new Float32Array(1) })).toThrow(expect.objectContaining({ tensor: 'extra' }))
    expect(() => validateWeights(config, { ...w, 'transformer.ln_f.bias': new Float32Array(3) })).toThrow(expect.objectContaining({ code: 'ERR_WEIGHTS_MISMATCH' }))
  })
})

import { describe, expect, it } from 'vitest'
import { weightsFromSafetensors, weightsToSafetensors } from '../src/checkpoint.js'
import { gptConfigs, resolveGptConfig } from '../src/config.js'
import { bfloat16ToFloat32, float32ToBfloat16 } from '../src/half.js'
import { readSafetensors } from '../src/safetensors.js'
import { charTokenizer } from '../src/tokenizer/index.js'
import { initWeights } from '../src/weights.js'

const config = resolveGptConfig({ ...gptConfigs.tiny, positions: 'rotary' })
const weights = initWeights(config, 4)
const tokenizer = charTokenizer({ alphabet: '0123456789+=' })

describe('weights checkpoints', () => {
  it('round-trips weights, config, step and tokenizer exactly in F32', () => {
    const bytes = weightsToSafetensors(config, weights, { step: 77, tokenizer: tokenizer.spec })
    const meta = readSafetensors(bytes).metadata
    expect(JSON.parse(meta.murmur_config)).toEqual(config)
    const back = weightsFromSafetensors(bytes, 'ckpt.safetensors')
    expect(back.config).toEqual(config)
    expect(back.step).toBe(77)
    expect(back.tokenizer).toEqual({ kind: 'char', alphabet: '0123456789+=' })
    for (const [name, t] of Object.entries(weights)) expect(back.weights[name]).toEqual(t)
  })

  it('stores BF16 as rounded values that widen back exactly', () => {
    const back = weightsFromSafetensors(weightsToSafetensors(config, weights, { dtype: 'BF16' }), 'b.safetensors')
    for (const [name, t] of Object.entries(weights)) {
      expect(back.weights[name]).toEqual(bfloat16ToFloat32(float32ToBfloat16(t)))
    }
    const w = back.weights['transformer.h.0.attn.c_attn.weight']
    const maxRel = Math.max(...Array.from(w, (v, i) => Math.abs(v - weights['transformer.h.0.attn.c_attn.weight'][i]) / (Math.abs(weights['transformer.h.0.attn.c_attn.weight'][i]) + 1e-12)))
    expect(maxRel).toBeLessThanOrEqual(2 ** -8)
  })

  it('a file of another config fails with a typed error naming the file', () => {
    const other = resolveGptConfig(gptConfigs.small)
    const bytes = weightsToSafetensors(config, weights)
    expect(() => weightsFromSafetensors(bytes, 'x.safetensors', other)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_MODEL_FOLDER', file: 'x.safetensors' }))
  })
})

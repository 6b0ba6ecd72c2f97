import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { weightsFromSafetensors } from '../src/checkpoint.js'
import { createPolicy } from '../src/policy.js'
import { referenceForward } from '../src/reference.js'
import { charTokenizer } from '../src/tokenizer/index.js'

// The shipped base checkpoint still loads, and greedy generation through the one model
// definition equals greedy decoding of the independent float64 plain-TypeScript forward.
describe('shipped tiny-base checkpoint', () => {
  it('loads and decodes greedily exactly as the float64 reference does', async () => {
    const { config, weights } = weightsFromSafetensors(readFileSync(new URL('../checkpoints/tiny-base.safetensors', import.meta.url)), 'tiny-base.safetensors')
    const tokenizer = charTokenizer()
    const policy = await createPolicy({ config, weights, tokenizer })
    try {
      const prompts = ['12+34=', '7*8=', 'reverse abc:']
      const out = await policy.generate(prompts, { maxTokens: 6, temperature: 0 })
      let tokens = 0
      prompts.forEach((prompt, i) => {
        const ids = policy.encodePrompt(prompt)
        for (const tok of out[i][0].tokenIds) {
          const logits = referenceForward(config, weights, { ids: [ids] })[0].at(-1) as number[]
          expect(tok).toBe(logits.indexOf(Math.max(...logits)))
          ids.push(tok)
          tokens++
        }
      })
      expect(tokens).toBeGreaterThan(3)
    } finally {
      await policy.close()
    }
  })
})

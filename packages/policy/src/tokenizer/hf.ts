/**
 * Loads a Hugging Face `tokenizer.json` (BPE, WordPiece, Unigram…) through `@huggingface/tokenizers`
 * and adapts it to murmur's `Tokenizer` interface.
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers'
import { TokenizerError } from '../errors.js'
import type { Tokenizer } from './types.js'

/** Options of `hfTokenizer`. */
export interface HfTokenizerInit {
  /** The parsed `tokenizer_config.json` (special token names); `{}` when absent. */
  tokenizerConfig?: Record<string, unknown>
}

/** Wraps a parsed `tokenizer.json`; throws `TokenizerError` when it cannot be built. */
export function hfTokenizer (tokenizerJson: Record<string, unknown>, init: HfTokenizerInit = {}): Tokenizer {
  const config = init.tokenizerConfig ?? {}
  let tok: HfTokenizer
  try {
    tok = new HfTokenizer(tokenizerJson, config)
  } catch (err) {
    throw new TokenizerError(`cannot build tokenizer from tokenizer.json: ${(err as Error).message}`, { cause: err })
  }
  const vocab = tok.get_vocab(true)
  let maxId = -1
  for (const id of vocab.values()) if (id > maxId) maxId = id
  const special = (key: string): number | undefined => {
    const v = config[key]
    const name = typeof v === 'string' ? v : (v !== null && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') ? (v as { content: string }).content : undefined
    if (name === undefined) return undefined
    const id = tok.token_to_id(name)
    if (id === undefined) throw new TokenizerError(`tokenizer_config.json ${key} ${JSON.stringify(name)} is not in the vocabulary`)
    return id
  }
  const bosId = special('bos_token')
  const eosId = special('eos_token')
  const padId = special('pad_token') ?? eosId ?? 0
  return {
    vocabSize: maxId + 1,
    bosId,
    eosId,
    padId,
    spec: { kind: 'hf', tokenizerJson, tokenizerConfig: config },
    encode: (text: string): number[] => tok.encode(text, { add_special_tokens: false }).ids,
    // @huggingface/tokenizers rejects an empty id list; an empty completion is valid here
    decode: (ids: readonly number[]): string => ids.length === 0 ? '' : tok.decode([...ids], { skip_special_tokens: true }),
    toTokenizerJson: () => tokenizerJson,
    toTokenizerConfig: () => config
  }
}

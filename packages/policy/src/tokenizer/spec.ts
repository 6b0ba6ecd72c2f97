/** Rebuilding tokenizers from specs and from a model folder's tokenizer files. */
import { TokenizerError } from '../errors.js'
import { charTokenizer } from './char.js'
import { hfTokenizer } from './hf.js'
import type { Tokenizer, TokenizerSpec } from './types.js'

/** Rebuilds a tokenizer from its `spec`. */
export function tokenizerFromSpec (spec: TokenizerSpec): Tokenizer {
  if (spec.kind === 'char') return charTokenizer({ alphabet: spec.alphabet })
  if (spec.kind === 'hf') return hfTokenizer(spec.tokenizerJson, { tokenizerConfig: spec.tokenizerConfig })
  throw new TokenizerError(`unknown tokenizer spec kind ${JSON.stringify((spec as { kind?: unknown }).kind)}`)
}

/**
 * A tokenizer from parsed `tokenizer.json` / `tokenizer_config.json`: murmur's char tokenizer
 * when the config carries its `murmur_tokenizer` marker (exact round trip), otherwise the
 * Hugging Face tokenizer the files describe.
 */
export function tokenizerFromFiles (tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown>): Tokenizer {
  const marker = tokenizerConfig.murmur_tokenizer as { kind?: unknown, alphabet?: unknown } | undefined
  if (marker !== undefined && marker !== null && marker.kind === 'char' && typeof marker.alphabet === 'string') {
    return charTokenizer({ alphabet: marker.alphabet })
  }
  return hfTokenizer(tokenizerJson, { tokenizerConfig })
}

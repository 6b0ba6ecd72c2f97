/** Tokenizers behind one interface. */
export type { Tokenizer } from './types.js'
export { charTokenizer, type CharTokenizerInit, CHAR_SPECIALS, DEFAULT_ALPHABET } from './char.js'
export { hfTokenizer, type HfTokenizerInit } from './hf.js'
export type { TokenizerSpec } from './types.js'
export { tokenizerFromSpec, tokenizerFromFiles } from './spec.js'
export { type ChatMessage, type ChatRenderOptions, type ChatTemplate, chatTemplate, encodePromptIds } from './chat.js'

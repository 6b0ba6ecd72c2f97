/**
 * A character-level tokenizer for murmur's built-in tasks: four specials (`<pad>`, `<bos>`,
 * `<eos>`, `<unk>`) then one id per character of the alphabet (default: tab, newline and
 * printable ASCII, 101 ids). Characters outside the alphabet encode to `<unk>`. It serializes
 * to a Hugging Face `tokenizer.json` (a merge-free BPE over single characters, Fuse decoder,
 * BOS-prepending post-processor) so transformers.js tokenizes exactly the same way.
 */
import { TokenizerError } from '../errors.js'
import type { Tokenizer } from './types.js'

/** The special tokens, in id order. */
export const CHAR_SPECIALS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const

/** The default alphabet: tab, newline and the 95 printable ASCII characters. */
export const DEFAULT_ALPHABET: string = '\t\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('')

/** Options of `charTokenizer`. */
export interface CharTokenizerInit {
  /** Characters with their own id, in id order after the specials; each must be one UTF-16 unit and unique. */
  alphabet?: string
}

/** Creates the character tokenizer (vocabSize = 4 + alphabet length). */
export function charTokenizer (init: CharTokenizerInit = {}): Tokenizer {
  const alphabet = init.alphabet ?? DEFAULT_ALPHABET
  if (typeof alphabet !== 'string' || alphabet.length === 0) throw new TokenizerError('alphabet must be a non-empty string')
  const chars = [...alphabet]
  const toId = new Map<string, number>()
  for (const c of chars) {
    if (c.length !== 1) throw new TokenizerError(`alphabet character ${JSON.stringify(c)} is not a single UTF-16 unit`)
    if (toId.has(c)) throw new TokenizerError(`alphabet repeats ${JSON.stringify(c)}`)
    toId.set(c, CHAR_SPECIALS.length + toId.size)
  }
  const vocab = [...CHAR_SPECIALS, ...chars]
  const unk = 3
  return {
    vocabSize: vocab.length,
    padId: 0,
    spec: { kind: 'char', alphabet },
    bosId: 1,
    eosId: 2,
    encode (text: string): number[] {
      const out = new Array<number>(text.length)
      for (let i = 0; i < text.length; i++) out[i] = toId.get(text[i]) ?? unk
      return out
    },
    decode (ids: readonly number[]): string {
      let s = ''
      for (const id of ids) {
        if (id === unk) s += '\uFFFD'
        else if (id >= CHAR_SPECIALS.length && id < vocab.length) s += vocab[id]
      }
      return s
    },
    toTokenizerJson: () => ({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: CHAR_SPECIALS.map((content, id) => ({
        id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true
      })),
      normalizer: null,
      pre_tokenizer: null,
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<bos>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '<bos>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
        special_tokens: { '<bos>': { id: '<bos>', ids: [1], tokens: ['<bos>'] } }
      },
      decoder: { type: 'Fuse' },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: '<unk>',
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
        merges: []
      }
    }),
    toTokenizerConfig: () => ({
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: '<bos>',
      eos_token: '<eos>',
      pad_token: '<pad>',
      unk_token: '<unk>',
      add_bos_token: true,
      padding_side: 'left',
      murmur_tokenizer: { kind: 'char', alphabet },
      clean_up_tokenization_spaces: false,
      model_max_length: 1_000_000
    })
  }
}

/** A structured-cloneable description that rebuilds a tokenizer (e.g. inside a worker thread). */
export type TokenizerSpec =
  | { kind: 'char', alphabet: string }
  | { kind: 'hf', tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown> }

/** The one interface every murmur tokenizer implements. */
export interface Tokenizer {
  /** Token ids of `text`, without special tokens (no BOS/EOS added). */
  encode(text: string): number[]
  /** Text of `ids`; special tokens (pad, bos, eos) are skipped. */
  decode(ids: readonly number[]): string
  /** Number of ids the model's embedding must cover. */
  readonly vocabSize: number
  /** Beginning-of-sequence id, prepended to prompts when defined. */
  readonly bosId: number | undefined
  /** End-of-sequence id; generation stops when it is sampled. */
  readonly eosId: number | undefined
  /** Id used for left padding. */
  readonly padId: number
  /** A Hugging Face `tokenizer.json` object that loads in transformers.js / tokenizers. */
  toTokenizerJson(): object
  /** The matching `tokenizer_config.json` object. */
  toTokenizerConfig(): object
  /** How to rebuild this tokenizer elsewhere (`tokenizerFromSpec`). */
  readonly spec: TokenizerSpec
}

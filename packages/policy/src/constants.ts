/** Named defaults and limits of @murmur/policy. */

/** Standard deviation of GPT-2 style weight initialization. */
export const INIT_STD = 0.02

/** LayerNorm epsilon (GPT-2's). */
export const LAYER_NORM_EPS = 1e-5

/** Base of rotary position embeddings. */
export const ROPE_THETA = 10_000

/** MLP hidden width as a multiple of the model width. */
export const MLP_RATIO = 4

/** Largest accepted config values: a guard against typos that would allocate gigabytes. */
export const MAX_LAYERS = 256
/** Largest accepted model width. */
export const MAX_EMBD = 16_384
/** Largest accepted vocabulary. */
export const MAX_VOCAB = 1_048_576
/** Largest accepted context window. */
export const MAX_CTX = 131_072

/** ONNX opset the policy graphs use (Gelu needs ≥ 20; onnxruntime 1.30 accepts ≤ 26). */
export const OPSET = 21

/**
 * Default maximum number of generated tokens per completion (`@murmur/node`'s
 * `generate.maxTokens` takes it): every answer of the default task mix fits in 12 tokens of the
 * built-in char tokenizer, and peer completions are credited only within this limit.
 */
export const DEFAULT_MAX_TOKENS = 12

/** Default sampling temperature (1 = the policy's own distribution; 0 = greedy). */
export const DEFAULT_TEMPERATURE = 1

/** Default nucleus (top-p) mass: 1 = off. */
export const DEFAULT_TOP_P = 1

/** Default top-k: 0 = off. */
export const DEFAULT_TOP_K = 0

/** Largest `n` (completions per prompt) accepted by `generate`. */
export const MAX_COMPLETIONS_PER_PROMPT = 1024

/** Largest safetensors JSON header accepted when reading (the reference implementation's limit). */
export const MAX_SAFETENSORS_HEADER = 100_000_000

/** Additive mask value for disallowed attention positions (finite, so fully masked rows stay NaN-free). */
export const MASK_VALUE = -1e9

/** File names inside an exported model folder (Hugging Face layout). */
export const MODEL_FOLDER_FILES = {
  onnx: 'onnx/model.onnx',
  config: 'config.json',
  generationConfig: 'generation_config.json',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  weights: 'model.safetensors'
} as const

/**
 * Version of the rollout wire format; also the last segment of the gossip topic.
 * 2: policy version, truncation flags, tokenizer id and per-completion token traces.
 * 3: a gossip message is a batch of groups (`WireRolloutBatch`), not one group.
 */
export const PROTOCOL_VERSION = 3

/** Largest encoded rollout group accepted or produced, in bytes (checked before decoding). */
export const MAX_GROUP_BYTES = 64 * 1024

/** Most groups in one gossip message (a batch: one producer's groups of one round). */
export const MAX_BATCH_GROUPS = 16

/** Largest encoded batch (one gossip message's data), bytes: eight groups at their largest. */
export const MAX_BATCH_BYTES = 8 * MAX_GROUP_BYTES

/** Most completions one group may carry. */
export const MAX_COMPLETIONS = 64

/** Largest single completion, in UTF-8 bytes. */
export const MAX_COMPLETION_BYTES = 8 * 1024

/** Largest prompt, in UTF-8 bytes. */
export const MAX_PROMPT_BYTES = 8 * 1024

/** Largest producer model id, in UTF-8 bytes. */
export const MAX_MODEL_ID_BYTES = 256

/** Largest task family name, in UTF-8 bytes. */
export const MAX_FAMILY_BYTES = 64

/** Most parameters one task reference may carry. */
export const MAX_TASK_PARAMS = 32

/** Largest task parameter key, in UTF-8 bytes. */
export const MAX_PARAM_KEY_BYTES = 64

/** Largest string task parameter value, in UTF-8 bytes. */
export const MAX_PARAM_TEXT_BYTES = 1024

/** Largest unsigned 32-bit integer: bound of seeds, versions and rounds. */
export const MAX_UINT32 = 0xffff_ffff

/** How far in the future a group's creation time may lie before it is ignored (clock skew allowance). */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 2 * 60_000

/** How old a group may be before it is ignored as stale. */
export const DEFAULT_MAX_AGE_MS = 30 * 60_000

/** Most token ids (and behaviour log-probs) one completion trace may carry. */
export const MAX_TRACE_TOKENS = 4096

/** Largest token id on the wire (2^24 − 1: covers every tokenizer in use). */
export const MAX_TOKEN_ID = 0xff_ffff

/** Behaviour log-probs travel as round(−μ × LOGPROB_SCALE) (1/128-nat rounding error). */
export const LOGPROB_SCALE = 64

/** Lowest behaviour log-prob on the wire (nats); lower values are clamped to it by the encoder and rejected by the decoder. */
export const MIN_LOGPROB = -100

/** Largest tokenizer id, in UTF-8 bytes. */
export const MAX_TOKENIZER_ID_BYTES = 256

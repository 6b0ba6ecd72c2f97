/** Version of the rollout wire format; also the last segment of the gossip topic. */
export const PROTOCOL_VERSION = 1

/** Largest encoded rollout group accepted or produced, in bytes (checked before decoding). */
export const MAX_GROUP_BYTES = 64 * 1024

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

/** Version of the on-disk layout; bumped on any incompatible change to keys or record formats. */
export const SCHEMA_VERSION = 1

/** Sublevel holding store-wide metadata (the schema version key). */
export const META_PREFIX = 'meta'
/** Key of the schema version inside the meta sublevel. */
export const SCHEMA_KEY = 'schema-version'
/** Sublevel holding rollout pool entries, keyed by arrival sequence number. */
export const POOL_PREFIX = 'pool'
/** Sublevel holding checkpoint records (blobs live in files), keyed by round. */
export const CHECKPOINT_PREFIX = 'ckpt'
/** Sublevel holding one metrics record per round, keyed by round. */
export const METRICS_PREFIX = 'metrics'

/** Directory (inside the store dir) of the LevelDB database. */
export const LEVEL_DIRNAME = 'level'
/** Directory (inside the store dir) of checkpoint blob files. */
export const CHECKPOINT_DIRNAME = 'checkpoints'
/** Suffix of committed checkpoint blob files. */
export const CHECKPOINT_FILE_SUFFIX = '.ckpt'
/** Prefix of checkpoint blob files still being written; removed on open. */
export const TMP_FILE_PREFIX = '.tmp-'

// The pool's defaults are the node's (`pool.*` in @murmur/node takes them from here): a node
// trains on J ≤ 256 peer groups a round, so 4,096 groups (64 MiB) of the last 10 minutes is
// many rounds of supply; older groups are stale anyway (pool.maxStaleness).
/** Default maximum number of entries in the rollout pool. */
export const DEFAULT_POOL_MAX_ENTRIES = 4096
/** Default maximum total payload bytes in the rollout pool (64 MiB). */
export const DEFAULT_POOL_MAX_BYTES = 64 * 1024 * 1024
/** Default time-to-live of a pool entry (10 minutes). */
export const DEFAULT_POOL_TTL_MS = 10 * 60 * 1000
/** Longest accepted producer / family / taskKey string (UTF-16 code units). */
export const MAX_POOL_FIELD_LENGTH = 4096

/** Default number of checkpoints kept (the newest rounds). */
export const DEFAULT_CHECKPOINT_KEEP = 3

/** Default number of metrics records kept (newest rounds): ~600 bytes a round makes this ~60 MB. */
export const DEFAULT_METRICS_KEEP = 100_000

/** Hex digits of a zero-padded integer key: enough for any safe integer (2^53 < 16^14). */
export const INT_KEY_DIGITS = 14
/** Deepest nesting accepted in a JSON value stored by the store. */
export const MAX_JSON_DEPTH = 64

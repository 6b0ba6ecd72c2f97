import type { AbortOptions, Startable } from '@murmur/interface'

/** A value that survives a JSON round trip unchanged (finite numbers only). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue }

/** A seeded random source: an object with `nextFloat()` in [0, 1), or such a function. */
export type RandomSource = { nextFloat: () => number } | (() => number)

/** Where a pool entry came from. */
export type PoolOrigin = 'local' | 'peer'

/** What a caller hands to `RolloutPool.insert`. The payload is opaque to the store. */
export interface PoolInsert {
  origin: PoolOrigin
  /** Producing node (peer id string for peers, own id for local groups). */
  producer: string
  /** Task family, e.g. `arith`. */
  family: string
  /** Canonical identity of the task (e.g. a canonical TaskRef string); part of the duplicate key. */
  taskKey: string
  /** Training round the group was produced in. */
  round: number
  /** Encoded rollout group; stored and returned byte for byte. */
  payload: Uint8Array
  /** SHA-256 hex of the completions (see `hashCompletions`); give this or `completions`. */
  completionsHash?: string
  /** Completion texts; hashed with `hashCompletions` when `completionsHash` is absent. */
  completions?: readonly string[]
}

/** Indexed metadata of a pool entry (everything but the payload). */
export interface PoolEntryMeta {
  /** Duplicate key: hex SHA-256 (first 128 bits) over producer, taskKey and completionsHash. */
  id: string
  origin: PoolOrigin
  producer: string
  family: string
  taskKey: string
  round: number
  completionsHash: string
  /** Arrival time from the pool's clock (never decreases across inserts). */
  arrivedAt: number
  /** Payload size in bytes. */
  bytes: number
}

/** A pool entry with its payload. */
export interface PoolEntry extends PoolEntryMeta {
  payload: Uint8Array
}

/** Result of an insert: stored (with how many older entries were evicted to make room) or a duplicate. */
export type PoolInsertResult =
  | { status: 'inserted', entry: PoolEntryMeta, evicted: number }
  | { status: 'duplicate', id: string }

/** Metadata filters shared by queries and sampling; every field is optional and they combine with AND. */
export interface PoolFilter {
  family?: string
  producer?: string
  origin?: PoolOrigin
  /** Only entries that arrived at or after this time. */
  since?: number
  /** Only entries produced in this round. */
  round?: number
}

/** Options of `RolloutPool.query`. */
export interface PoolQuery extends PoolFilter, AbortOptions {
  /** Most entries returned. */
  limit?: number
  /** `newest` (default) or `oldest` first. */
  order?: 'newest' | 'oldest'
}

/** Options of `RolloutPool.sample`. */
export interface PoolSampleOptions extends PoolFilter, AbortOptions {
  /** Seeded random source (required: the store never uses Math.random). */
  rng: RandomSource
  /** Extra predicate on metadata, applied after the field filters. */
  filter?: (meta: PoolEntryMeta) => boolean
}

/** Pool occupancy. */
export interface PoolStats {
  entries: number
  bytes: number
  local: number
  peer: number
  oldestArrivedAt: number | undefined
  newestArrivedAt: number | undefined
}

/** Bounded, deduplicating store of rollout groups, local and from peers. */
export interface RolloutPool {
  /** Stores an entry unless a live entry has the same duplicate key; evicts oldest entries to stay within bounds. */
  insert(entry: PoolInsert, options?: AbortOptions): Promise<PoolInsertResult>
  /** The live entry with this id, if any. */
  get(id: string, options?: AbortOptions): Promise<PoolEntry | undefined>
  /** True when a live entry has this id. */
  has(id: string): boolean
  /** Live entries matching the filters, newest first unless `order: 'oldest'`. */
  query(query?: PoolQuery): Promise<PoolEntry[]>
  /** Metadata of live entries matching the filters (no payload reads). */
  queryMeta(query?: PoolQuery): PoolEntryMeta[]
  /** Up to `count` distinct live entries drawn uniformly without replacement from those passing the filters. */
  sample(count: number, options: PoolSampleOptions): Promise<PoolEntry[]>
  /** Removes one entry; true when it existed. */
  delete(id: string, options?: AbortOptions): Promise<boolean>
  /** Evicts expired entries now; returns how many were removed. */
  prune(options?: AbortOptions): Promise<number>
  /** Removes every entry. */
  clear(options?: AbortOptions): Promise<void>
  /** Occupancy counting live (unexpired) entries. */
  stats(): PoolStats
}

/** Options of a rollout pool. */
export interface RolloutPoolInit {
  /** Most entries kept (oldest evicted first). */
  maxEntries?: number
  /** Most payload bytes kept (oldest evicted first). */
  maxBytes?: number
  /** Entries older than this many ms are expired; `Infinity` disables expiry. */
  ttlMs?: number
}

/** What a caller hands to `CheckpointStore.save`. */
export interface CheckpointInput {
  round: number
  /** Trainer (optimizer) step. */
  step: number
  /** Policy weights, e.g. safetensors bytes. */
  weights: Uint8Array
  /** Optimizer state bytes. */
  optimizer: Uint8Array
  /** RNG state(s); must be plain JSON (checked at runtime, so typed interfaces are accepted). */
  rng: unknown
  /** HERO state (σ̄ and friends); plain JSON. */
  hero: unknown
  /** The resolved node config; plain JSON. */
  config: unknown
  /** Free-form extra fields (model name, metrics summary, ...); a plain JSON object. */
  meta?: object
}

/** Checkpoint metadata, cheap to list. */
export interface CheckpointInfo {
  round: number
  step: number
  /** Save time from the store's clock. */
  createdAt: number
  weightsBytes: number
  optimizerBytes: number
  /** Hex SHA-256 of `weights` followed by `optimizer`. */
  sha256: string
  meta: JsonObject
}

/** A whole checkpoint. */
export interface Checkpoint extends CheckpointInfo {
  weights: Uint8Array
  optimizer: Uint8Array
  rng: JsonValue
  hero: JsonValue
  config: JsonValue
}

/** Atomic checkpoints with retention of the newest rounds. */
export interface CheckpointStore {
  /** Writes a checkpoint atomically (replacing one of the same round), then drops all but the newest `keep` rounds. */
  save(input: CheckpointInput, options?: AbortOptions): Promise<CheckpointInfo>
  /** The checkpoint of `round`, verified; undefined when there is none. */
  get(round: number, options?: AbortOptions): Promise<Checkpoint | undefined>
  /**
   * The newest checkpoint that verifies; damaged newer ones are skipped with a logged error (run
   * repair to drop them). Undefined when there is none; throws CheckpointCorruptedError when every
   * kept checkpoint is damaged.
   */
  latest(options?: AbortOptions): Promise<Checkpoint | undefined>
  /** Metadata of every kept checkpoint, ascending by round. */
  list(options?: AbortOptions): Promise<CheckpointInfo[]>
  /** Removes the checkpoint of `round`; true when it existed. */
  delete(round: number, options?: AbortOptions): Promise<boolean>
}

/** Options of a checkpoint store. */
export interface CheckpointStoreInit {
  /** How many checkpoints (newest rounds) are kept. */
  keep?: number
}

/** One metrics record per round: `round` plus any JSON fields (rewards, accuracy, group counts, timings). */
export type MetricsRecord = { round: number } & JsonObject

/** Options of `MetricsStore.range`. */
export interface MetricsRange extends AbortOptions {
  /** First round (inclusive). */
  from?: number
  /** Last round (inclusive). */
  to?: number
  /** Most records returned. */
  limit?: number
  /** Newest round first. */
  reverse?: boolean
}

/** Options of a metrics store. */
export interface MetricsStoreInit {
  /** Most records kept: when a new round would exceed it, the oldest rounds are deleted. */
  keep?: number
}

/** History of per-round metrics, bounded by `keep` (the newest rounds stay). */
export interface MetricsStore {
  /** Stores the record of `record.round` (any plain-JSON object with a `round`), replacing an existing one. */
  put<T extends { round: number }>(record: T, options?: AbortOptions): Promise<void>
  /** The record of `round`, if any. */
  get(round: number, options?: AbortOptions): Promise<MetricsRecord | undefined>
  /** Records with rounds in [from, to], ascending unless `reverse`. */
  range(range?: MetricsRange): Promise<MetricsRecord[]>
  /** The record with the highest round, if any. */
  latest(options?: AbortOptions): Promise<MetricsRecord | undefined>
}

/** A node's whole state: pool, checkpoints and metrics, opened and closed together. */
export interface NodeStore extends Startable {
  /** Rollout pool; throws NotStartedError when the store is not started. */
  readonly pool: RolloutPool
  /** Checkpoints; throws NotStartedError when the store is not started. */
  readonly checkpoints: CheckpointStore
  /** Metrics history; throws NotStartedError when the store is not started. */
  readonly metrics: MetricsStore
}

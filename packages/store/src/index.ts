/**
 * @packageDocumentation
 * Level-backed node state: a bounded, deduplicating rollout pool, atomic checkpoints with
 * retention, and per-round metrics history — each behind an interface with a LevelDB
 * implementation (`openNodeStore`) and an in-memory twin (`memoryNodeStore`).
 */
export type {
  JsonValue, JsonObject, RandomSource,
  PoolOrigin, PoolInsert, PoolEntryMeta, PoolEntry, PoolInsertResult, PoolFilter, PoolQuery, PoolSampleOptions,
  PoolStats, RolloutPool, RolloutPoolInit,
  CheckpointInput, CheckpointInfo, Checkpoint, CheckpointStore, CheckpointStoreInit,
  MetricsRecord, MetricsRange, MetricsStore, MetricsStoreInit,
  NodeStore
} from './types.js'
export { nodeStore, openNodeStore, memoryNodeStore, type NodeStoreInit, type MemoryNodeStoreInit } from './node-store.js'
export { repairStore, resetStore, type RepairReport } from './maintenance.js'
export { hashCompletions, poolEntryId } from './util.js'
export {
  StoreSchemaError, StoreCorruptedError, StoreLockedError, StoreIoError, CheckpointCorruptedError, PoolEntryTooLargeError
} from './errors.js'
export * as constants from './constants.js'

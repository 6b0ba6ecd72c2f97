import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { InvalidArgumentError, NotStartedError, noopLogger } from '@murmur/interface'
import type { AbortOptions, Logger } from '@murmur/interface'
import { LevelCheckpointStore, type CheckpointRecord } from './checkpoints/level.js'
import { scanBlobDir } from './checkpoints/blob.js'
import { MemoryCheckpointStore } from './checkpoints/memory.js'
import {
  CHECKPOINT_DIRNAME, CHECKPOINT_PREFIX, LEVEL_DIRNAME, META_PREFIX, METRICS_PREFIX, POOL_PREFIX, SCHEMA_KEY, SCHEMA_VERSION
} from './constants.js'
import { StoreCorruptedError, StoreIoError, StoreSchemaError } from './errors.js'
import { levelOp, syncWrite, translateOpenError, type RootDb } from './level-util.js'
import { LevelMetricsStore } from './metrics/level.js'
import { MemoryMetricsStore } from './metrics/memory.js'
import { PoolCore, resolvePoolInit } from './pool/core.js'
import { LevelPoolBackend } from './pool/level.js'
import { MemoryPoolBackend } from './pool/memory.js'
import { resolveCheckpointInit } from './checkpoints/validate.js'
import { resolveMetricsInit } from './metrics/validate.js'
import type {
  CheckpointStore, CheckpointStoreInit, MetricsRecord, MetricsStore, MetricsStoreInit, NodeStore, RolloutPool, RolloutPoolInit
} from './types.js'

/** Options shared by the level and in-memory node stores. */
export interface MemoryNodeStoreInit {
  /** Rollout pool bounds and TTL. */
  pool?: RolloutPoolInit
  /** Checkpoint retention. */
  checkpoints?: CheckpointStoreInit
  /** Metrics history retention. */
  metrics?: MetricsStoreInit
  /** Clock in ms (inject a fake one in tests); default `Date.now`. */
  now?: () => number
  /** Scoped logger; default discards. */
  logger?: Logger
}

/** Options of the level-backed node store. */
export interface NodeStoreInit extends MemoryNodeStoreInit {
  /** Store directory: holds `level/` (LevelDB) and `checkpoints/` (blob files); created if missing. */
  dir: string
}

/** Internal: what `repairStore` needs from an opened store. */
export interface OpenedParts {
  db: RootDb
  checkpoints: LevelCheckpointStore
  poolBackend: LevelPoolBackend
}

interface Parts {
  pool: PoolCore
  checkpoints: CheckpointStore & { drain?: () => Promise<void> }
  metrics: MetricsStore & { drain?: () => Promise<void> }
}

abstract class BaseNodeStore implements NodeStore {
  protected parts: Parts | undefined
  protected started = false
  protected readonly assertOpen = (): void => { if (!this.started) throw new NotStartedError('store') }

  get pool (): RolloutPool { return this.require().pool }
  get checkpoints (): CheckpointStore { return this.require().checkpoints }
  get metrics (): MetricsStore { return this.require().metrics }

  isStarted (): boolean { return this.started }

  abstract start (options?: AbortOptions): Promise<void>
  abstract stop (): Promise<void>

  protected async drain (): Promise<void> {
    await this.parts?.pool.drain()
    await this.parts?.checkpoints.drain?.()
    await this.parts?.metrics.drain?.()
  }

  private require (): Parts {
    if (!this.started || this.parts === undefined) throw new NotStartedError('store')
    return this.parts
  }
}

class MemoryNodeStore extends BaseNodeStore {
  constructor (init: MemoryNodeStoreInit) {
    super()
    const now = init.now ?? Date.now
    const components = { now, assertOpen: this.assertOpen }
    this.parts = {
      pool: new PoolCore(new MemoryPoolBackend(), init.pool ?? {}, components),
      checkpoints: new MemoryCheckpointStore(init.checkpoints ?? {}, components),
      metrics: new MemoryMetricsStore(init.metrics ?? {}, components)
    }
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    // Re-applies bounds and TTL, as reopening a database would.
    await this.parts?.pool.load()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.drain()
  }
}

class LevelNodeStore extends BaseNodeStore {
  private db: RootDb | undefined
  private poolBackend: LevelPoolBackend | undefined
  private readonly dir: string
  private readonly blobDir: string
  private readonly now: () => number
  private readonly logger: Logger

  constructor (private readonly init: NodeStoreInit) {
    super()
    if (init == null || typeof init.dir !== 'string' || init.dir === '') throw new InvalidArgumentError('dir', 'must be a non-empty path')
    resolvePoolInit(init.pool)
    resolveCheckpointInit(init.checkpoints)
    resolveMetricsInit(init.metrics)
    this.dir = init.dir
    this.blobDir = join(init.dir, CHECKPOINT_DIRNAME)
    this.now = init.now ?? Date.now
    this.logger = init.logger ?? noopLogger('murmur:store')
  }

  async start (options: AbortOptions = {}): Promise<void> {
    if (this.started) return
    try {
      await mkdir(this.blobDir, { recursive: true })
    } catch (err) {
      throw new StoreIoError(this.dir, (err as Error).message, { cause: err })
    }
    const db: RootDb = new ClassicLevel<string, string>(join(this.dir, LEVEL_DIRNAME), { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    try {
      await db.open()
    } catch (err) {
      throw translateOpenError(this.dir, err)
    }
    try {
      await this.checkSchema(db)
      const components = { now: this.now, assertOpen: this.assertOpen, logger: this.logger }
      const poolBackend = new LevelPoolBackend(
        db.sublevel<string, Uint8Array>(POOL_PREFIX, { valueEncoding: 'view' }), this.dir, this.logger)
      const pool = new PoolCore(poolBackend, this.init.pool ?? {}, components)
      const checkpoints = new LevelCheckpointStore(
        db.sublevel<string, CheckpointRecord>(CHECKPOINT_PREFIX, { valueEncoding: 'json' }), this.blobDir,
        this.init.checkpoints ?? {}, components)
      const metrics = new LevelMetricsStore(
        db.sublevel<string, MetricsRecord>(METRICS_PREFIX, { valueEncoding: 'json' }), this.dir, this.init.metrics ?? {}, components)
      this.db = db
      this.poolBackend = poolBackend
      this.parts = { pool, checkpoints, metrics }
      this.started = true
      await pool.load(options)
      await checkpoints.cleanup(options)
      await metrics.load(options)
      this.logger('opened store at %s: %d pool entries', this.dir, pool.stats().entries)
    } catch (err) {
      this.started = false
      this.parts = undefined
      this.db = undefined
      await db.close().catch(() => undefined)
      throw err
    }
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.drain()
    const db = this.db
    this.db = undefined
    this.parts = undefined
    await db?.close()
  }

  /** Internal handle for repair. */
  opened (): OpenedParts {
    if (this.db === undefined || this.parts === undefined || this.poolBackend === undefined) throw new NotStartedError('store')
    return { db: this.db, checkpoints: this.parts.checkpoints as LevelCheckpointStore, poolBackend: this.poolBackend }
  }

  private async checkSchema (db: RootDb): Promise<void> {
    const meta = db.sublevel<string, string>(META_PREFIX, { valueEncoding: 'utf8' })
    const found = await levelOp(this.dir, async () => await meta.get(SCHEMA_KEY))
    if (found === undefined) {
      const anyKey = await levelOp(this.dir, async () => await db.keys({ limit: 1 }).all())
      if (anyKey.length > 0) throw new StoreSchemaError(this.dir, undefined, SCHEMA_VERSION)
      const { blobs } = await scanBlobDir(this.blobDir)
      if (blobs.length > 0) {
        throw new StoreCorruptedError(this.dir, `the database is empty but ${blobs.length} checkpoint files exist in ` +
          `${this.blobDir} (was ${LEVEL_DIRNAME}/ deleted?)`)
      }
      await levelOp(this.dir, async () => { await meta.put(SCHEMA_KEY, String(SCHEMA_VERSION), syncWrite()) })
      return
    }
    if (found !== String(SCHEMA_VERSION)) throw new StoreSchemaError(this.dir, found, SCHEMA_VERSION)
  }
}

/** A level-backed node store under `init.dir`, not yet started. */
export function nodeStore (init: NodeStoreInit): NodeStore {
  return new LevelNodeStore(init)
}

/** Opens (starts) a level-backed node store; throws StoreSchemaError, StoreCorruptedError or StoreLockedError. */
export async function openNodeStore (init: NodeStoreInit, options: AbortOptions = {}): Promise<NodeStore> {
  const store = new LevelNodeStore(init)
  await store.start(options)
  return store
}

/** Internal: opens a store and hands out its parts (used by repair). */
export async function openForRepair (init: NodeStoreInit, options: AbortOptions): Promise<{ store: NodeStore, parts: OpenedParts }> {
  const store = new LevelNodeStore(init)
  await store.start(options)
  return { store, parts: store.opened() }
}

/** An in-memory node store with the same behaviour; data survives stop/start of the same object. */
export function memoryNodeStore (init: MemoryNodeStoreInit = {}): NodeStore {
  return new MemoryNodeStore(init)
}

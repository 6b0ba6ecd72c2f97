import { access, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { InvalidArgumentError, throwIfAborted } from '@murmur/interface'
import type { AbortOptions } from '@murmur/interface'
import { CHECKPOINT_DIRNAME, LEVEL_DIRNAME, METRICS_PREFIX } from './constants.js'
import { CheckpointCorruptedError, StoreIoError } from './errors.js'
import { levelOp, syncWrite, translateOpenError } from './level-util.js'
import { openForRepair } from './node-store.js'
import { intKey } from './util.js'

/** What `repairStore` did. */
export interface RepairReport {
  /** Rounds whose checkpoint was dropped because its blob was missing or failed its hash. */
  droppedCheckpoints: number[]
  /** Pool entries dropped because their records were unreadable. */
  droppedPoolEntries: number
  /** Metrics records dropped because they were unreadable. */
  droppedMetrics: number
  /** Checkpoints left, all verified. */
  checkpoints: number
}

async function exists (path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

function assertDir (dir: unknown): asserts dir is string {
  if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError('dir', 'must be a non-empty path')
}

/**
 * Explicit recovery of a damaged store: runs LevelDB's repair (rebuilds the manifest from logs and
 * tables), then opens the store, drops unreadable pool and metrics records and checkpoints whose
 * blob is missing or fails its SHA-256, and removes orphaned blob files. Schema mismatches are not
 * "repaired": they still throw StoreSchemaError.
 */
export async function repairStore (dir: string, options: AbortOptions = {}): Promise<RepairReport> {
  assertDir(dir)
  const levelPath = join(dir, LEVEL_DIRNAME)
  if (!await exists(levelPath)) throw new StoreIoError(levelPath, 'no database to repair')
  throwIfAborted(options.signal)
  try {
    await ClassicLevel.repair(levelPath)
  } catch (err) {
    throw translateOpenError(dir, err)
  }
  const { store, parts } = await openForRepair({ dir }, options)
  try {
    const report: RepairReport = { droppedCheckpoints: [], droppedPoolEntries: 0, droppedMetrics: 0, checkpoints: 0 }
    for (const info of await parts.checkpoints.list(options)) {
      try {
        await parts.checkpoints.get(info.round, options)
        report.checkpoints++
      } catch (err) {
        if (!(err instanceof CheckpointCorruptedError)) throw err
        await parts.checkpoints.delete(info.round, options)
        report.droppedCheckpoints.push(info.round)
      }
    }
    const metrics = parts.db.sublevel<string, string>(METRICS_PREFIX, { valueEncoding: 'utf8' })
    const bad: string[] = []
    await levelOp(dir, async () => {
      for await (const [key, value] of metrics.iterator()) {
        throwIfAborted(options.signal)
        try {
          const v = JSON.parse(value) as { round?: unknown }
          if (typeof v?.round !== 'number' || intKey(v.round) !== key) bad.push(key)
        } catch {
          bad.push(key)
        }
      }
      if (bad.length > 0) await metrics.batch(bad.map(key => ({ type: 'del' as const, key })), syncWrite())
    })
    report.droppedMetrics = bad.length
    report.droppedPoolEntries = parts.poolBackend.dropped
    return report
  } finally {
    await store.stop()
  }
}

/**
 * Deletes the store's database and checkpoint files (only `level/` and `checkpoints/` inside
 * `dir`; anything else there is left alone). Irreversible; refuses while another process has it open.
 */
export async function resetStore (dir: string, options: AbortOptions = {}): Promise<void> {
  assertDir(dir)
  throwIfAborted(options.signal)
  const levelPath = join(dir, LEVEL_DIRNAME)
  if (await exists(levelPath)) {
    // LevelDB takes its lock before reading anything, so a damaged database still reports LEVEL_LOCKED.
    const db = new ClassicLevel(levelPath, { createIfMissing: false })
    try {
      await db.open()
      await db.close()
    } catch (err) {
      const translated = translateOpenError(dir, err)
      if (translated.name === 'StoreLockedError') throw translated
    }
  }
  try {
    await rm(levelPath, { recursive: true, force: true })
    await rm(join(dir, CHECKPOINT_DIRNAME), { recursive: true, force: true })
  } catch (err) {
    throw new StoreIoError(dir, (err as Error).message, { cause: err })
  }
}

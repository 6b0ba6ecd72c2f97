import { join } from 'node:path'
import type { AbortOptions, Logger } from '@murmur/interface'
import { throwIfAborted } from '@murmur/interface'
import { CheckpointCorruptedError } from '../errors.js'
import { levelOp, syncWrite, type Sub } from '../level-util.js'
import type { Checkpoint, CheckpointInfo, CheckpointInput, CheckpointStore, CheckpointStoreInit, JsonObject, JsonValue } from '../types.js'
import { assertIndex, intKey, SerialQueue, sha256Hex } from '../util.js'
import { blobName, deleteBlobs, readBlob, scanBlobDir, writeBlob } from './blob.js'
import { resolveCheckpointInit, validateCheckpoint } from './validate.js'

/** What level holds per checkpoint; the weights and optimizer bytes live in `file`. */
export interface CheckpointRecord {
  round: number
  step: number
  createdAt: number
  file: string
  weightsBytes: number
  optimizerBytes: number
  sha256: string
  rng: JsonValue
  hero: JsonValue
  config: JsonValue
  meta: JsonObject
}

function info (r: CheckpointRecord): CheckpointInfo {
  return {
    round: r.round, step: r.step, createdAt: r.createdAt, weightsBytes: r.weightsBytes,
    optimizerBytes: r.optimizerBytes, sha256: r.sha256, meta: r.meta
  }
}

/** Components of the level checkpoint store. */
export interface LevelCheckpointComponents {
  now: () => number
  assertOpen: () => void
  logger: Logger
}

/**
 * Checkpoints as blob files referenced from level. A save writes the blob (tmp → fsync → rename →
 * fsync dir), then commits the record and the retention deletions in one synced batch, then
 * unlinks dropped blobs. A crash at any point leaves either the old or the new state; leftover
 * files are removed by `cleanup()` on open.
 */
export class LevelCheckpointStore implements CheckpointStore {
  private readonly queue = new SerialQueue()
  private readonly keep: number

  constructor (private readonly db: Sub<CheckpointRecord>, private readonly dir: string, init: CheckpointStoreInit,
    private readonly components: LevelCheckpointComponents) {
    this.keep = resolveCheckpointInit(init).keep
  }

  /** Deletes temporary and unreferenced blob files left by a crash. */
  async cleanup (options: AbortOptions = {}): Promise<void> {
    const records = await this.records(options)
    const referenced = new Set(records.map(r => r.file))
    const { blobs, temps } = await scanBlobDir(this.dir)
    const orphans = [...temps, ...blobs.filter(b => !referenced.has(b))]
    if (orphans.length > 0) this.components.logger('removing %d orphaned checkpoint files', orphans.length)
    await deleteBlobs(this.dir, orphans)
  }

  async save (input: CheckpointInput, options: AbortOptions = {}): Promise<CheckpointInfo> {
    const { meta, rng, hero, config } = validateCheckpoint(input)
    return await this.queue.run(async () => {
      throwIfAborted(options.signal)
      this.components.assertOpen()
      const file = blobName(input.round)
      const record: CheckpointRecord = {
        round: input.round,
        step: input.step,
        createdAt: this.components.now(),
        file,
        weightsBytes: input.weights.byteLength,
        optimizerBytes: input.optimizer.byteLength,
        sha256: sha256Hex(input.weights, input.optimizer),
        rng,
        hero,
        config,
        meta
      }
      await writeBlob(this.dir, file, [input.weights, input.optimizer], options)
      let unlinked: string[]
      try {
        throwIfAborted(options.signal)
        const existing = await this.records({})
        const replaced = existing.filter(r => r.round === input.round)
        const ranked = [...existing.filter(r => r.round !== input.round), record].sort((a, b) => b.round - a.round)
        const dropped = ranked.slice(this.keep)
        const keptNew = !dropped.includes(record)
        const ops = dropped.filter(r => r !== record).map(r => ({ type: 'del' as const, key: intKey(r.round) }))
        await levelOp(this.dir, async () => {
          await this.db.batch(keptNew
            ? [...ops, { type: 'put' as const, key: intKey(record.round), value: record }]
            : [...ops, ...replaced.map(r => ({ type: 'del' as const, key: intKey(r.round) }))], syncWrite())
        })
        unlinked = [...replaced, ...dropped].map(r => r.file)
      } catch (err) {
        await deleteBlobs(this.dir, [file]).catch(() => undefined)
        throw err
      }
      await deleteBlobs(this.dir, unlinked)
      return info(record)
    })
  }

  async get (round: number, options: AbortOptions = {}): Promise<Checkpoint | undefined> {
    assertIndex('round', round)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    const record = await levelOp(this.dir, async () => await this.db.get(intKey(round)))
    return record === undefined ? undefined : await this.load(record, options)
  }

  async latest (options: AbortOptions = {}): Promise<Checkpoint | undefined> {
    throwIfAborted(options.signal)
    this.components.assertOpen()
    const records = await levelOp(this.dir, async () => await this.db.values({ reverse: true }).all())
    let newestError: CheckpointCorruptedError | undefined
    for (const record of records) {
      try {
        const checkpoint = await this.load(record, options)
        if (checkpoint === undefined) continue
        if (newestError !== undefined) {
          this.components.logger.error(`${newestError.message.split(';')[0]}; resuming from the checkpoint of round ${checkpoint.round} instead`)
        }
        return checkpoint
      } catch (err) {
        if (!(err instanceof CheckpointCorruptedError)) throw err
        newestError ??= err
      }
    }
    if (newestError !== undefined) throw newestError
    return undefined
  }

  async list (options: AbortOptions = {}): Promise<CheckpointInfo[]> {
    return (await this.records(options)).map(info)
  }

  async delete (round: number, options: AbortOptions = {}): Promise<boolean> {
    assertIndex('round', round)
    return await this.queue.run(async () => {
      throwIfAborted(options.signal)
      this.components.assertOpen()
      const key = intKey(round)
      const record = await levelOp(this.dir, async () => await this.db.get(key))
      if (record === undefined) return false
      await levelOp(this.dir, async () => { await this.db.batch([{ type: 'del', key }], syncWrite()) })
      await deleteBlobs(this.dir, [record.file])
      return true
    })
  }

  /** Resolves when pending saves have settled. */
  async drain (): Promise<void> {
    await this.queue.drain()
  }

  private async records (options: AbortOptions): Promise<CheckpointRecord[]> {
    throwIfAborted(options.signal)
    this.components.assertOpen()
    return await levelOp(this.dir, async () => await this.db.values().all())
  }

  private async load (record: CheckpointRecord, options: AbortOptions): Promise<Checkpoint | undefined> {
    const path = join(this.dir, record.file)
    const bytes = await readBlob(path)
    throwIfAborted(options.signal)
    if (bytes === undefined) {
      // A concurrent save may have dropped this round between the record read and the file read.
      const still = await levelOp(this.dir, async () => await this.db.get(intKey(record.round)))
      if (still?.file !== record.file) return undefined
      throw new CheckpointCorruptedError(record.round, path, 'blob file is missing')
    }
    if (bytes.byteLength !== record.weightsBytes + record.optimizerBytes) {
      throw new CheckpointCorruptedError(record.round, path, `blob has ${bytes.byteLength} bytes, expected ${record.weightsBytes + record.optimizerBytes}`)
    }
    if (sha256Hex(bytes) !== record.sha256) throw new CheckpointCorruptedError(record.round, path, 'SHA-256 mismatch')
    return {
      ...info(record),
      weights: bytes.subarray(0, record.weightsBytes),
      optimizer: bytes.subarray(record.weightsBytes),
      rng: record.rng,
      hero: record.hero,
      config: record.config
    }
  }
}

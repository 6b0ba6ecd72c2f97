import type { AbortOptions } from '@murmur/interface'
import { throwIfAborted } from '@murmur/interface'
import { levelOp, type Sub } from '../level-util.js'
import type { MetricsRange, MetricsRecord, MetricsStore, MetricsStoreInit } from '../types.js'
import { assertIndex, intKey, SerialQueue } from '../util.js'
import { resolveMetricsInit, resolveRange, validateMetrics } from './validate.js'

/**
 * Metrics history on a LevelDB sublevel (JSON values keyed by round). The record count is kept in
 * memory (counted on open); a put that takes it past `keep` deletes the oldest rounds in the same batch.
 */
export class LevelMetricsStore implements MetricsStore {
  private readonly keep: number
  private readonly queue = new SerialQueue()
  private count = 0

  constructor (private readonly db: Sub<MetricsRecord>, private readonly path: string, init: MetricsStoreInit,
    private readonly components: { assertOpen: () => void }) {
    this.keep = resolveMetricsInit(init).keep
  }

  /** Counts the stored records and applies `keep` (it may have been lowered since the last run). */
  async load (options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.count = (await levelOp(this.path, async () => await this.db.keys().all())).length
    await this.queue.run(async () => { await this.write(undefined) })
  }

  async put<T extends { round: number }> (input: T, options: AbortOptions = {}): Promise<void> {
    const record: unknown = input
    validateMetrics(record)
    await this.queue.run(async () => {
      throwIfAborted(options.signal)
      this.components.assertOpen()
      const key = intKey(record.round)
      const isNew = await levelOp(this.path, async () => await this.db.get(key)) === undefined
      if (isNew) this.count++
      await this.write({ key, value: record, isNew })
    })
  }

  async get (round: number, options: AbortOptions = {}): Promise<MetricsRecord | undefined> {
    assertIndex('round', round)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    return await levelOp(this.path, async () => await this.db.get(intKey(round)))
  }

  async range (range: MetricsRange = {}): Promise<MetricsRecord[]> {
    const { from, to, limit, reverse } = resolveRange(range)
    throwIfAborted(range.signal)
    this.components.assertOpen()
    if (from > to) return []
    return await levelOp(this.path, async () => await this.db.values({
      gte: intKey(from), lte: intKey(to), reverse, limit: limit === Infinity ? -1 : limit
    }).all())
  }

  async latest (options: AbortOptions = {}): Promise<MetricsRecord | undefined> {
    return (await this.range({ ...options, reverse: true, limit: 1 }))[0]
  }

  /** Resolves when pending puts have settled. */
  async drain (): Promise<void> {
    await this.queue.drain()
  }

  /**
   * Writes `put` (if any) and deletes the oldest records beyond `keep`, in one batch. A new record
   * older than everything kept is itself the oldest, so it is not written at all.
   */
  private async write (put: { key: string, value: MetricsRecord, isNew: boolean } | undefined): Promise<void> {
    const excess = this.count - this.keep
    await levelOp(this.path, async () => {
      let drop: string[] = []
      if (excess > 0) {
        const existing = await this.db.keys({ limit: excess }).all()
        drop = (put?.isNew === true ? [...existing, put.key].sort() : existing).slice(0, excess)
      }
      const ops: Array<{ type: 'del', key: string } | { type: 'put', key: string, value: MetricsRecord }> =
        drop.filter(key => key !== put?.key).map(key => ({ type: 'del', key }))
      if (put !== undefined && !drop.includes(put.key)) ops.push({ type: 'put', key: put.key, value: put.value })
      if (ops.length > 0) await this.db.batch(ops)
      this.count -= drop.length
    })
  }
}

import type { AbortOptions } from '@murmur/interface'
import { throwIfAborted } from '@murmur/interface'
import { levelOp, type Sub } from '../level-util.js'
import type { MetricsRange, MetricsRecord, MetricsStore } from '../types.js'
import { assertIndex, intKey } from '../util.js'
import { resolveRange, validateMetrics } from './validate.js'

/** Metrics history on a LevelDB sublevel (JSON values keyed by round). */
export class LevelMetricsStore implements MetricsStore {
  constructor (private readonly db: Sub<MetricsRecord>, private readonly path: string,
    private readonly components: { assertOpen: () => void }) {}

  async put<T extends { round: number }> (input: T, options: AbortOptions = {}): Promise<void> {
    const record: unknown = input
    validateMetrics(record)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    await levelOp(this.path, async () => { await this.db.put(intKey(record.round), record) })
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
}

import type { AbortOptions } from '@murmur/interface'
import { throwIfAborted } from '@murmur/interface'
import type { MetricsRange, MetricsRecord, MetricsStore, MetricsStoreInit } from '../types.js'
import { assertIndex } from '../util.js'
import { resolveMetricsInit, resolveRange, validateMetrics } from './validate.js'

/** Metrics history in process memory (records are cloned in and out), bounded like the level store. */
export class MemoryMetricsStore implements MetricsStore {
  private readonly byRound = new Map<number, MetricsRecord>()
  private readonly keep: number

  constructor (init: MetricsStoreInit, private readonly components: { assertOpen: () => void }) {
    this.keep = resolveMetricsInit(init).keep
  }

  async put<T extends { round: number }> (input: T, options: AbortOptions = {}): Promise<void> {
    const record: unknown = input
    validateMetrics(record)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    this.byRound.set(record.round, structuredClone(record))
    if (this.byRound.size > this.keep) {
      const oldest = [...this.byRound.keys()].sort((a, b) => a - b).slice(0, this.byRound.size - this.keep)
      for (const round of oldest) this.byRound.delete(round)
    }
  }

  async get (round: number, options: AbortOptions = {}): Promise<MetricsRecord | undefined> {
    assertIndex('round', round)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    const r = this.byRound.get(round)
    return r === undefined ? undefined : structuredClone(r)
  }

  async range (range: MetricsRange = {}): Promise<MetricsRecord[]> {
    const { from, to, limit, reverse } = resolveRange(range)
    throwIfAborted(range.signal)
    this.components.assertOpen()
    const rounds = [...this.byRound.keys()].filter(r => r >= from && r <= to).sort((a, b) => reverse ? b - a : a - b)
    return rounds.slice(0, limit).map(r => structuredClone(this.byRound.get(r) as MetricsRecord))
  }

  async latest (options: AbortOptions = {}): Promise<MetricsRecord | undefined> {
    return (await this.range({ ...options, reverse: true, limit: 1 }))[0]
  }
}

import type { AbortOptions } from '@murmur/interface'
import { throwIfAborted } from '@murmur/interface'
import type { MetricsRange, MetricsRecord, MetricsStore } from '../types.js'
import { assertIndex } from '../util.js'
import { resolveRange, validateMetrics } from './validate.js'

/** Metrics history in process memory (records are cloned in and out). */
export class MemoryMetricsStore implements MetricsStore {
  private readonly byRound = new Map<number, MetricsRecord>()

  constructor (private readonly components: { assertOpen: () => void }) {}

  async put<T extends { round: number }> (input: T, options: AbortOptions = {}): Promise<void> {
    const record: unknown = input
    validateMetrics(record)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    this.byRound.set(record.round, structuredClone(record))
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

import { InvalidArgumentError } from '@murmur/interface'
import { DEFAULT_METRICS_KEEP } from '../constants.js'
import type { MetricsRange, MetricsRecord, MetricsStoreInit } from '../types.js'
import { assertIndex, assertJson, assertLimit } from '../util.js'

/** Validates a metrics record: a JSON object with a `round` index. */
export function validateMetrics (record: unknown): asserts record is MetricsRecord {
  if (record == null || typeof record !== 'object' || Array.isArray(record)) {
    throw new InvalidArgumentError('metrics', 'must be a JSON object')
  }
  assertIndex('metrics.round', (record as { round?: unknown }).round)
  assertJson('metrics', record)
}

/** Validates a range and resolves its bounds. */
export function resolveRange (range: MetricsRange): { from: number, to: number, limit: number, reverse: boolean } {
  const from = range.from ?? 0
  const to = range.to ?? Number.MAX_SAFE_INTEGER
  assertIndex('range.from', from)
  assertIndex('range.to', to)
  const limit = range.limit ?? Infinity
  assertLimit('range.limit', limit, true)
  if (range.reverse !== undefined && typeof range.reverse !== 'boolean') throw new InvalidArgumentError('range.reverse', 'must be a boolean')
  return { from, to, limit, reverse: range.reverse === true }
}

/** Resolves and validates metrics store options. */
export function resolveMetricsInit (init: MetricsStoreInit = {}): Required<MetricsStoreInit> {
  const keep = init.keep ?? DEFAULT_METRICS_KEEP
  assertLimit('metrics.keep', keep, true)
  return { keep }
}

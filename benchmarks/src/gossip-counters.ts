// A gossipsub metrics register that only sums counters by metric name (labels ignored): enough
// for the gossip benchmark to count message copies received, duplicates and forwards per host,
// without prom-client's per-label bookkeeping in the measured CPU.
import type { GossipsubMetricsRegister } from '@murmur/net'

/** Counter sums by gossipsub metric name. */
export type CounterSums = Map<string, number>

/** A register whose gauges add into `sums`; histograms and avg/min/max are discarded. */
export function countingRegister (sums: CounterSums): GossipsubMetricsRegister {
  const gauge = ({ name }: { name: string }): unknown => ({
    inc: (a?: unknown, b?: number) => { sums.set(name, (sums.get(name) ?? 0) + (typeof a === 'number' ? a : b ?? 1)) },
    set: () => {},
    addCollect: () => {}
  })
  const histogram = (): unknown => ({ startTimer: () => () => 0, observe: () => {}, reset: () => {} })
  const avgMinMax = (): unknown => ({ set: () => {} })
  // The register's method types are conditional on each metric's label type; these stubs take both call forms.
  return { gauge, histogram, avgMinMax } as unknown as GossipsubMetricsRegister
}

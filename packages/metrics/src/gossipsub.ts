// gossipsub reports its own metrics (mesh sizes, deliveries, scores, IWANT/IHAVE traffic, …)
// through a small "register" interface from Lodestar: gauges with collect hooks, histograms and
// avg/min/max triples. This adapter backs it with a node's own prom-client registry.
import type { GossipsubMetricsRegister } from '@murmur/net'
import { Gauge, Histogram, type Registry } from 'prom-client'

type Labels = Record<string, string | number>
interface MetricConfig { name: string, help: string, labelNames?: string[], buckets?: number[] }

/** One string per label set (gossipsub passes each metric's labels in one order). */
function labelKey (labels: Labels): string {
  let key = ''
  for (const name in labels) key += `${name}\u0000${String(labels[name])}\u0001`
  return key
}

/** A gossipsub metrics register writing into `registry`. */
export function gossipsubRegister (registry: Registry): GossipsubMetricsRegister {
  const register = {
    gauge (config: MetricConfig) {
      const collects: Array<(g: unknown) => void> = []
      // gossipsub increments some of these on every RPC, publish and score call; a prom-client
      // update (label hashing included) per event was most of the observation cost (docs/results.md
      // §8.2). Increments are summed here, per label set, and applied when the gauge is scraped.
      let unlabelled = 0
      const labelled = new Map<string, { labels: Labels, delta: number }>()
      const flush = (): void => {
        if (unlabelled !== 0) { gauge.inc(unlabelled); unlabelled = 0 }
        for (const pending of labelled.values()) gauge.inc(pending.labels, pending.delta)
        labelled.clear()
      }
      const gauge: Gauge = new Gauge({
        name: config.name,
        help: config.help,
        labelNames: config.labelNames ?? [],
        registers: [registry],
        collect () {
          flush()
          for (const fn of collects) fn(wrapper)
        }
      })
      const wrapper = {
        inc: (a?: Labels | number, b?: number) => {
          if (typeof a !== 'object') { unlabelled += a ?? 1; return }
          const key = labelKey(a)
          const pending = labelled.get(key)
          if (pending === undefined) labelled.set(key, { labels: a, delta: b ?? 1 })
          else pending.delta += b ?? 1
        },
        // A set overrides the increments before it.
        set: (a: Labels | number, b?: number) => {
          flush()
          if (typeof a === 'object') gauge.set(a, b ?? 0); else gauge.set(a)
        },
        addCollect: (fn: (g: unknown) => void) => { collects.push(fn) }
      }
      return wrapper
    },
    histogram (config: MetricConfig) {
      const histogram = new Histogram({
        name: config.name,
        help: config.help,
        labelNames: config.labelNames ?? [],
        ...(config.buckets === undefined ? {} : { buckets: config.buckets }),
        registers: [registry]
      })
      return {
        startTimer: () => histogram.startTimer(),
        observe: (a: Labels | number, b?: number) => { if (typeof a === 'object') histogram.observe(a, b ?? 0); else histogram.observe(a) },
        reset: () => { histogram.reset() }
      }
    },
    avgMinMax (config: MetricConfig) {
      const part = (suffix: string): Gauge => new Gauge({ name: `${config.name}_${suffix}`, help: `${config.help} (${suffix})`, labelNames: config.labelNames ?? [], registers: [registry] })
      const avg = part('avg')
      const min = part('min')
      const max = part('max')
      return {
        set: (a: Labels | number[], b?: number[]) => {
          const labels = Array.isArray(a) ? {} : a
          const values = Array.isArray(a) ? a : b ?? []
          if (values.length === 0) return
          let lo = Infinity
          let hi = -Infinity
          let sum = 0
          for (const v of values) { lo = Math.min(lo, v); hi = Math.max(hi, v); sum += v }
          avg.set(labels, sum / values.length)
          min.set(labels, lo)
          max.set(labels, hi)
        }
      }
    }
  }
  // The register's method types are conditional on each metric's label type; the adapter above
  // handles both the labelled and unlabelled call forms at run time.
  return register as unknown as GossipsubMetricsRegister
}

// gossipsub reports its own metrics (mesh sizes, deliveries, scores, IWANT/IHAVE traffic, …)
// through a small "register" interface from Lodestar: gauges with collect hooks, histograms and
// avg/min/max triples. This adapter backs it with a node's own prom-client registry.
import type { GossipsubMetricsRegister } from '@murmur/net'
import { Gauge, Histogram, type Registry } from 'prom-client'

type Labels = Record<string, string | number>
interface MetricConfig { name: string, help: string, labelNames?: string[], buckets?: number[] }

/** A gossipsub metrics register writing into `registry`. */
export function gossipsubRegister (registry: Registry): GossipsubMetricsRegister {
  const register = {
    gauge (config: MetricConfig) {
      const collects: Array<(g: unknown) => void> = []
      const gauge = new Gauge({
        name: config.name,
        help: config.help,
        labelNames: config.labelNames ?? [],
        registers: [registry],
        collect () { for (const fn of collects) fn(wrapper) }
      })
      const wrapper = {
        inc: (a?: Labels | number, b?: number) => { if (typeof a === 'object') gauge.inc(a, b ?? 1); else gauge.inc(a ?? 1) },
        set: (a: Labels | number, b?: number) => { if (typeof a === 'object') gauge.set(a, b ?? 0); else gauge.set(a) },
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

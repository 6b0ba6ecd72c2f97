// libp2p's own metrics (connections, streams, dials, data transfer per protocol, DHT, …) through
// @libp2p/prometheus-metrics, into a node's own registry.
import type { SwarmHostMetrics } from '@murmur/net'
import type { Registry } from 'prom-client'
import { randomUUID } from 'node:crypto'

type PrometheusMetricsModule = typeof import('@libp2p/prometheus-metrics')

/** Gauges @libp2p/prometheus-metrics always registers that describe the process, not libp2p. */
const DUPLICATE_PROCESS_METRICS = ['nodejs_memory_usage_bytes', 'nodejs_memory_total_bytes', 'nodejs_fs_usage_bytes']

/**
 * A libp2p `metrics` factory registering into `registry`.
 *
 * @libp2p/prometheus-metrics keeps the metrics it created in a module-level map keyed by name,
 * so a second libp2p node in the same process (murmur sim in one process, tests) would be handed
 * the first node's metric objects, bound to the first node's registry and its components. Each
 * node therefore loads its own instance of that module (a distinct module URL); the few KiB each
 * instance costs stay for the life of the process. `preserveExistingMetrics` keeps the module
 * from clearing prom-client's global registry, which murmur never uses. The module's own
 * process-level gauges are dropped from the registry: they repeat prom-client's default metrics
 * (memory) and cost a `process.memoryUsage()` and a `statfs` on every scrape.
 */
export async function libp2pMetrics (registry: Registry): Promise<NonNullable<SwarmHostMetrics['libp2p']>> {
  const url = `${import.meta.resolve('@libp2p/prometheus-metrics')}?registry=${randomUUID()}`
  const mod = await import(url) as PrometheusMetricsModule
  const factory = mod.prometheusMetrics({ registry, preserveExistingMetrics: true, collectDefaultMetrics: false })
  return ((components: Parameters<typeof factory>[0]) => {
    const metrics = factory(components)
    for (const name of DUPLICATE_PROCESS_METRICS) registry.removeSingleMetric(name)
    return metrics
  }) as unknown as NonNullable<SwarmHostMetrics['libp2p']>
}

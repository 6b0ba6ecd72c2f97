/**
 * Real nodes on loopback (libp2p hosts, level stores, onnxruntime policies), two in one process
 * with a metrics registry each: /metrics parses as the Prometheus text format, murmur's counters
 * move as rounds pass, libp2p's and gossipsub's own metrics are there, and the two nodes'
 * registries stay apart.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { afterAll, describe, expect, it } from 'vitest'
import { createSwarmNode, resolveConfig, type SwarmNode } from '@murmur/node'
import { createNodeMetrics, metricsRoute, startObserveServer, type NodeMetrics, type ObserveServer } from '../src/index.js'

type Families = ReturnType<typeof parsePrometheusTextFormat>

const PROMTOOL = '/usr/bin/promtool'

async function scrape (url: string): Promise<Families & { text: string }> {
  const res = await fetch(`${url}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  const text = await res.text()
  return Object.assign(parsePrometheusTextFormat(text), { text })
}

function value (families: Families, name: string, labels: Record<string, string> = {}): number {
  const family = families.find(f => f.name === name)
  if (family === undefined) return Number.NaN
  const sample = family.metrics.find(m => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
  return Number(sample?.value ?? sample?.count ?? Number.NaN)
}

describe('node metrics on a real two-node swarm', () => {
  const dirs: string[] = []
  const nodes: SwarmNode[] = []
  const servers: ObserveServer[] = []
  afterAll(async () => {
    await Promise.allSettled(servers.map(async s => { await s.stop() }))
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('serves parseable /metrics whose counters move as rounds pass', async () => {
    const metrics: NodeMetrics[] = []
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(join(tmpdir(), `murmur-metrics-${i}-`))
      dirs.push(dir)
      const m = await createNodeMetrics()
      const config = resolveConfig({
        overrides: { dataDir: dir, seed: 7 + i, rounds: 3, localGroups: 2, peerGroups: 2, groupSize: 4, net: { swarmId: 'metrics-test', bootstrap: nodes.flatMap(n => n.info().addrs) } }
      })
      const node = await createSwarmNode(config, { netMetrics: m.netMetrics })
      m.observe(node)
      await node.start()
      m.setInfo({ peerId: node.info().peerId, swarmId: config.net.swarmId, modelId: 'tiny' })
      nodes.push(node)
      metrics.push(m)
      servers.push(await startObserveServer({ port: 0, routes: { '/metrics': metricsRoute(m) } }))
    }
    const deadline = Date.now() + 30_000
    while (!nodes.every(n => n.peerCount() >= 1)) {
      if (Date.now() > deadline) throw new Error('nodes did not find each other')
      await new Promise(resolve => setTimeout(resolve, 100))
    }

    const before = await scrape(servers[0].url)
    expect(value(before, 'murmur_rounds_total')).toBe(0)
    for (let r = 0; r < 3; r++) {
      await Promise.all(nodes.map(async n => await n.runRound()))
      await new Promise(resolve => setTimeout(resolve, 1000))
    }
    const after = await scrape(servers[0].url)

    // Every family is well formed: a TYPE, a valid name; murmur's counters end in _total.
    for (const f of after) {
      expect(f.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/)
      if (f.name.startsWith('murmur_') && f.type === 'COUNTER') expect(f.name).toMatch(/_total$/)
    }
    // Where Prometheus's own linter is installed (Debian: prometheus), murmur's metrics pass it
    // (libp2p's, gossipsub's and prom-client's defaults have naming lint of their own).
    if (existsSync(PROMTOOL)) {
      let lint = ''
      try {
        execFileSync(PROMTOOL, ['check', 'metrics'], { input: after.text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })
      } catch (err) {
        lint = String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? '')
      }
      expect(lint).not.toMatch(/error while linting/)
      expect(lint.split('\n').filter(l => l.startsWith('murmur_'))).toEqual([])
    }
    expect(value(after, 'murmur_rounds_total')).toBe(3)
    expect(value(after, 'murmur_groups_published_total')).toBe(6)
    expect(value(after, 'murmur_rollouts_total')).toBe(24)
    expect(value(after, 'murmur_generated_tokens_total')).toBeGreaterThan(0)
    expect(value(after, 'murmur_groups_used_total', { origin: 'local' })).toBe(6)
    expect(value(after, 'murmur_groups_received_total')).toBeGreaterThan(0)
    expect(value(after, 'murmur_groups_accepted_total')).toBeGreaterThanOrEqual(value(after, 'murmur_groups_received_total'))
    // nothing was refused between two honest nodes, but the by-reason family is declared
    expect(after.text).toMatch(/^# TYPE murmur_groups_refused_total counter$/m)
    expect(value(after, 'murmur_groups_rejected_total')).toBe(0)
    expect(value(after, 'murmur_round_seconds')).toBe(3) // histogram count
    // (the parser drops the labels of labelled histograms: read that sample's line directly)
    expect(after.text).toMatch(/^murmur_round_phase_seconds_count\{phase="train"\} 3$/m)
    expect(value(after, 'murmur_peers')).toBe(1)
    expect(value(after, 'murmur_connections')).toBeGreaterThanOrEqual(1)
    expect(value(after, 'murmur_pool_groups', { origin: 'peer' })).toBeGreaterThanOrEqual(0)
    expect(value(after, 'murmur_process_memory_bytes', { kind: 'rss' })).toBeGreaterThan(1e6)
    expect(Number.isFinite(value(after, 'murmur_reward'))).toBe(true)
    expect(value(after, 'murmur_node_info', { peer_id: nodes[0].info().peerId })).toBe(1)
    // libp2p's metrics (@libp2p/prometheus-metrics) and gossipsub's own are in the same registry.
    expect(after.some(f => f.name.startsWith('libp2p_'))).toBe(true)
    expect(after.some(f => f.name.startsWith('gossipsub_'))).toBe(true)
    expect(after.some(f => f.name === 'process_cpu_seconds_total')).toBe(true)
    // …without the process gauges @libp2p/prometheus-metrics repeats (prom-client has them).
    expect(after.filter(f => f.name.startsWith('nodejs_memory_') || f.name === 'nodejs_fs_usage_bytes').map(f => f.name)).toEqual([])

    // Two nodes in one process: each registry holds its own node's numbers.
    const other = await scrape(servers[1].url)
    expect(value(other, 'murmur_node_info', { peer_id: nodes[1].info().peerId })).toBe(1)
    expect(value(other, 'murmur_node_info', { peer_id: nodes[0].info().peerId })).toBeNaN()
    const transfer = (fs: Families): number => fs.find(f => f.name === 'libp2p_data_transfer_bytes_total')?.metrics.length ?? 0
    expect(transfer(after)).toBeGreaterThan(0)
    expect(transfer(other)).toBeGreaterThan(0)
    expect(metrics[0].registry).not.toBe(metrics[1].registry)
  }, 180_000)
})

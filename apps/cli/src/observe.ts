/**
 * What `murmur node` serves about itself: Prometheus /metrics (`metrics.port`) and the live
 * dashboard (`--dashboard`), or, under `murmur sim --dashboard`, its view changes sent to the
 * parent. Beyond loopback both servers require the token kept in the data directory.
 */
import { DEFAULT_DASHBOARD_PORT, followNode, startDashboard, createSwarmState, type FollowedNode } from '@murmur/dashboard'
import { createNodeMetrics, DEFAULT_HOST, isLoopback, loadOrCreateToken, metricsRoute, startObserveServer, TOKEN_FILE, type NodeMetrics, type ObserveServer, type ViewEvent } from '@murmur/metrics'
import type { NodeConfig, SwarmNode } from '@murmur/node'
import { join } from 'node:path'
import { portNumber, type FlagSpec } from './args.js'

/** Dashboard flags shared by `murmur node` and `murmur sim`. */
export const DASHBOARD_FLAGS: Record<string, FlagSpec> = {
  dashboard: { type: 'boolean', doc: 'serve a live dashboard page (loopback unless --dashboard-host says otherwise)' },
  'dashboard-port': { type: 'string', doc: 'dashboard port (0 = any free port)', default: String(DEFAULT_DASHBOARD_PORT) },
  'dashboard-host': { type: 'string', doc: 'dashboard bind address; beyond loopback a token is required', default: DEFAULT_HOST }
}

/** Dashboard settings from parsed flags, or undefined without --dashboard. */
export function dashboardOptions (flags: Record<string, string | boolean | undefined>): { host: string, port: number } | undefined {
  if (flags.dashboard !== true) return undefined
  return { host: String(flags['dashboard-host']), port: portNumber('--dashboard-port', flags['dashboard-port']) }
}

/** The node's metrics when `metrics.port` is set (create before the node: libp2p reports into it). */
export async function nodeMetricsFor (config: NodeConfig): Promise<NodeMetrics | undefined> {
  return config.metrics.port > 0 ? await createNodeMetrics() : undefined
}

/** The token for a bind address: none on loopback, else the one in `dir` (created on first use). */
export async function tokenFor (host: string, dir: string): Promise<string | undefined> {
  return isLoopback(host) ? undefined : await loadOrCreateToken(dir)
}

/** A started node's observation: servers, follower, and lines worth printing. */
export interface NodeObservation {
  recordEval(round: number, accuracy: number): void
  /** Where to look (URLs, token file). */
  readonly lines: string[]
  stop(): Promise<void>
}

/** Starts serving a started node's metrics and dashboard, and/or streaming its view to `sink`. */
export async function observeNode (node: SwarmNode, config: NodeConfig, options: { metrics?: NodeMetrics, dashboard?: { host: string, port: number }, sink?: (event: ViewEvent) => void }): Promise<NodeObservation> {
  const servers: ObserveServer[] = []
  const followers: FollowedNode[] = []
  const lines: string[] = []
  const info = node.info()
  const { metrics } = options
  const unobserve = metrics?.observe(node)
  const tokenNote = (host: string): string => isLoopback(host) ? '' : ` (token: ${join(config.dataDir, TOKEN_FILE)})`
  try {
    if (metrics !== undefined) {
      metrics.setInfo({ peerId: info.peerId, swarmId: config.net.swarmId, modelId: config.modelId === '' ? config.model : config.modelId })
      const host = config.metrics.host
      const server = await startObserveServer({ host, port: config.metrics.port, token: await tokenFor(host, config.dataDir), routes: { '/metrics': metricsRoute(metrics) } })
      servers.push(server)
      lines.push(`metrics: ${server.url}/metrics${tokenNote(host)}`)
    }
    if (options.dashboard !== undefined) {
      const state = createSwarmState({ title: `node …${info.peerId.slice(-8)}` })
      followers.push(followNode(node, e => { state.apply(e) }, { index: 0, config }))
      const { host, port } = options.dashboard
      const server = await startDashboard({ state, host, port, token: await tokenFor(host, config.dataDir), ...(metrics === undefined ? {} : { metrics }) })
      servers.push(server)
      lines.push(`dashboard: ${server.url}/${tokenNote(host)}`)
    }
    if (options.sink !== undefined) followers.push(followNode(node, options.sink, { index: 0, config }))
  } catch (err) {
    unobserve?.()
    for (const f of followers) f.stop()
    await Promise.allSettled(servers.map(async s => { await s.stop() }))
    throw err
  }
  return {
    lines,
    recordEval (round, accuracy) {
      metrics?.recordEval(accuracy)
      for (const f of followers) f.recordEval(round, accuracy)
    },
    async stop () {
      unobserve?.()
      for (const f of followers) f.stop()
      await Promise.allSettled(servers.map(async s => { await s.stop() }))
    }
  }
}

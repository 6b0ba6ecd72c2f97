// Child process of the observe benchmark: a small swarm (real libp2p hosts on loopback, level
// stores, onnxruntime policies and trainers) in this one process, observed or not, running one
// round on every node when the parent says so. Observed, it is what `murmur node --metrics-port
// --dashboard` serves: a metrics registry per node wired into libp2p and gossipsub, each node's
// /metrics on its own server, and one dashboard (state fed by every node, event stream, view).
// The parent scrapes and watches from its own process, so only the serving side is counted here.
import { Session } from 'node:inspector/promises'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSwarmState, followNode, startDashboard, type FollowedNode } from '@murmur/dashboard'
import { createNodeMetrics, metricsRoute, startObserveServer, type NodeMetrics, type ObserveServer } from '@murmur/metrics'
import { createSwarmNode, resolveConfig, type SwarmNode } from '@murmur/node'
import type { ObservedPart } from './observe.js'

/** Messages from the parent. */
export type ToWorker =
  | { type: 'round' }
  | { type: 'render', times: number }
  | { type: 'stop' }

/** Messages to the parent. `cpuMs` is this process's CPU (user + system, all threads) since start-up ended. */
export type FromWorker =
  | { type: 'ready', metricsUrls: string[], dashboardUrl?: string }
  | { type: 'round', cpuMs: number, wallMs: number, tokens: number, trained: number }
  | { type: 'render', cpuMs: number, bytes: number }
  | { type: 'stopped' }

/** The worker's command line (one JSON argument). */
export interface WorkerArgs {
  /** Observation parts on; empty for the plain variant. `defaults`, `libp2p` and `gossipsub` need `metrics`. */
  parts: ObservedPart[]
  nodes: number
  /** Directory for a CPU profile of this process's main thread over the measured rounds. */
  profile?: string
}

function send (msg: FromWorker): void {
  process.send?.(msg)
}

function cpuMs (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

async function main (): Promise<void> {
  const { parts: list, nodes: nNodes, profile: profileTo } = JSON.parse(process.argv[2]) as WorkerArgs
  const parts = new Set(list)
  const observed = parts.size > 0
  // The same seeds in both variants, so both swarms generate and train alike.
  const swarmId = `bench-observe-${observed ? 'with' : 'without'}`
  const dirs: string[] = []
  const nodes: SwarmNode[] = []
  const metrics: NodeMetrics[] = []
  const servers: ObserveServer[] = []
  const followers: FollowedNode[] = []
  const stops: Array<() => void> = []
  for (let i = 0; i < nNodes; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-bench-observe-'))
    dirs.push(dir)
    const m = parts.has('metrics') ? await createNodeMetrics({ defaultMetrics: parts.has('defaults'), libp2p: parts.has('libp2p'), gossipsub: parts.has('gossipsub') }) : undefined
    const config = resolveConfig({ overrides: { dataDir: dir, seed: 11 + i, rounds: 0, net: { swarmId, bootstrap: nodes.flatMap(n => n.info().addrs) } } })
    const node = await createSwarmNode(config, { netMetrics: m?.netMetrics })
    await node.start()
    nodes.push(node)
    if (m !== undefined) {
      stops.push(m.observe(node))
      m.setInfo({ peerId: node.info().peerId, swarmId, modelId: config.model })
      metrics.push(m)
      servers.push(await startObserveServer({ port: 0, routes: { '/metrics': metricsRoute(m) } }))
    }
  }
  while (!nodes.every(n => n.peerCount() >= 1)) await new Promise(resolve => setTimeout(resolve, 100))
  let dashboardUrl: string | undefined
  if (parts.has('dashboard')) {
    const state = createSwarmState({ title: 'bench' })
    nodes.forEach((n, index) => { followers.push(followNode(n, e => { state.apply(e) }, { index, config: {} })) })
    const dashboard = await startDashboard({ state, port: 0 })
    servers.push(dashboard)
    dashboardUrl = `${dashboard.url}/`
  }
  await Promise.all(nodes.map(async n => await n.runRound())) // warm-up: sessions, JIT
  const profiler = profileTo === undefined ? undefined : new Session()
  if (profiler !== undefined) {
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.start')
  }
  const stopProfile = async (): Promise<void> => {
    if (profiler === undefined || profileTo === undefined) return
    const { profile } = await profiler.post('Profiler.stop')
    profiler.disconnect()
    await writeFile(join(profileTo, `observe-${observed ? 'with' : 'without'}-${process.pid}.cpuprofile`), JSON.stringify(profile))
  }
  let profiling = profiler !== undefined
  const c0 = cpuMs()
  process.on('message', (msg: ToWorker) => {
    void (async () => {
      if (msg.type !== 'round' && profiling) {
        profiling = false
        await stopProfile()
      }
      if (msg.type === 'round') {
        const t0 = performance.now()
        const ms = await Promise.all(nodes.map(async n => await n.runRound()))
        // The work done, to tell a difference in work from a difference in cost.
        const tokens = ms.reduce((a, m) => a + m.generatedTokens, 0)
        const trained = ms.reduce((a, m) => a + m.localGroups + m.peerGroupsUsed - m.groupsFiltered, 0)
        send({ type: 'round', cpuMs: cpuMs() - c0, wallMs: performance.now() - t0, tokens, trained })
      } else if (msg.type === 'render') {
        let bytes = 0
        const t = cpuMs()
        for (let i = 0; i < msg.times; i++) bytes = (await metrics[0].render()).length
        send({ type: 'render', cpuMs: (cpuMs() - t) / msg.times, bytes })
      } else {
        for (const f of followers) f.stop()
        for (const s of stops) s()
        await Promise.allSettled(servers.map(async s => { await s.stop() }))
        await Promise.allSettled(nodes.map(async n => { await n.stop() }))
        await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
        send({ type: 'stopped' })
        process.disconnect()
      }
    })()
  })
  send({ type: 'ready', metricsUrls: servers.slice(0, metrics.length).map(s => `${s.url}/metrics`), ...(dashboardUrl === undefined ? {} : { dashboardUrl }) })
}

main().catch((err: unknown) => {
  process.stderr.write(`observe worker: ${String(err)}\n`)
  process.exit(1)
})

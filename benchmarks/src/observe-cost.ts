// What observation costs, measured in one process so that both variants see the same machine:
// a 2-node swarm (real libp2p hosts on loopback, level stores, onnxruntime policies and
// trainers) runs rounds without observation, then a fresh one with it (a metrics registry per
// node wired into libp2p and gossipsub, /metrics rendered every `scrapeMs` as Prometheus would,
// a dashboard state fed by both nodes and every change serialized as the event stream would);
// alternating, several times. Reported per variant: process CPU and wall time per round (both
// nodes), and the CPU of one /metrics render.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSwarmState, followNode, type FollowedNode } from '@murmur/dashboard'
import { createNodeMetrics, type NodeMetrics } from '@murmur/metrics'
import { createSwarmNode, resolveConfig, type SwarmNode } from '@murmur/node'

/** One run of one variant. */
export interface SwarmCost {
  cpuMsPerRound: number
  wallMsPerRound: number
  /** CPU of one /metrics render, timed after the rounds (observed variant only). */
  renderCpuMs?: number
  renderBytes?: number
}

function cpuMs (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Runs a fresh 2-node swarm for `rounds` rounds (after one warm-up round), observed or not. */
export async function swarmCost (observed: boolean, rounds: number, scrapeMs: number): Promise<SwarmCost> {
  const dirs: string[] = []
  const nodes: SwarmNode[] = []
  const metrics: NodeMetrics[] = []
  const stops: Array<() => void> = []
  const followers: FollowedNode[] = []
  let timer: NodeJS.Timeout | undefined
  try {
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'murmur-bench-observe-'))
      dirs.push(dir)
      const m = observed ? await createNodeMetrics() : undefined
      const config = resolveConfig({ overrides: { dataDir: dir, seed: 11 + i, rounds: 0, net: { swarmId: 'bench-observe', bootstrap: nodes.flatMap(n => n.info().addrs) } } })
      const node = await createSwarmNode(config, { netMetrics: m?.netMetrics })
      if (m !== undefined) { stops.push(m.observe(node)); metrics.push(m) }
      await node.start()
      nodes.push(node)
    }
    while (!nodes.every(n => n.peerCount() >= 1)) await new Promise(resolve => setTimeout(resolve, 100))
    if (observed) {
      const state = createSwarmState({ title: 'bench' })
      // What the event stream does: serialize every change.
      state.subscribe(e => { JSON.stringify(e) })
      nodes.forEach((n, i) => { followers.push(followNode(n, e => { state.apply(e) }, { index: i, config: {} })) })
      timer = setInterval(() => { for (const m of metrics) void m.render() }, scrapeMs)
    }
    await Promise.all(nodes.map(async n => await n.runRound())) // warm-up: sessions, JIT
    const w0 = performance.now()
    const c0 = cpuMs()
    for (let r = 0; r < rounds; r++) await Promise.all(nodes.map(async n => await n.runRound()))
    const cpuMsPerRound = (cpuMs() - c0) / rounds
    const wallMsPerRound = (performance.now() - w0) / rounds
    if (!observed) return { cpuMsPerRound, wallMsPerRound }
    // One render's CPU, timed with the nodes idle (their worker threads count in process CPU).
    clearInterval(timer)
    let renderBytes = 0
    const t = cpuMs()
    for (let i = 0; i < 50; i++) renderBytes = (await metrics[0].render()).length
    return { cpuMsPerRound, wallMsPerRound, renderCpuMs: (cpuMs() - t) / 50, renderBytes }
  } finally {
    if (timer !== undefined) clearInterval(timer)
    for (const f of followers) f.stop()
    for (const s of stops) s()
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

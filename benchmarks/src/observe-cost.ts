// The CPU that observation spends per round, measured in one process on a real node (libp2p
// host on loopback, level store, onnxruntime policy and trainer): a /metrics render, a live-state
// read, and the dashboard's JSON, each timed with process.cpuUsage() over many repetitions,
// against the CPU and wall time of the node's rounds.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSwarmState, followNode, LIVE_INTERVAL_MS } from '@murmur/dashboard'
import { createNodeMetrics, trackNode } from '@murmur/metrics'
import { createSwarmNode, resolveConfig } from '@murmur/node'

/** CPU milliseconds per call and per round. */
export interface ObserveCost {
  roundWallMs: number
  roundCpuMs: number
  renderCpuMs: number
  renderBytes: number
  liveCpuMs: number
  /** A full view (what a dashboard gets on connect), serialized. */
  viewCpuMs: number
  viewBytes: number
}

function cpuMs (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Runs `rounds` rounds of a lone node with metrics and a dashboard state, then times each observation step `reps` times. */
export async function observeCost (rounds: number, reps: number): Promise<ObserveCost> {
  const dir = await mkdtemp(join(tmpdir(), 'murmur-bench-observe-cost-'))
  const metrics = await createNodeMetrics()
  const config = resolveConfig({ overrides: { dataDir: dir, rounds: 0, net: { swarmId: 'bench-observe' } } })
  const node = await createSwarmNode(config, { netMetrics: metrics.netMetrics })
  const unobserve = metrics.observe(node)
  try {
    await node.start()
    const state = createSwarmState({ title: 'bench' })
    const follower = followNode(node, e => { state.apply(e) }, { index: 0, config, intervalMs: LIVE_INTERVAL_MS })
    await node.runRound() // warm-up: sessions, JIT
    const w0 = performance.now()
    const c0 = cpuMs()
    for (let r = 0; r < rounds; r++) await node.runRound()
    const roundCpuMs = (cpuMs() - c0) / rounds
    const roundWallMs = (performance.now() - w0) / rounds
    let renderBytes = 0
    let t = cpuMs()
    for (let i = 0; i < reps; i++) renderBytes = (await metrics.render()).length
    const renderCpuMs = (cpuMs() - t) / reps
    const tracker = trackNode(node)
    t = cpuMs()
    for (let i = 0; i < reps; i++) JSON.stringify(tracker.live())
    const liveCpuMs = (cpuMs() - t) / reps
    tracker.stop()
    let viewBytes = 0
    t = cpuMs()
    for (let i = 0; i < reps; i++) viewBytes = JSON.stringify(state.view()).length
    const viewCpuMs = (cpuMs() - t) / reps
    follower.stop()
    return { roundWallMs, roundCpuMs, renderCpuMs, renderBytes, liveCpuMs, viewCpuMs, viewBytes }
  } finally {
    unobserve()
    await node.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

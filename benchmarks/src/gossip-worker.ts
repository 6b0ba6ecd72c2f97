// Child process of the gossip benchmark: runs several swarm hosts and follows the parent's
// commands over the IPC channel (start, connect, publish on a shared clock, report).
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { createSwarmHost, type SwarmHost, type SwarmHostInit } from '@murmur/net'
import { encodeRolloutGroup, type RolloutGroup } from '@murmur/protocol'
import { resolveTask } from '@murmur/tasks'
import { countingRegister, type CounterSums } from './gossip-counters.js'

/** Messages from the parent. */
export type ToWorker =
  | { type: 'connect', plan: string[][], minPeers: number }
  | { type: 'snapshot' }
  | { type: 'publish', startAt: number, ratePerSecond: number, count: number, totalHosts: number, firstHost: number, groupBytes: number, burst: number }
  | { type: 'count' }
  | { type: 'results' }
  | { type: 'stop' }

/** Messages to the parent. */
export type FromWorker =
  | { type: 'ready', addrs: string[] }
  | { type: 'connected' }
  | { type: 'snapshot', bytesOut: number, gossipBytesOut: number, cpuMs: number, deliveries: number, counters: Record<string, number>, meshPeers: number }
  | { type: 'published', count: number, payloadBytes: number[] }
  | { type: 'results', deliveries: Array<[number, number, number]>, rejected: number, throttled: number, dropped: number }
  | { type: 'count', deliveries: number }
  | { type: 'stopped' }

/** The worker's command line (one JSON argument). */
export interface WorkerArgs {
  hosts: number
  gossip: NonNullable<SwarmHostInit['gossip']>
  connections: NonNullable<SwarmHostInit['connections']>
  /** Count gossipsub's messages per host (copies received, duplicates, forwards) with its metrics hooks. */
  copies?: boolean
  profile?: string
}

/** Tries per dial before a target is left out. */
const DIAL_ATTEMPTS = 5

function send (msg: FromWorker): void {
  process.send?.(msg)
}

/** A ~`bytes`-sized group for message number `k` (its round), created now. */
export function benchGroup (k: number, bytes: number): RolloutGroup {
  const task = { family: 'add', version: 1, seed: k, params: {} }
  const each = Math.max(1, Math.floor((bytes - 64) / 8) - 3)
  const completions = Array.from({ length: 8 }, (_, i) => `${i}:` + 'abcdefghij'.repeat(Math.ceil(each / 10)).slice(0, each - 2))
  return { task, prompt: resolveTask(task).prompt, completions, modelId: 'bench', round: k, scores: [], createdAt: Date.now() }
}

async function main (): Promise<void> {
  const { hosts: nHosts, gossip, connections, copies, profile: profileTo } = JSON.parse(process.argv[2]) as WorkerArgs
  // Optional: a CPU profile of this process's main thread from publishing to the results, written to `profileTo`.
  const profiler = profileTo === undefined ? undefined : new Session()
  const sums: CounterSums[] = Array.from({ length: nHosts }, () => new Map())
  const hosts: SwarmHost[] = Array.from({ length: nHosts }, (_, i) => createSwarmHost({
    swarmId: 'bench',
    resolveTask,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    gossip,
    connections: { inboundPerHostPerSecond: 10_000, ...connections },
    ...(copies === true ? { metrics: { gossipsub: countingRegister(sums[i]) } } : {})
  }))
  await Promise.all(hosts.map(async h => { await h.start() }))
  // [round, local host index, latency ms]
  const deliveries: Array<[number, number, number]> = []
  hosts.forEach((h, i) => h.on('rollout:received', e => {
    deliveries.push([e.detail.group.round, i, e.detail.receivedAt - e.detail.group.createdAt])
  }))
  send({ type: 'ready', addrs: hosts.map(h => h.multiaddrs()[0]) })

  process.on('message', (raw: ToWorker) => {
    void handle(raw).catch((err: unknown) => {
      process.stderr.write(`gossip worker: ${String(err)}\n`)
      process.exit(1)
    })
  })

  async function handle (msg: ToWorker): Promise<void> {
    if (msg.type === 'connect') {
      // One dial at a time per worker: many concurrent handshakes on a loaded machine outlast
      // libp2p's 10 s dial timeout. Retried, and a target left out only thins the graph.
      for (const [i, targets] of msg.plan.entries()) {
        for (const t of targets) {
          for (let attempt = 1; ; attempt++) {
            try { await hosts[i].dial(t); break } catch (err) { if (attempt >= DIAL_ATTEMPTS) { process.stderr.write(`gossip worker: gave up dialling ${t}: ${String(err)}\n`); break } }
          }
        }
      }
      await Promise.all(hosts.map(async (h, i) => {
        await h.waitForPeers(msg.minPeers, { signal: AbortSignal.timeout(300_000) }).catch((err: unknown) => {
          const pubsub = h.libp2p?.services.pubsub
          throw new Error(`host ${i}: ${String(err)}; ${h.libp2p?.getConnections().length ?? 0} connections, ${pubsub?.getSubscribers(h.topic).length ?? 0} subscribers, mesh ${pubsub?.getMeshPeers(h.topic).length ?? 0}`)
        })
      }))
      send({ type: 'connected' })
    } else if (msg.type === 'snapshot') {
      const stats = hosts.map(h => h.stats())
      const cpu = process.cpuUsage()
      const counters: Record<string, number> = {}
      for (const m of sums) for (const [name, v] of m) counters[name] = (counters[name] ?? 0) + v
      const meshPeers = hosts.reduce((n, h) => n + (h.libp2p?.services.pubsub.getMeshPeers(h.topic).length ?? 0), 0)
      send({ type: 'snapshot', bytesOut: stats.reduce((s, x) => s + x.bytesOut, 0), gossipBytesOut: stats.reduce((s, x) => s + x.gossipBytesOut, 0), cpuMs: (cpu.user + cpu.system) / 1000, deliveries: deliveries.length, counters, meshPeers })
    } else if (msg.type === 'publish') {
      if (profiler !== undefined) {
        profiler.connect()
        await profiler.post('Profiler.enable')
        await profiler.post('Profiler.start')
      }
      const payloadBytes: number[] = []
      const jobs: Array<Promise<unknown>> = []
      // Groups come in bursts of `burst` from one host, published together (one message), as a node publishes its round's groups.
      for (let first = 0; first < msg.count; first += msg.burst) {
        const slot = first / msg.burst
        const owner = slot % msg.totalHosts - msg.firstHost
        if (owner < 0 || owner >= hosts.length) continue
        const wait = msg.startAt + slot * msg.burst * 1000 / msg.ratePerSecond - Date.now()
        if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
        const groups = []
        for (let k = first; k < Math.min(msg.count, first + msg.burst); k++) {
          const group = benchGroup(k, msg.groupBytes)
          payloadBytes[k] = encodeRolloutGroup(group).length
          groups.push({ group })
        }
        jobs.push(hosts[owner].publish(groups))
      }
      await Promise.all(jobs)
      send({ type: 'published', count: payloadBytes.filter(b => b !== undefined).length, payloadBytes })
    } else if (msg.type === 'count') {
      send({ type: 'count', deliveries: deliveries.length })
    } else if (msg.type === 'results') {
      if (profiler !== undefined && profileTo !== undefined) {
        const { profile } = await profiler.post('Profiler.stop')
        await writeFile(join(profileTo, `gossip-${process.pid}.cpuprofile`), JSON.stringify(profile))
      }
      const totals = hosts.map(h => h.stats().totals)
      send({
        type: 'results',
        deliveries,
        rejected: totals.reduce((s, t) => s + t.rejected, 0),
        throttled: totals.reduce((s, t) => s + t.throttled, 0),
        dropped: totals.reduce((s, t) => s + t.dropped, 0)
      })
    } else {
      await Promise.all(hosts.map(async h => { await h.stop() }))
      send({ type: 'stopped' })
      process.disconnect()
    }
  }
}

await main()

// `npm run bench -- gossip [--hosts 16] [--procs 2] [--rate 50] [--seconds 10] [--bytes 4096] [--heartbeat 700] [--D 6] [--Dlo 4] [--Dhi 12]
//   [--dial K] [--burst 1] [--flood-publish] [--copies] [--idontwant-min 512] [--ping-ms 10000] [--profile DIR]`
// A swarm of hosts on loopback, spread over several OS processes, each publishing ~4 KiB
// rollout groups on a shared schedule (`--burst B`: B groups at once from one host, as a node
// publishes its round's groups). Hosts dial 4 others at fixed offsets, or with `--dial K` up to
// K random hosts started before them (what `murmur sim` does, K = 8). `--copies` counts, with
// gossipsub's metrics hooks, the copies of each group a host receives (first delivery and
// duplicates) and the mesh size. Reports delivery, latency (publish → validated
// delivery), throughput and wire amplification: bytes sent on all connections (Noise, Yamux,
// gossip control traffic included) per payload byte delivered. The physical reference for
// amplification is gossipsub's mesh degree D: each host forwards a message to its D mesh peers.
import { fork } from 'node:child_process'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Child } from './child.js'
import { quantile, report } from './report.js'
import type { FromWorker, ToWorker, WorkerArgs } from './gossip-worker.js'
import { createRng } from '@murmur/interface'
import { DEFAULT_IDONTWANT_MIN_BYTES, DEFAULT_PING_INTERVAL_MS } from '@murmur/net'

const MESH_DEGREE = 6 // gossipsub's default D, which the hosts use unless --D says otherwise

function arg (args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return fallback
  const v = Number(args[i + 1])
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`)
  return v
}

/** Runs the gossip benchmark. */
export default async function run (args: string[]): Promise<void> {
  const nHosts = arg(args, 'hosts', 16)
  const procs = arg(args, 'procs', 2)
  const rate = arg(args, 'rate', 50)
  const seconds = arg(args, 'seconds', 10)
  const groupBytes = arg(args, 'bytes', 4096)
  const heartbeat = arg(args, 'heartbeat', 700)
  const D = arg(args, 'D', MESH_DEGREE)
  // Dlo and Dhi follow gossipsub's ratios to D (4 / 12 for 6) unless given.
  const Dlo = arg(args, 'Dlo', Math.max(1, Math.round(D * 2 / 3)))
  const Dhi = arg(args, 'Dhi', 2 * D)
  const dial = args.includes('--dial') ? arg(args, 'dial', 8) : undefined
  const burst = arg(args, 'burst', 1)
  const floodPublish = args.includes('--flood-publish')
  const copies = args.includes('--copies')
  const idontwantMinBytes = arg(args, 'idontwant-min', DEFAULT_IDONTWANT_MIN_BYTES)
  const pingIntervalMs = arg(args, 'ping-ms', DEFAULT_PING_INTERVAL_MS)
  // Each worker's main-thread CPU profile from publishing to the results, written to DIR.
  const profile = args.includes('--profile') ? resolve(args[args.indexOf('--profile') + 1]) : undefined
  const gossip = { heartbeatMs: heartbeat, D, Dlo, Dhi, idontwantMinBytes, floodPublish }
  const workerArgs = (hosts: number): string => JSON.stringify({ hosts, gossip, connections: { pingIntervalMs }, copies, ...(profile === undefined ? {} : { profile }) } satisfies WorkerArgs)
  const perProc = Math.ceil(nHosts / procs)
  const script = fileURLToPath(new URL('./gossip-worker.js', import.meta.url))
  const workers = Array.from({ length: procs }, (_, w) => new Child<FromWorker, ToWorker>(fork(script, [workerArgs(Math.min(perProc, nHosts - w * perProc))], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), 'gossip worker'))
  try {
    const addrs = (await Promise.all(workers.map(async w => (await w.next('ready')).addrs))).flat()
    const targets = dial === undefined ? offsetTargets(nHosts) : randomTargets(nHosts, dial)
    workers.forEach((w, wi) => {
      const plan = Array.from({ length: Math.min(perProc, nHosts - wi * perProc) }, (_, i) => targets[wi * perProc + i].map(t => addrs[t]))
      w.send({ type: 'connect', plan, minPeers: Math.min(4, nHosts - 1) })
    })
    await Promise.all(workers.map(async w => await w.next('connected')))

    const count = Math.round(rate * seconds)
    const before = await snapshot(workers)
    const startAt = Date.now() + 300
    workers.forEach((w, wi) => { w.send({ type: 'publish', startAt, ratePerSecond: rate, count, totalHosts: nHosts, firstHost: wi * perProc, groupBytes, burst }) })
    const published = await Promise.all(workers.map(async w => await w.next('published')))
    const publishSeconds = (Date.now() - startAt) / 1000
    // Let the last groups propagate: wait until every delivery arrived, or until none arrived
    // for 10 s (what is missing then is lost, not late: a loaded machine delays deliveries by seconds), at most 60 s.
    const expectedDeliveries = published.reduce((s, p) => s + p.count, 0) * (nHosts - 1)
    let lastCount = -1
    let lastChange = Date.now()
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      workers.forEach(w => { w.send({ type: 'count' }) })
      const n = (await Promise.all(workers.map(async w => (await w.next('count')).deliveries))).reduce((a, b) => a + b, 0)
      if (n >= expectedDeliveries) break
      if (n !== lastCount) { lastCount = n; lastChange = Date.now() } else if (Date.now() - lastChange > 10_000) break
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    const after = await snapshot(workers)
    workers.forEach(w => { w.send({ type: 'results' }) })
    const results = await Promise.all(workers.map(async w => await w.next('results')))

    const payload: number[] = []
    for (const p of published) p.payloadBytes.forEach((b, k) => { if (b != null) payload[k] = b })
    const seen = new Set<string>()
    const latencies: number[] = []
    let deliveredBytes = 0
    results.forEach((r, wi) => {
      for (const [k, local, ms] of r.deliveries) {
        const key = `${k}:${wi * perProc + local}`
        if (seen.has(key)) continue
        seen.add(key)
        latencies.push(ms)
        deliveredBytes += payload[k] ?? 0
      }
    })
    const sent = published.reduce((s, p) => s + p.count, 0)
    const expected = sent * (nHosts - 1)
    const wireOut = after.bytesOut - before.bytesOut
    const gossipOut = after.gossipBytesOut - before.gossipBytesOut
    const caseName = `${nHosts}hosts_${procs}procs_${rate}gps_${groupBytes}B`
    const extra = { hosts: nHosts, procs, groups: sent, group_bytes: Math.round(deliveredBytes / Math.max(1, latencies.length)), heartbeat_ms: heartbeat, D, Dlo, Dhi, dial: dial ?? 'offsets 1,3,7,12', burst, flood_publish: floodPublish, idontwant_min_bytes: idontwantMinBytes, ping_interval_ms: pingIntervalMs }
    report({ bench: 'gossip', case: caseName, metric: 'delivered_fraction', value: latencies.length / expected, unit: 'fraction', better: 'higher', ...extra })
    report({ bench: 'gossip', case: caseName, metric: 'p50_ms', value: quantile(latencies, 0.5), unit: 'ms', better: 'lower' })
    report({ bench: 'gossip', case: caseName, metric: 'p99_ms', value: quantile(latencies, 0.99), unit: 'ms', better: 'lower' })
    report({ bench: 'gossip', case: caseName, metric: 'groups_per_s', value: sent / publishSeconds, unit: 'groups/s', better: 'higher' })
    report({ bench: 'gossip', case: caseName, metric: 'wire_amplification', value: wireOut / deliveredBytes, unit: 'bytes/byte', better: 'lower', peer: 'mesh degree D', peer_value: D })
    report({ bench: 'gossip', case: caseName, metric: 'gossip_stream_amplification', value: gossipOut / deliveredBytes, unit: 'bytes/byte', better: 'lower', peer: 'mesh degree D', peer_value: D })
    // All the hosts' CPU (publishing, forwarding, validating, heartbeats) per group delivered to one receiver.
    report({ bench: 'gossip', case: caseName, metric: 'cpu_ms_per_delivery', value: (after.cpuMs - before.cpuMs) / Math.max(1, after.deliveries - before.deliveries), unit: 'ms', better: 'lower', load: loadavg().map(v => v.toFixed(2)).join(' ') })
    if (copies) {
      const delta = (name: string): number => (after.counters[name] ?? 0) - (before.counters[name] ?? 0)
      const perDelivery = Math.max(1, after.deliveries - before.deliveries)
      // Every copy of a group that reached a host's gossipsub (first delivery, duplicates, IWANT replies).
      report({ bench: 'gossip', case: caseName, metric: 'copies_per_delivery', value: delta('gossipsub_msg_received_prevalidation_total') / perDelivery, unit: 'copies', better: 'lower', peer: 'one copy', peer_value: 1 })
      report({ bench: 'gossip', case: caseName, metric: 'duplicates_per_delivery', value: delta('gossipsub_pre_validation_duplicate_total') / perDelivery, unit: 'copies', better: 'lower' })
      report({ bench: 'gossip', case: caseName, metric: 'iwant_per_delivery', value: delta('gossipsub_rpc_sent_iwant_total') / perDelivery, unit: 'messages', better: 'lower' })
      report({ bench: 'gossip', case: caseName, metric: 'mesh_peers', value: after.meshPeers / nHosts, unit: 'peers', better: 'lower', peer: 'mesh degree D', peer_value: D })
    }
    for (const verdict of ['rejected', 'throttled', 'dropped'] as const) {
      report({ bench: 'gossip', case: caseName, metric: verdict, value: results.reduce((s, r) => s + r[verdict], 0), unit: 'messages', better: 'lower' })
    }
  } finally {
    for (const w of workers) {
      if (w.child.connected) w.send({ type: 'stop' })
    }
    await Promise.all(workers.map(async w => {
      if (w.child.exitCode !== null) return
      await Promise.race([
        new Promise(resolve => w.child.once('exit', resolve)),
        new Promise(resolve => setTimeout(resolve, 10_000)).then(() => { w.child.kill('SIGKILL') })
      ])
    }))
  }
}

/** Each host's targets: 4 others at fixed offsets, a connected, sparse graph crossing processes. */
function offsetTargets (nHosts: number): number[][] {
  const offsets = [1, 3, 7, 12].filter(o => o < nHosts)
  return Array.from({ length: nHosts }, (_, i) => offsets.map(o => (i + o) % nHosts))
}

/** Each host's targets: up to `k` random hosts started before it (seeded), as `murmur sim` dials. */
function randomTargets (nHosts: number, k: number): number[][] {
  const rng = createRng(12345)
  return Array.from({ length: nHosts }, (_, i) => rng.shuffle(Array.from({ length: i }, (_, j) => j)).slice(0, k))
}

interface Snapshot { bytesOut: number, gossipBytesOut: number, cpuMs: number, deliveries: number, counters: Record<string, number>, meshPeers: number }

async function snapshot (workers: Array<Child<FromWorker, ToWorker>>): Promise<Snapshot> {
  workers.forEach(w => { w.send({ type: 'snapshot' }) })
  const snaps = await Promise.all(workers.map(async w => await w.next('snapshot')))
  const total = (key: 'bytesOut' | 'gossipBytesOut' | 'cpuMs' | 'deliveries' | 'meshPeers'): number => snaps.reduce((s, x) => s + x[key], 0)
  const counters: Record<string, number> = {}
  for (const snap of snaps) for (const [name, v] of Object.entries(snap.counters)) counters[name] = (counters[name] ?? 0) + v
  return { bytesOut: total('bytesOut'), gossipBytesOut: total('gossipBytesOut'), cpuMs: total('cpuMs'), deliveries: total('deliveries'), counters, meshPeers: total('meshPeers') }
}

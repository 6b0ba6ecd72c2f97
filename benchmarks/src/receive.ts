/**
 * `npm run bench -- receive [--peers 15] [--rounds 20] [--reps 5]`: CPU time per received peer
 * group, end to end on the receiving node — the swarm validator's check (decode with limits,
 * task regeneration, prompt check), the receive step (pool insert of the signed bytes into a real
 * level store, the in-memory record) and the group's share of the rounds' peer sampling (draw
 * 4J + 8 candidates, local re-score, SAPO's zero-advantage filter, consume J). Gossip delivery
 * (libp2p streams, gossipsub's signature check) is excluded: one message per group on the old
 * path, one per producer and round on today's (protocol v3), which the sim bench measures.
 *
 * Peer: the path as it was before issue 18, reconstructed here so the ratio is measured in the
 * same run: the node re-encoded the decoded group as the pool payload and threw the regenerated
 * task away, and every round decoded each sampled candidate again, regenerated its task again,
 * re-checked its prompt and re-ran the verifier on every completion — for every candidate, every
 * time it was sampled. Both paths see the same groups, in the same order, with the same seeds.
 *
 * Arrivals are delivered as a node gets them: each producer's I groups at once — today as one
 * batch message, validated in one call — (the receive step does not wait for one group's pool
 * insert before taking the next), producers in turn.
 *
 * CPU time is `process.cpuUsage()` (all threads of the process, so level's I/O threads count).
 * Reps alternate the two paths, each on a fresh level store; the median per-group time is reported.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerGroups } from '@murmur/node'
import { decodeRolloutGroup, encodeRolloutBatch, encodeRolloutGroup, validateRolloutBatch, validateRolloutBytes, type RolloutGroup } from '@murmur/protocol'
import { sampleExternal } from '@murmur/rewards'
import { nodeStore, type NodeStore } from '@murmur/store'
import { createRng, createTaskSampler, hashSeeds, resolveTask, taskKey, verify, DEFAULT_TASK_MIX } from '@murmur/tasks'
import { median, report } from './report.js'

interface Options { peers: number, rounds: number, reps: number, localGroups: number, peerGroups: number, groupSize: number }

/** One arriving message: the bytes a producer signed, and who signed them. */
interface Arrival { bytes: Uint8Array, from: string }

function parseOptions (argv: string[]): Options {
  const get = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`)
    if (i < 0) return fallback
    const v = Number(argv[i + 1])
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got "${argv[i + 1]}"`)
    return v
  }
  return { peers: get('peers', 15), rounds: get('rounds', 20), reps: get('reps', 5), localGroups: 4, peerGroups: 4, groupSize: 8 }
}

/** What N − 1 peers publish over the rounds: I groups each per round, G completions, about a third correct. */
function arrivals (o: Options): Arrival[][] {
  const rng = createRng(7)
  const samplers = Array.from({ length: o.peers }, (_, p) => createTaskSampler({ seed: 1000 * (p + 1), mix: DEFAULT_TASK_MIX }))
  return Array.from({ length: o.rounds }, (_, round) => samplers.flatMap((sampler, p) => sampler.sample(round, o.localGroups).map(ref => {
    const task = resolveTask(ref)
    const group: RolloutGroup = {
      task: task.ref,
      prompt: task.prompt,
      completions: Array.from({ length: o.groupSize }, () => rng.nextFloat() < 0.35 ? task.answer : String(Math.floor(rng.nextFloat() * 1000))),
      modelId: 'murmur-gpt-d64-l2',
      round,
      scores: [],
      createdAt: Date.now()
    }
    return { bytes: encodeRolloutGroup(group), from: `peer-${p}` }
  })))
}

/**
 * A round's arrivals as they reach a node: each producer's I groups together (it publishes them
 * back to back, and gossipsub hands the node each accepted one without waiting for the last).
 */
function bursts (arriving: Arrival[]): Arrival[][] {
  const out = new Map<string, Arrival[]>()
  for (const a of arriving) out.set(a.from, [...(out.get(a.from) ?? []), a])
  return [...out.values()]
}

/** One producer's groups of a round as the message it publishes (protocol v3: one batch). */
interface BatchMessage { bytes: Uint8Array, from: string }

/** Each round's arrivals as the messages that carry them, built before any timing (the producer's cost). */
function batchMessages (traffic: Arrival[][]): BatchMessage[][] {
  return traffic.map(arriving => bursts(arriving).map(burst => ({ bytes: encodeRolloutBatch(burst.map(a => a.bytes)), from: burst[0].from })))
}

/** Today's path: net's validator on each producer's message (decode once, regenerate once per group), receive.ts's record kept at arrival, scores cached on first sample. */
async function runNew (store: NodeStore, o: Options, traffic: BatchMessage[][]): Promise<void> {
  const peers = peerGroups({ pool: store.pool })
  for (const [round, messages] of traffic.entries()) {
    for (const m of messages) {
      const v = validateRolloutBatch(m.bytes, { resolveTask, maxAgeMs: 3_600_000 })
      if (v.action !== 'accept') throw new Error(`bench message invalid: ${v.reason}`)
      // the guard's content keys and rate checks are excluded, as before; each group is received with its own bytes
      await Promise.all(v.groups.map(async g => {
        if (g.task === undefined) throw new Error(`bench group invalid: ${g.reason}`)
        await peers.receive({ bytes: Uint8Array.from(g.bytes), group: g.group, task: g.task, from: m.from, receivedAt: Date.now() })
      }))
    }
    const rng = createRng(hashSeeds(1, round))
    const candidates = await peers.sample(Math.min(peers.available(), 4 * o.peerGroups + 8), { rng })
    const picked = sampleExternal(candidates, o.peerGroups, { rng, reward: x => x.verifier })
    await peers.consume(picked.map(p => p.id))
  }
}

/** The path before issue 18 (reconstructed): re-encode at receive, decode + regenerate + re-score every candidate every round. */
async function runOld (store: NodeStore, o: Options, traffic: Arrival[][]): Promise<void> {
  for (const [round, arriving] of traffic.entries()) {
    for (const burst of bursts(arriving)) {
      await Promise.all(burst.map(async a => {
        // one group per message, as before protocol v3
        const v = validateRolloutBytes(a.bytes, { resolveTask, maxAgeMs: 3_600_000 })
        if (v.action !== 'accept' || v.group === undefined) throw new Error(`bench group invalid: ${v.reason}`)
        const group = v.group
        await store.pool.insert({ origin: 'peer', producer: a.from, family: group.task.family, taskKey: taskKey(group.task), round: group.round, payload: encodeRolloutGroup(group), completions: group.completions })
      }))
    }
    const rng = createRng(hashSeeds(1, round))
    const available = store.pool.stats().peer
    const entries = await store.pool.sample(Math.min(available, 4 * o.peerGroups + 8), { rng, origin: 'peer' })
    const candidates = []
    for (const entry of entries) {
      const group = decodeRolloutGroup(entry.payload)
      const task = resolveTask(group.task)
      if (task.prompt !== group.prompt || taskKey(task.ref) !== entry.taskKey) continue
      candidates.push({ entry, verifier: group.completions.map(t => verify(task, t).score) })
    }
    const picked = sampleExternal(candidates, o.peerGroups, { rng, reward: x => x.verifier })
    for (const p of picked) await store.pool.delete(p.entry.id)
  }
}

/** CPU ms per received group of one path on a fresh level store. */
async function measure<T> (path: (store: NodeStore, o: Options, traffic: T) => Promise<void>, o: Options, traffic: T, groups: number, base: string, label: string): Promise<number> {
  const dir = await mkdtemp(join(base, label))
  const store = nodeStore({ dir, pool: { maxEntries: 4096, maxBytes: 64 * 1024 * 1024, ttlMs: 3_600_000 } })
  await store.start()
  try {
    const before = process.cpuUsage()
    await path(store, o, traffic)
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1000 / groups
  } finally {
    await store.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Runs the benchmark. */
export default async function run (argv: string[]): Promise<void> {
  const o = parseOptions(argv)
  const traffic = arrivals(o)
  const groups = traffic.reduce((n, r) => n + r.length, 0)
  const bytes = traffic.flat().reduce((n, a) => n + a.bytes.length, 0) / groups
  const messages = batchMessages(traffic)
  const base = await mkdtemp(join(tmpdir(), 'murmur-bench-receive-'))
  try {
    // Warm-up of both paths (JIT, level), then alternating reps so machine drift cancels.
    await measure(runNew, o, messages, groups, base, 'warm-new-')
    await measure(runOld, o, traffic, groups, base, 'warm-old-')
    const now: number[] = []
    const before: number[] = []
    for (let r = 0; r < o.reps; r++) {
      now.push(await measure(runNew, o, messages, groups, base, 'new-'))
      before.push(await measure(runOld, o, traffic, groups, base, 'old-'))
    }
    report({
      bench: 'receive',
      case: `n${o.peers + 1}`,
      metric: 'cpu_ms_per_group',
      value: median(now),
      unit: 'ms',
      better: 'lower',
      peer: 'pre-issue-18 path',
      peer_value: median(before),
      target: 0.5,
      groups_per_rep: groups,
      mean_group_bytes: Math.round(bytes),
      i: o.localGroups,
      j: o.peerGroups,
      g: o.groupSize,
      reps: o.reps,
      min: Math.min(...now),
      max: Math.max(...now),
      peer_min: Math.min(...before),
      peer_max: Math.max(...before),
      excludes: 'gossip delivery (streams, gossipsub signature check)',
      delivery: 'each producer\'s I groups at once (one message on today\'s path, I before), producers in turn'
    })
  } finally {
    await rm(base, { recursive: true, force: true })
  }
}

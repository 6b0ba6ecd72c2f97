// murmur's own Prometheus metrics for one node, in a registry of its own (several nodes may
// share a process), together with libp2p's and gossipsub's. Round metrics are recorded from the
// node's events; pool, peer and network state is read from the node when scraped.
import type { SwarmHostMetrics } from '@murmur/net'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { AGE_ROUNDS_BUCKETS, AGE_SECONDS_BUCKETS, EVENT_LOOP_SAMPLE_MS, SECONDS_BUCKETS, STATS_REFRESH_MS } from './constants.js'
import { gossipsubRegister } from './gossipsub.js'
import { libp2pMetrics } from './libp2p.js'
import { trackNode, type ObservedNode } from './tracker.js'
import type { NodeLive } from './view.js'

/** Options of `createNodeMetrics`. Every field is optional. */
export interface NodeMetricsInit {
  /** libp2p's metrics (@libp2p/prometheus-metrics). Default true. */
  libp2p?: boolean
  /** gossipsub's own metrics. Default true. */
  gossipsub?: boolean
  /** prom-client's process and Node.js runtime metrics (CPU, GC, event loop lag). Default true. */
  defaultMetrics?: boolean
  /** Wall clock; default `Date.now`. */
  now?: () => number
}

/** Identity labels of `murmur_node_info`. */
export interface NodeInfoLabels {
  peerId: string
  swarmId: string
  modelId: string
}

/** One node's metrics. */
export interface NodeMetrics {
  /** The node's own registry (never prom-client's global one). */
  readonly registry: Registry
  /** Pass to `createSwarmNode(config, { netMetrics })` so libp2p and gossipsub report here. */
  readonly netMetrics: SwarmHostMetrics
  /** Starts recording `node`'s rounds and reading its live state when scraped; returns a function that stops. */
  observe(node: ObservedNode): () => void
  /** Sets `murmur_node_info`. */
  setInfo(info: NodeInfoLabels): void
  /** Records a held-out evaluation made outside a round (e.g. before the first one). */
  recordEval(accuracy: number): void
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>
  /** Content type of `render()`'s output. */
  readonly contentType: string
}

const PHASES = ['generate', 'score', 'train'] as const

/** Creates the registry and every metric of one node. */
export async function createNodeMetrics (init: NodeMetricsInit = {}): Promise<NodeMetrics> {
  const now = init.now ?? Date.now
  const registry = new Registry()
  const registers = [registry]
  // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: a timer 100 times a second in
  // every node process costs more than coarser lag samples are worth here.
  if (init.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS })
  const counter = (name: string, help: string, labelNames: string[] = []): Counter => new Counter({ name, help, labelNames, registers })
  const histogram = (name: string, help: string, buckets: number[], labelNames: string[] = []): Histogram => new Histogram({ name, help, buckets, labelNames, registers })

  // Live state is read once per scrape (every collect callback asks; the first one reads).
  let source: (() => NodeLive | undefined) | undefined
  let cached: { at: number, live: NodeLive | undefined } | undefined
  const live = (): NodeLive | undefined => {
    if (cached === undefined || now() - cached.at > STATS_REFRESH_MS) cached = { at: now(), live: source?.() }
    return cached.live
  }
  const gauge = (name: string, help: string, read?: (l: NodeLive, g: Gauge) => void, labelNames: string[] = []): Gauge => new Gauge({
    name,
    help,
    labelNames,
    registers,
    ...(read === undefined ? {} : { collect (this: Gauge) { const l = live(); if (l !== undefined) read(l, this) } })
  })
  // Counters mirrored from the host's cumulative totals: add what grew since the last scrape.
  const seen = new Map<string, number>()
  const mirror = (c: Counter, key: string, value: number, labels: Record<string, string> = {}): void => {
    const delta = value - (seen.get(key) ?? 0)
    if (delta > 0) { c.inc(labels, delta); seen.set(key, value) }
  }
  const mirrored = (name: string, help: string, read: (l: NodeLive, c: Counter) => void, labelNames: string[] = []): Counter => new Counter({
    name, help, labelNames, registers, collect (this: Counter) { const l = live(); if (l !== undefined) read(l, this) }
  })

  const info = gauge('murmur_node_info', 'Identity of this node (value 1)', undefined, ['peer_id', 'swarm_id', 'model_id'])
  const rounds = counter('murmur_rounds_total', 'Rounds completed')
  const roundSeconds = histogram('murmur_round_seconds', 'Duration of a round (generate, score, train; checkpoint excluded)', SECONDS_BUCKETS)
  const phaseSeconds = histogram('murmur_round_phase_seconds', 'Duration of each phase of a round', SECONDS_BUCKETS, ['phase'])
  const checkpointSeconds = histogram('murmur_checkpoint_seconds', 'Duration of writing a checkpoint', SECONDS_BUCKETS)
  const reward = gauge('murmur_reward', 'Mean verifier reward of the last round\'s own sampled completions')
  const accuracy = gauge('murmur_accuracy', 'Fraction of the last round\'s own sampled completions that were fully correct')
  const shaped = gauge('murmur_shaped_reward', 'Mean shaped reward over the last training batch')
  const evalAccuracy = gauge('murmur_eval_accuracy', 'Held-out greedy accuracy at the last evaluation')
  const loss = gauge('murmur_train_loss', 'Loss of the last train step')
  const gradNorm = gauge('murmur_train_grad_norm', 'Gradient norm (before clipping) of the last train step')
  const kl = gauge('murmur_train_kl', 'Approximate KL between the sampling and the updated policy at the last train step')
  const clip = gauge('murmur_train_clip_fraction', 'Fraction of tokens whose ratio was clipped at the last train step')
  const entropy = gauge('murmur_train_entropy', 'Mean token entropy at the last train step')
  const rollouts = counter('murmur_rollouts_total', 'Completions generated')
  const tokens = counter('murmur_generated_tokens_total', 'Completion tokens generated')
  const published = counter('murmur_groups_published_total', 'Own groups published to the swarm')
  const received = counter('murmur_groups_received_total', 'Peer groups that passed validation and entered the pool')
  const used = counter('murmur_groups_used_total', 'Groups in training batches, by origin', ['origin'])
  const filtered = counter('murmur_groups_filtered_total', 'Groups dropped before training because their shaped rewards were all equal')
  const zeroAdv = counter('murmur_peer_groups_zero_advantage_total', 'Peer candidates dropped because their locally re-scored advantage was zero')
  const ageSeconds = histogram('murmur_peer_group_age_seconds', 'Time peer groups spent in the pool before being used', AGE_SECONDS_BUCKETS)
  const ageRounds = histogram('murmur_peer_group_age_rounds', 'Rounds between a peer group\'s production and its use here', AGE_ROUNDS_BUCKETS)
  mirrored('murmur_groups_accepted_total', 'Gossip messages that passed validation', (l, c) => { mirror(c, 'accepted', l.totals.accepted) })
  mirrored('murmur_groups_ignored_total', 'Gossip messages dropped without penalty (unknown task, stale, duplicate, replay, …)', (l, c) => { mirror(c, 'ignored', l.totals.ignored) })
  mirrored('murmur_groups_rejected_total', 'Gossip messages rejected as invalid (the sender is penalized)', (l, c) => { mirror(c, 'rejected', l.totals.rejected) })
  mirrored('murmur_groups_dropped_total', 'Gossip messages not validated (inbound queue full, or the neighbour graylisted)', (l, c) => { mirror(c, 'dropped', l.totals.dropped) })
  mirrored('murmur_groups_refused_total', 'Gossip messages not accepted, by reason (a bounded set: validation reasons, duplicate, replay-horizon, origin-rate, neighbour-rate, queue-full, …)', (l, c) => {
    for (const [reason, n] of Object.entries(l.reasons)) mirror(c, `refused:${reason}`, n, { reason })
  }, ['reason'])
  mirrored('murmur_groups_throttled_total', 'Valid gossip messages over their origin\'s rate limit', (l, c) => { mirror(c, 'throttled', l.totals.throttled) })
  mirrored('murmur_network_bytes_total', 'Bytes on the wire, all libp2p connections', (l, c) => {
    mirror(c, 'bytes:in', l.bytes.in, { direction: 'in' })
    mirror(c, 'bytes:out', l.bytes.out, { direction: 'out' })
  }, ['direction'])
  gauge('murmur_pool_groups', 'Groups in the rollout pool, by origin', (l, g) => { g.set({ origin: 'peer' }, l.pool.peerGroups); g.set({ origin: 'local' }, l.pool.groups - l.pool.peerGroups) }, ['origin'])
  gauge('murmur_pool_bytes', 'Bytes of the groups in the rollout pool', (l, g) => { g.set(l.pool.bytes) })
  gauge('murmur_pool_oldest_age_seconds', 'Age of the oldest group in the rollout pool', (l, g) => { g.set(l.pool.oldestAgeSeconds) })
  gauge('murmur_peers', 'Swarm peers subscribed to the rollout topic', (l, g) => { g.set(l.peers) })
  gauge('murmur_mesh_peers', 'Peers in this node\'s gossip mesh for the rollout topic', (l, g) => { g.set(l.meshPeers) })
  gauge('murmur_connections', 'Open libp2p connections', (l, g) => { g.set(l.connections) })
  // Read at every scrape, with or without an observed node (a bootstrap peer has none).
  new Gauge({
    name: 'murmur_process_memory_bytes',
    help: 'Memory of this process, by kind',
    labelNames: ['kind'],
    registers,
    collect (this: Gauge) {
      const m = process.memoryUsage()
      this.set({ kind: 'rss' }, m.rss)
      this.set({ kind: 'heap_used' }, m.heapUsed)
      this.set({ kind: 'external' }, m.external)
    }
  })

  const setFinite = (g: Gauge, v: number): void => { if (Number.isFinite(v)) g.set(v) }
  const netMetrics: SwarmHostMetrics = {
    ...(init.libp2p === false ? {} : { libp2p: await libp2pMetrics(registry) }),
    ...(init.gossipsub === false ? {} : { gossipsub: gossipsubRegister(registry) })
  }
  return {
    registry,
    netMetrics,
    contentType: registry.contentType,
    observe (node) {
      const tracker = trackNode(node, { now })
      source = () => node.isStarted() ? tracker.live() : undefined
      cached = undefined
      const off = [
        node.events.on('round:completed', e => {
          const m = e.detail
          rounds.inc()
          roundSeconds.observe(m.timings.roundMs / 1000)
          phaseSeconds.observe({ phase: PHASES[0] }, m.timings.generateMs / 1000)
          phaseSeconds.observe({ phase: PHASES[1] }, m.timings.scoreMs / 1000)
          phaseSeconds.observe({ phase: PHASES[2] }, m.timings.trainMs / 1000)
          setFinite(reward, m.reward)
          setFinite(accuracy, m.accuracy)
          setFinite(shaped, m.shapedReward)
          if (m.evalAccuracy !== undefined) setFinite(evalAccuracy, m.evalAccuracy)
          setFinite(loss, m.loss)
          setFinite(gradNorm, m.gradNorm)
          setFinite(kl, m.kl)
          setFinite(clip, m.clipFraction)
          setFinite(entropy, m.entropy)
          rollouts.inc(m.rollouts)
          tokens.inc(m.generatedTokens)
          published.inc(m.published)
          used.inc({ origin: 'local' }, m.localGroups)
          used.inc({ origin: 'peer' }, m.peerGroupsUsed)
          filtered.inc(m.groupsFiltered)
          zeroAdv.inc(m.peerGroupsZeroAdvantage)
          for (const u of m.peerGroupsFrom) {
            if (u.ageSeconds !== undefined) ageSeconds.observe(u.ageSeconds)
            ageRounds.observe(Math.max(0, u.ageRounds))
          }
        }),
        node.events.on('checkpoint:saved', e => { checkpointSeconds.observe(e.detail.ms / 1000) }),
        node.events.on('group:received', () => { received.inc() })
      ]
      return () => {
        for (const f of off) f()
        tracker.stop()
        source = undefined
        cached = undefined
      }
    },
    setInfo (labels) {
      info.reset()
      info.set({ peer_id: labels.peerId, swarm_id: labels.swarmId, model_id: labels.modelId }, 1)
    },
    recordEval (value) { setFinite(evalAccuracy, value) },
    async render () { return await registry.metrics() }
  }
}

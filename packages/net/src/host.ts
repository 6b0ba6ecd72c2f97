// The swarm host: one libp2p node subscribed to the swarm's rollout topic (or, in a sharded
// swarm, to the shards it reads; it publishes on its home shard — shards.ts). A message is one
// producer's batch of groups (normally a round's: one signature and one delivery for all of
// them). Every inbound message passes the local graylist, its framing check, and the fair inbound
// queue (one FIFO per neighbour, bounded in groups), then protocol validation (decode limits,
// task regeneration, prompt check, for every group: one bad group rejects the message), then the
// inbound guard (replay and cross-origin dedupe, per-origin and per-neighbour limits counted in
// groups, all of the message's usable groups or none), and only then reaches the application as
// one `rollout:received` per group — with the group's exact bytes as the producer signed them,
// the decoded group and the regenerated task, so the application decodes and regenerates nothing
// again. Verdicts go back to gossipsub so that invalid senders lose score and stop being heard.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import {
  NotStartedError, TypedEventEmitter, abortReason, sleep, throwIfAborted, type AbortOptions, type Startable
} from '@murmur/interface'
import {
  InvalidRolloutError, decodeReason, decodeRolloutBatch, encodeRolloutGroup, packRolloutBatches, validateBatchEntries, validateGroup, type BatchGroupValidation,
  type ResolvedTask, type RolloutGroup
} from '@murmur/protocol'
import type { ByteCounts } from './byte-counter.js'
import { resolveSwarmConfig, type SwarmHostConfig, type SwarmHostInit } from './config.js'
import { WAIT_POLL_MS } from './constants.js'
import { DialError, PublishError } from './errors.js'
import { loadOrCreateIdentity } from './identity.js'
import { InboundQueue } from './inbound-queue.js'
import { Joiner, type JoinEvent } from './join.js'
import { libp2pOptions, type SwarmServices } from './libp2p-options.js'
import { GRAYLISTED, InboundGuard, type PeerStats, type Verdict } from './inbound-guard.js'
import { watchLinks } from './links.js'
import { connectionKind, reachabilityOf, type Reachability } from './reachability.js'
import { homeShardOf, readShards } from './shards.js'
import { matchSwarm, swarmProtocol } from './swarm-protocol.js'

/** A validated group from a peer. */
export interface RolloutReceived {
  /** The message bytes exactly as the producer signed them (`group` is their decoding). */
  bytes: Uint8Array
  group: RolloutGroup
  /** The task regenerated locally from `group.task` (its answer is trustworthy, the group's scores are not). */
  task: ResolvedTask
  /** Peer id of the signed origin (the producer). */
  from: string
  /** Peer id of the neighbour that forwarded it to us. */
  via: string
  /** Local arrival time, ms since the epoch. */
  receivedAt: number
}

export type { PeerStats } from './inbound-guard.js'

/** Events of a swarm host. */
export interface SwarmHostEvents extends Record<string, unknown> {
  'rollout:received': RolloutReceived
  /** A peer subscribed to this swarm's rollout topic. */
  'peer:joined': { peerId: string }
  /** A swarm peer unsubscribed or disconnected. */
  'peer:left': { peerId: string }
  /** Joining: joined, re-joined, degraded (bootstrap gone but peers left) or failed (with a diagnosis). */
  'join:status': JoinEvent
  /** The host's reachability (public / relayed / private) changed. */
  'reachability:changed': Reachability
  /** A neighbour we reached only through a relay is now also connected directly (DCUtR hole punch). */
  'connection:upgraded': { peerId: string }
}

/** A snapshot of a host's counters. */
export interface SwarmStats extends ByteCounts {
  /** Per neighbour (peer id) that sent us messages; the most recent `MAX_TRACKED_PEERS`. */
  peers: Record<string, PeerStats>
  totals: PeerStats
  /** Messages not accepted, per reason: validation reasons (`unknown-task`, `decode:bytes`, …), `duplicate`, `replay-horizon`, `new-origin`, `origin-rate`, `neighbour-rate`, `own-origin`, `queue-full`, `graylisted`, `unsigned`. */
  reasons: Record<string, number>
  /** Groups this host published. */
  published: number
  /** Groups waiting in the inbound queue (a message weighs its groups). */
  queued: number
}

/** Options of `waitForPeers`. */
export interface WaitForPeersOptions extends AbortOptions {
  /** Also wait until the gossip mesh holds min(n, mesh low-water mark) peers. Default true. */
  mesh?: boolean
}

/** One group to publish. */
export interface OutgoingGroup {
  group: RolloutGroup
  /** The group's task as the caller resolved it; saves regenerating it for the pre-publish check. */
  task?: ResolvedTask
}

/** What `SwarmHost.publish` sent. */
export interface PublishResult {
  /** Peers the messages were sent to (the fewest over the messages, when there were several). */
  recipients: number
  /** Gossip messages published: one, unless the groups exceed one message's limits. */
  messages: number
}

/** A libp2p host gossiping rollout groups within one swarm. */
export interface SwarmHost extends Startable, TypedEventEmitter<SwarmHostEvents> {
  /** The resolved configuration. */
  readonly config: SwarmHostConfig
  /** The topic this host publishes on: `/murmur/<swarm-id>/rollouts/<version>`, or its home shard's. Throws NotStartedError before the first start when the home shard comes from the peer id. */
  readonly topic: string
  /** The topics this host reads (its home shard first); throws like `topic`. */
  readonly topics: readonly string[]
  /** This host's peer id (known from the first `start()` on, also after `stop()`). */
  peerId(): string
  /** Addresses this host listens on, each ending in `/p2p/<peer-id>`. */
  multiaddrs(): string[]
  /** Connects to a peer by multiaddr; throws DialError. */
  dial(address: string, options?: AbortOptions): Promise<void>
  /**
   * Validates and encodes groups (normally a round's) and publishes them together, as one
   * message unless they exceed `MAX_BATCH_GROUPS` / `MAX_BATCH_BYTES`. Throws
   * InvalidRolloutError when peers would reject any of them (nothing is sent), PublishError when
   * gossipsub fails.
   */
  publish(groups: readonly OutgoingGroup[], options?: AbortOptions): Promise<PublishResult>
  /** Peer ids subscribed to any of this swarm's topics (any shard). */
  peers(): string[]
  /**
   * The fewest connected swarm peers subscribed to any one topic this host reads: the peers it
   * gossips with (unsharded: `peers().length`). Joining keeps dialling while it is below the
   * wanted peer count, so a sharded host looks for peers of every shard it reads.
   */
  gossipPeers(): number
  /** Resolves once at least `n` peers are subscribed to the topics this host reads (and in its home topic's mesh, by default). */
  waitForPeers(n: number, options?: WaitForPeersOptions): Promise<void>
  /** gossipsub's current score of a peer. */
  score(peerId: string): number
  /** Counters: verdicts per neighbour, bytes in/out. */
  stats(): SwarmStats
  /** Whether peers can reach this host (public, relayed, private) and its connections by kind. */
  reachability(): Reachability
  /** The underlying libp2p node, for diagnostics and tests (undefined when stopped). */
  readonly libp2p: Libp2p<SwarmServices> | undefined
}

/** A group's id in delivery logs: origin, round and task seed (what a test matches publish to delivery by). */
function groupId (origin: string, group: RolloutGroup): string {
  return `${origin}/${group.round}/${group.task.family}/${String(group.task.seed)}`
}

class SwarmHostImpl extends TypedEventEmitter<SwarmHostEvents> implements SwarmHost {
  readonly config: SwarmHostConfig
  private node?: Libp2p<SwarmServices>
  private queue?: InboundQueue
  private readonly guard: InboundGuard
  private readonly counts: ByteCounts = { bytesIn: 0, bytesOut: 0, gossipBytesIn: 0, gossipBytesOut: 0 }
  private readonly accepted = new WeakMap<Message, Array<Omit<RolloutReceived, 'receivedAt'>>>()
  /** Per swarm peer, the swarm topics (shards) it subscribes to. */
  private readonly swarmPeers = new Map<string, Set<string>>()
  private readTopics?: readonly string[]
  private published = 0
  private id?: string
  private detach: Array<() => void> = []
  private joiner?: Joiner
  private lastReachability?: string

  private readonly gossipLog: SwarmHostConfig['logger']

  constructor (init: SwarmHostInit) {
    super()
    this.config = resolveSwarmConfig(init)
    this.gossipLog = this.config.logger.child('gossip')
    const c = this.config
    if (c.homeShard !== undefined || c.shardCount === 1) this.readTopics = this.shardTopicsFrom(c.homeShard ?? 0)
    this.guard = new InboundGuard({
      origin: { groupsPerSecond: c.groupsPerSecond, burst: c.burst },
      neighbour: { groupsPerSecond: c.neighbourGroupsPerSecond, burst: c.neighbourBurst, newOriginsPerMinute: c.newOriginsPerMinute, newOriginBurst: c.newOriginBurst },
      replay: { windowMs: c.replayWindowMs, maxEntries: c.maxSeenGroups },
      now: c.now
    })
  }

  get libp2p (): Libp2p<SwarmServices> | undefined { return this.node }

  get topic (): string { return this.topics[0] }

  get topics (): readonly string[] {
    if (this.readTopics === undefined) throw new NotStartedError('SwarmHost')
    return this.readTopics
  }

  private shardTopicsFrom (home: number): readonly string[] {
    const c = this.config
    return readShards(home, c.shardsRead, c.shardCount).map(k => c.topics[k])
  }

  isStarted (): boolean { return this.node !== undefined }

  async start (): Promise<void> {
    if (this.node !== undefined) return
    const c = this.config
    const key = c.privateKey ?? (c.dataDir !== undefined ? await loadOrCreateIdentity(c.dataDir) : await generateKeyPair('Ed25519'))
    const node = await createLibp2p(libp2pOptions(c, key, this.counts, peer => this.guard.penalty(peer), () => this.inboundConnections()))
    this.queue = new InboundQueue({ capacity: c.maxInboundQueue, perKey: c.maxQueuedPerNeighbour })
    const pubsub = node.services.pubsub
    const topics = this.shardTopicsFrom(c.homeShard ?? homeShardOf(node.peerId.toString(), c.shardCount))
    this.readTopics = topics
    for (const t of topics) pubsub.topicValidators.set(t, async (from, msg) => await this.validate(from, msg))
    const onMessage = (evt: CustomEvent<Message>): void => { this.deliver(evt.detail) }
    const onSubscription = (evt: CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
      for (const s of evt.detail.subscriptions) {
        if (c.topics.includes(s.topic)) this.setMember(evt.detail.peerId.toString(), s.topic, s.subscribe)
      }
    }
    const onDisconnect = (evt: CustomEvent<PeerId>): void => { this.setMember(evt.detail.toString(), undefined, false) }
    // A peer of another swarm (or wire version) is no use to us: hang up once identify says so.
    const onIdentify = (evt: CustomEvent<{ peerId: PeerId, protocols: string[] }>): void => {
      const verdict = matchSwarm(evt.detail.protocols, c.swarmId).verdict
      if (verdict === 'wrong-swarm-id' || verdict === 'wrong-protocol-version') void node.hangUp(evt.detail.peerId).catch(() => {})
    }
    const onSelfUpdate = (): void => { this.checkReachability() }
    pubsub.addEventListener('message', onMessage)
    pubsub.addEventListener('subscription-change', onSubscription)
    node.addEventListener('peer:disconnect', onDisconnect)
    node.addEventListener('peer:identify', onIdentify)
    node.addEventListener('self:peer:update', onSelfUpdate)
    this.detach = [
      () => { pubsub.removeEventListener('message', onMessage) },
      () => { pubsub.removeEventListener('subscription-change', onSubscription) },
      () => { node.removeEventListener('peer:disconnect', onDisconnect) },
      watchLinks(node, { relay: c.relay, swarmId: c.swarmId, logger: c.logger.child('links'), onUpgraded: peerId => { this.emit('connection:upgraded', { peerId }) } }),
      () => { node.removeEventListener('peer:identify', onIdentify) },
      () => { node.removeEventListener('self:peer:update', onSelfUpdate) }
    ]
    // Announced through identify: lets peers tell our swarm id and wire version (see swarm-protocol.ts).
    await node.handle(swarmProtocol(c.swarmId), stream => { void stream.close().catch(() => {}) }, { runOnLimitedConnection: true })
    for (const t of topics) pubsub.subscribe(t)
    this.node = node
    this.id = node.peerId.toString()
    if (c.bootstrap.length > 0 || c.bootstrapUrls.length > 0) {
      this.joiner = new Joiner({
        libp2p: node,
        swarmId: c.swarmId,
        bootstrap: c.bootstrap,
        bootstrapUrls: c.bootstrapUrls,
        psk: c.psk,
        swarmPeers: () => this.gossipPeers(),
        onEvent: e => { this.emit('join:status', e) },
        logger: c.logger.child('join')
      }, c.join)
      this.joiner.start()
    }
    c.logger('started', { peerId: node.peerId.toString(), topic: this.topic, reads: topics, addrs: this.multiaddrs() })
    this.checkReachability()
  }

  reachability (): Reachability { return reachabilityOf(this.started(), this.config.publicOnly) }

  private checkReachability (): void {
    if (this.node === undefined) return
    const r = reachabilityOf(this.node, this.config.publicOnly)
    const key = `${r.status} ${r.addresses.join(',')}`
    if (key === this.lastReachability) return
    this.lastReachability = key
    this.emit('reachability:changed', r)
  }

  async stop (): Promise<void> {
    const node = this.node
    if (node === undefined) return
    this.node = undefined
    await this.joiner?.stop()
    this.joiner = undefined
    this.queue?.close()
    for (const d of this.detach.splice(0)) d()
    for (const t of this.topics) node.services.pubsub.topicValidators.delete(t)
    await node.stop()
    this.swarmPeers.clear()
    this.lastReachability = undefined
    this.guard.clear()
  }

  peerId (): string {
    if (this.id === undefined) throw new NotStartedError('SwarmHost')
    return this.id
  }

  multiaddrs (): string[] { return this.started().getMultiaddrs().map(String) }

  async dial (address: string, options: AbortOptions = {}): Promise<void> {
    const node = this.started()
    try {
      await node.dial(multiaddr(address), { signal: options.signal })
    } catch (err) {
      if (options.signal?.aborted === true) throw abortReason(options.signal)
      throw new DialError(address, { cause: err })
    }
  }

  async publish (groups: readonly OutgoingGroup[], options: AbortOptions = {}): Promise<PublishResult> {
    const node = this.started()
    throwIfAborted(options.signal)
    if (groups.length === 0) throw new InvalidRolloutError('groups', 'nothing to publish')
    const c = this.config
    const encoded = groups.map(({ group, task }, i) => {
      const bytes = encodeRolloutGroup(group)
      // Never publish what peers would reject (and penalize us for).
      const verdict = validateGroup(group, { resolveTask: task === undefined ? c.resolveTask : () => task, now: c.now(), maxAgeMs: c.maxAgeMs })
      if (verdict.action === 'reject') throw new InvalidRolloutError(`groups.${i}`, `peers would reject it: ${verdict.reason}`)
      return bytes
    })
    let recipients = Number.POSITIVE_INFINITY
    const messages = packRolloutBatches(encoded)
    try {
      for (const message of messages) {
        const result = await node.services.pubsub.publish(this.topic, message)
        recipients = Math.min(recipients, result.recipients.length)
      }
    } catch (err) {
      throw new PublishError(`could not publish on ${this.topic}`, { cause: err })
    }
    this.published += groups.length
    for (const { group } of groups) {
      if (this.gossipLog.enabled) this.gossipLog('published', { id: groupId(this.peerId(), group), recipients })
      // a copy of our own content re-signed by another key is a duplicate, not a peer group
      this.guard.remember(group)
    }
    return { recipients, messages: messages.length }
  }

  peers (): string[] { return [...this.swarmPeers.keys()] }

  gossipPeers (): number {
    const subscribers = this.topics.map(() => 0)
    for (const topics of this.swarmPeers.values()) this.topics.forEach((t, k) => { if (topics.has(t)) subscribers[k]++ })
    return Math.min(...subscribers)
  }

  async waitForPeers (n: number, options: WaitForPeersOptions = {}): Promise<void> {
    const wantMesh = options.mesh ?? true
    for (;;) {
      const pubsub = this.started().services.pubsub
      const subscribers = new Set(this.topics.flatMap(t => pubsub.getSubscribers(t).map(String))).size
      const meshWanted = Math.min(n, this.config.meshDegreeLow)
      if (subscribers >= n && (!wantMesh || pubsub.getMeshPeers(this.topic).length >= meshWanted)) return
      await sleep(WAIT_POLL_MS, options)
    }
  }

  score (peerId: string): number { return this.started().services.pubsub.getScore(peerId) }

  stats (): SwarmStats {
    return { ...this.counts, ...this.guard.stats(), published: this.published, queued: this.queue?.size ?? 0 }
  }

  private inboundConnections (): number {
    return this.node?.getConnections().filter(conn => conn.direction === 'inbound').length ?? 0
  }

  private started (): Libp2p<SwarmServices> {
    if (this.node === undefined) throw new NotStartedError('SwarmHost')
    return this.node
  }

  private count (via: string, verdict: Verdict, reason: string, groups = 1): void {
    this.guard.record(via, verdict, reason, groups)
  }

  private async validate (source: PeerId, msg: Message): Promise<TopicValidatorResult> {
    const via = source.toString()
    // StrictSign already refuses unsigned messages; this keeps the origin typed.
    if (msg.type !== 'signed') {
      this.count(via, 'rejected', 'unsigned')
      return TopicValidatorResult.Reject
    }
    if (this.guard.blocked(via)) {
      this.count(via, 'dropped', GRAYLISTED)
      return TopicValidatorResult.Ignore
    }
    // The framing alone (no group decoded yet) gives the message's weight in the queue: its groups.
    let entries: Uint8Array[]
    try {
      entries = decodeRolloutBatch(msg.data)
    } catch (err) {
      const reason = decodeReason(err)
      this.count(via, 'rejected', reason)
      this.config.logger('rejected message', { from: msg.from.toString(), via, reason })
      return TopicValidatorResult.Reject
    }
    const verdict = await this.queue?.run(via, entries.length, () => this.check(entries, msg.from.toString(), via, msg))
    if (verdict === undefined) {
      this.count(via, 'dropped', 'queue-full')
      return TopicValidatorResult.Ignore
    }
    return verdict
  }

  private check (entries: readonly Uint8Array[], from: string, via: string, msg: Message): TopicValidatorResult {
    const c = this.config
    // Rejects counted while this message waited may have graylisted its neighbour.
    if (this.guard.blocked(via)) {
      this.count(via, 'dropped', GRAYLISTED)
      return TopicValidatorResult.Ignore
    }
    const result = validateBatchEntries(entries, { resolveTask: c.resolveTask, now: c.now(), maxAgeMs: c.maxAgeMs })
    if (result.action === 'reject') {
      this.count(via, 'rejected', result.reason)
      c.logger('rejected message', { from, via, reason: result.reason })
      return TopicValidatorResult.Reject
    }
    // gossipsub does not refuse messages claiming our own origin (a replay of our own groups after its seen-cache TTL)
    if (from === this.id) {
      this.count(via, 'ignored', 'own-origin')
      return TopicValidatorResult.Ignore
    }
    for (const g of result.groups) {
      if (g.action === 'accept') continue
      this.count(via, 'ignored', g.reason)
      c.logger.trace('ignored group', { from, via, reason: g.reason })
    }
    const usable = result.groups.filter((g): g is BatchGroupValidation & { task: ResolvedTask } => g.action === 'accept' && g.task !== undefined)
    if (usable.length === 0) return TopicValidatorResult.Ignore
    const refusal = this.guard.admit(usable.map(g => g.group), from, via)
    if (refusal !== undefined) {
      this.count(via, refusal.verdict, refusal.reason, usable.length)
      return TopicValidatorResult.Ignore
    }
    this.count(via, 'accepted', 'ok', usable.length)
    // Copies: each group's bytes are a view into the whole RPC frame, which the receiver would otherwise keep alive.
    this.accepted.set(msg, usable.map(g => ({ bytes: Uint8Array.from(g.bytes), group: g.group, task: g.task, from, via })))
    return TopicValidatorResult.Accept
  }

  private deliver (msg: Message): void {
    if (!this.topics.includes(msg.topic)) return
    const accepted = this.accepted.get(msg)
    if (accepted === undefined) return
    this.accepted.delete(msg)
    const receivedAt = this.config.now()
    for (const received of accepted) {
      if (this.gossipLog.enabled && this.node !== undefined) {
        const path = received.via !== received.from ? 'forwarded' : connectionKind(this.node, msg.type === 'signed' ? msg.from : undefined)
        this.gossipLog('delivered', { id: groupId(received.from, received.group), via: received.via, path })
      }
      this.emit('rollout:received', { ...received, receivedAt })
    }
  }

  /** Records a peer's (un)subscription to a swarm topic (`topic` undefined: every topic, on disconnect); a peer is a swarm member while it subscribes to any. */
  private setMember (peerId: string, topic: string | undefined, subscribed: boolean): void {
    const topics = this.swarmPeers.get(peerId)
    if (subscribed && topic !== undefined) {
      if (topics !== undefined) { topics.add(topic); return }
      this.swarmPeers.set(peerId, new Set([topic]))
      this.emit('peer:joined', { peerId })
      return
    }
    if (topics === undefined) return
    if (topic !== undefined) topics.delete(topic)
    if (topic !== undefined && topics.size > 0) return
    this.swarmPeers.delete(peerId)
    this.emit('peer:left', { peerId })
  }
}

/** Creates a swarm host; call `start()` to bring it up. Throws InvalidArgumentError for a bad config. */
export function createSwarmHost (init: SwarmHostInit): SwarmHost {
  return new SwarmHostImpl(init)
}

// Joining and staying in the swarm. Every bootstrap multiaddr and every bootstrap URL is tried
// at once (one slow bootnode never holds up the others); a URL yields a list of recently seen
// peers, a few of which are dialled. Each connection is checked against our swarm id and
// protocol version (identify's protocol list) before it counts. While the host has fewer swarm
// peers than `minPeers` this repeats with exponential back-off and jitter; once joined it is
// re-checked every `checkIntervalMs`, so a node that lost its peers re-bootstraps by itself.
// When nothing lets us in, the diagnosis names every address tried and why it failed.
import { peerIdFromString } from '@libp2p/peer-id'
import { getNetConfig } from '@libp2p/utils'
import type { PeerId } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { sleep, type Logger } from '@murmur/interface'
import { DEFAULT_MIN_PEERS } from './constants.js'
import { fetchBootstrapList } from './bootstrap-list.js'
import { classifyDialError, formatDiagnosis, PROBED_REASONS, refineWithProbe, type JoinAttempt } from './diagnosis.js'
import { probePnet } from './pnet-probe.js'
import { matchSwarm } from './swarm-protocol.js'

/** Join tuning; every field optional. */
export interface JoinInit {
  /** Re-bootstrap while fewer swarm peers than this are connected. Default `DEFAULT_MIN_PEERS` (3). */
  minPeers?: number
  /** How often a joined host re-checks its peer count, ms. Default 10 000. */
  checkIntervalMs?: number
  /** Per-address dial timeout, ms. Default 10 000. */
  dialTimeoutMs?: number
  /** First and largest back-off after a failed round, ms. Defaults 1 000 and 60 000. */
  backoffMs?: number
  maxBackoffMs?: number
  /** Peers dialled from one bootstrap list per round. Default 8. */
  peersPerList?: number
}

/** Events a joiner reports. */
export type JoinEvent =
  | { type: 'joined', attempts: JoinAttempt[], peers: number, rejoin: boolean }
  | { type: 'failed', attempts: JoinAttempt[], diagnosis: string, retryInMs: number }
  | { type: 'degraded', attempts: JoinAttempt[], peers: number }

/** What a joiner needs from its host. */
export interface JoinerComponents {
  libp2p: Libp2p
  swarmId: string
  bootstrap: readonly string[]
  bootstrapUrls: readonly string[]
  /** Our swarm.key content, if the swarm is private: the diagnosis checks a peer's key against it. */
  psk?: Uint8Array
  /** Swarm peers now that this host gossips with (the fewest subscribers of any one topic it reads: SwarmHost.gossipPeers). */
  swarmPeers: () => number
  onEvent: (event: JoinEvent) => void
  logger: Logger
}

const IDENTIFY_WAIT_MS = 5_000
/** Longest wait for each step of a failed peer's port probe (connect, its nonce, its answer), ms. */
const PROBE_STEP_MS = 2_000
/** Longest wait for bootstrap multiaddr dials before listed peers are dialled, ms. */
const LIST_DIAL_DELAY_MS = 3_000
/** Most dials of discovered peers in flight at once. */
const MAX_DISCOVERY_DIALS = 4

/** Keeps a host joined to its swarm; `stop()` cancels everything in flight. */
export class Joiner {
  private readonly c: JoinerComponents
  private readonly minPeers: number
  private readonly checkMs: number
  private readonly dialMs: number
  private readonly backoff0: number
  private readonly backoffMax: number
  private readonly perList: number
  private controller?: AbortController
  private loop?: Promise<void>
  private everJoined = false
  /** Listed or discovered peers newly connected since the last round (resets the back-off). */
  private fresh = 0
  private discoveryDials = 0

  constructor (components: JoinerComponents, init: JoinInit = {}) {
    this.c = components
    this.minPeers = init.minPeers ?? DEFAULT_MIN_PEERS
    this.checkMs = init.checkIntervalMs ?? 10_000
    this.dialMs = init.dialTimeoutMs ?? 10_000
    this.backoff0 = init.backoffMs ?? 1_000
    this.backoffMax = init.maxBackoffMs ?? 60_000
    this.perList = init.peersPerList ?? 8
  }

  start (): void {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    const signal = this.controller.signal
    this.loop = this.run(signal).catch(err => { if (!signal.aborted) this.c.logger.error('join loop failed', err) })
    // Peers found by the DHT (or mDNS) are dialled while we are short of swarm peers.
    const onDiscovery = (evt: CustomEvent<{ id: PeerId }>): void => { this.onDiscovered(evt.detail.id, signal) }
    this.c.libp2p.addEventListener('peer:discovery', onDiscovery)
    signal.addEventListener('abort', () => { this.c.libp2p.removeEventListener('peer:discovery', onDiscovery) }, { once: true })
  }

  private onDiscovered (peer: PeerId, signal: AbortSignal): void {
    if (signal.aborted || this.discoveryDials >= MAX_DISCOVERY_DIALS || this.c.swarmPeers() >= this.minPeers) return
    if (this.c.libp2p.getConnections(peer).length > 0) return
    this.discoveryDials++
    void this.c.libp2p.dial(peer, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.dialMs)]) })
      .then(() => { this.fresh++ }, err => { this.c.logger.trace('discovered peer not dialable', { peer: peer.toString(), error: (err as Error).message }) })
      .finally(() => { this.discoveryDials-- })
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.controller = undefined
    this.loop = undefined
  }

  /** One round: every bootstrap address and URL at once. Exposed for tests. */
  async attempt (signal: AbortSignal): Promise<JoinAttempt[]> {
    const addrs = this.c.bootstrap.map(async a => await this.dialChecked(a, signal))
    // Listed peers are dialled once the bootstrap dials settle (at most LIST_DIAL_DELAY_MS): a
    // bootnode is usually on its own list, and two simultaneous dials to it open two connections,
    // one of which libp2p then closes, taking a relay reservation made on it along.
    const settled = Promise.race([Promise.allSettled(addrs), sleep(LIST_DIAL_DELAY_MS, { signal }).catch(() => {})])
    const urls = this.c.bootstrapUrls.map(async u => await this.tryUrl(u, signal, settled))
    return await Promise.all([...addrs, ...urls])
  }

  /** Dials up to `peersPerList` peers from the peer store (learned from lists, identify or the DHT) that are not connected. */
  private async dialKnown (signal: AbortSignal): Promise<void> {
    const self = this.c.libp2p.peerId
    const known = await this.c.libp2p.peerStore.all().catch(() => [])
    const picks = known
      .filter(p => !p.id.equals(self) && p.addresses.length > 0 && this.c.libp2p.getConnections(p.id).length === 0)
      .slice(0, this.perList)
    await Promise.allSettled(picks.map(async p => {
      await this.c.libp2p.dial(p.id, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.dialMs)]) })
      this.fresh++
    }))
  }

  private async run (signal: AbortSignal): Promise<void> {
    let backoff = this.backoff0
    while (!signal.aborted) {
      const before = this.c.swarmPeers()
      if (before >= this.minPeers) {
        await sleep(this.checkMs, { signal }).catch(() => {})
        continue
      }
      // Peers learned earlier are tried beside the bootnodes: with every bootnode down, they are
      // how a node (a NAT'd one whose only route was a bootnode's relay) finds the swarm again.
      const [attempts] = await Promise.all([this.attempt(signal), this.dialKnown(signal)])
      if (signal.aborted) return
      // Subscriptions arrive a moment after the connection; give gossipsub a beat to see them.
      await sleep(500, { signal }).catch(() => {})
      const peers = this.c.swarmPeers()
      this.c.logger('attempt', { before, peers, attempts })
      if (attempts.some(a => a.ok) || peers > 0) {
        if (attempts.some(a => a.ok)) {
          this.c.onEvent({ type: 'joined', attempts, peers, rejoin: this.everJoined && before === 0 })
          this.everJoined = true
        } else {
          this.c.onEvent({ type: 'degraded', attempts, peers })
        }
        // Still short of peers: ask again soon (lists fill as peers join), backing off to the
        // check interval while rounds bring nobody new, starting over when one did.
        if (peers >= this.minPeers || peers > before || this.fresh > 0) backoff = this.backoff0
        this.fresh = 0
        await sleep(peers >= this.minPeers ? this.checkMs : Math.min(backoff, this.checkMs), { signal }).catch(() => {})
        if (peers < this.minPeers && peers <= before && this.fresh === 0) backoff = Math.min(this.checkMs, backoff * 2)
        continue
      }
      const retryInMs = Math.round(backoff * (0.75 + Math.random() * 0.5))
      this.c.onEvent({ type: 'failed', attempts, diagnosis: formatDiagnosis(this.c.swarmId, attempts), retryInMs })
      await sleep(retryInMs, { signal }).catch(() => {})
      backoff = Math.min(this.backoffMax, backoff * 2)
    }
  }

  private async tryUrl (url: string, signal: AbortSignal, ready: Promise<unknown>): Promise<JoinAttempt> {
    let list
    try {
      list = await fetchBootstrapList(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.dialMs)]) })
    } catch (err) {
      const e = err as { code?: string, message?: string, name?: string }
      if (e.name === 'InvalidArgumentError') return { address: url, ok: false, reason: 'bad-list', detail: e.message }
      const { reason, detail } = e.code === 'ERR_HTTP' ? { reason: 'http' as const, detail: e.message } : classifyDialError(err)
      return { address: url, ok: false, reason, detail }
    }
    if (list.swarmId !== this.c.swarmId) return { address: url, ok: false, reason: 'wrong-swarm-id', detail: `the list is for swarm "${list.swarmId}"` }
    await ready
    const self = this.c.libp2p.peerId.toString()
    const connected = new Set(this.c.libp2p.getPeers().map(String))
    const candidates = list.peers
      .filter(p => p.id !== self)
      .sort((a, b) => b.lastSeen - a.lastSeen)
    const fresh = candidates.filter(p => !connected.has(p.id)).slice(0, this.perList)
    if (candidates.length === 0) return { address: url, ok: false, reason: 'no-peers' }
    if (fresh.length === 0) return { address: url, ok: true, detail: 'connected to every listed peer' }
    const results = await Promise.all(fresh.map(async p => await this.dialPeer(p.id, p.addrs, signal)))
    const good = results.filter(r => r.ok).length
    if (good > 0) return { address: url, ok: true, detail: `${good}/${fresh.length} listed peers` }
    const first = results[0]
    return { address: url, ok: false, reason: first.reason, detail: `listed peers: ${first.detail ?? first.reason ?? ''}` }
  }

  private async dialPeer (id: string, addrs: string[], signal: AbortSignal): Promise<JoinAttempt> {
    let peer: PeerId
    try {
      peer = peerIdFromString(id)
    } catch {
      return { address: id, ok: false, reason: 'bad-list', detail: 'bad peer id' }
    }
    const mas: Multiaddr[] = []
    for (const a of addrs) {
      try { mas.push(multiaddr(a)) } catch { /* skip a malformed entry */ }
    }
    if (mas.length === 0) return { address: id, ok: false, reason: 'bad-list', detail: 'no usable address' }
    await this.c.libp2p.peerStore.merge(peer, { multiaddrs: mas }).catch(() => {})
    const result = await this.dialChecked(peer, signal, id, mas)
    if (result.ok) this.fresh++
    // Through a relay, a failed handshake means the relay could not reach the peer, not a key mismatch.
    if (!result.ok && mas.every(m => m.toString().includes('/p2p-circuit')) && (result.reason === 'swarm-key' || result.reason === 'connection-reset' || result.reason === 'error')) {
      return { ...result, reason: 'relay' }
    }
    return result
  }

  /** Dials, waits for identify, and checks the peer is in our swarm; hangs up on other swarms. `addrs`: the peer's known addresses. */
  private async dialChecked (target: string | PeerId, signal: AbortSignal, label?: string, addrs: Multiaddr[] = []): Promise<JoinAttempt> {
    const address = label ?? String(target)
    let remote: PeerId
    try {
      const ma = typeof target === 'string' ? multiaddr(target) : undefined
      if (ma !== undefined) addrs = [ma]
      const conn = await this.c.libp2p.dial(ma ?? (target as PeerId), { signal: AbortSignal.any([signal, AbortSignal.timeout(this.dialMs)]) })
      remote = conn.remotePeer
    } catch (err) {
      if (signal.aborted) return { address, ok: false, reason: 'error', detail: 'stopped' }
      return { address, ok: false, ...await this.diagnose(err, addrs) }
    }
    const protocols = await this.identified(remote, signal)
    // A peer that stops (or dies) just after the handshake is not a peer of another kind.
    if (protocols.length === 0 && this.c.libp2p.getConnections(remote).length === 0) {
      return { address, ok: false, reason: 'connection-reset', detail: 'the connection closed before identify answered' }
    }
    const match = matchSwarm(protocols, this.c.swarmId)
    if (match.verdict === 'same') return { address, ok: true }
    if (match.verdict === 'wrong-swarm-id' || match.verdict === 'wrong-protocol-version') {
      await this.c.libp2p.hangUp(remote).catch(() => {})
      const detail = match.verdict === 'wrong-swarm-id'
        ? `peer is in swarm "${match.theirs}", we are in "${this.c.swarmId}"`
        : `peer speaks version ${match.theirs}`
      return { address, ok: false, reason: match.verdict, detail }
    }
    return { address, ok: false, reason: 'not-murmur', detail: protocols.length === 0 ? 'identify did not answer' : undefined }
  }

  /** Why a dial failed: the error, refined by a probe of the peer's first direct TCP address. */
  private async diagnose (err: unknown, addrs: Multiaddr[]): Promise<{ reason: JoinAttempt['reason'], detail: string }> {
    const failure = classifyDialError(err)
    if (!PROBED_REASONS.has(failure.reason)) return failure
    for (const ma of addrs) {
      const text = ma.toString()
      if (!text.includes('/tcp/') || text.includes('/p2p-circuit') || /\/(ws|wss|tls)(\/|$)/.test(text)) continue
      let net
      try { net = getNetConfig(ma) } catch { continue }
      if (net.port === undefined) continue
      const probe = await probePnet(net.host, net.port, this.c.psk, PROBE_STEP_MS)
      this.c.logger('dial failure probed', { addr: ma.toString(), reason: failure.reason, probe })
      return refineWithProbe(failure, probe, this.c.psk !== undefined)
    }
    return failure
  }

  private async identified (peer: PeerId, signal: AbortSignal): Promise<string[]> {
    const deadline = Date.now() + IDENTIFY_WAIT_MS
    while (!signal.aborted) {
      const info = await this.c.libp2p.peerStore.get(peer).catch(() => undefined)
      // Negotiated streams add protocols one by one; identify's agent version marks the full list.
      if (info !== undefined && info.metadata.has('AgentVersion')) return info.protocols
      if (Date.now() > deadline || this.c.libp2p.getConnections(peer).length === 0) return info?.protocols ?? []
      await sleep(100, { signal }).catch(() => {})
    }
    return []
  }
}

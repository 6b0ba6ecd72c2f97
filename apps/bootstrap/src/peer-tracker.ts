// Which peers of our swarm this bootstrap has seen lately, and where they can be dialled. A peer
// counts once identify shows it speaks our swarm protocol; it stays listed for a window after it
// disconnects, so `/bootstrap` keeps working as a discovery fallback for nodes that arrive while
// others come and go. The table survives restarts (a JSON file written atomically).
import { readFile, rename, writeFile } from 'node:fs/promises'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p } from 'libp2p'
import type { Logger } from '@murmur/interface'
import { isPrivateAddress, matchSwarm, type BootstrapListPeer } from '@murmur/net'
import { MAX_TRACKED } from './constants.js'

/** Options of a PeerTracker. */
export interface PeerTrackerInit {
  swarmId: string
  publicOnly: boolean
  windowMs: number
  maxListed: number
  /** Where the table is kept across restarts (absent: memory only). */
  file?: string
  now?: () => number
  /** Logs each peer identified as a member of the swarm. */
  logger?: Logger
}

/** Tracks recently seen good peers of one swarm. */
export class PeerTracker {
  private readonly seen = new Map<string, number>()
  private readonly init: PeerTrackerInit
  private readonly now: () => number
  private node?: Libp2p
  private detach: Array<() => void> = []

  constructor (init: PeerTrackerInit) {
    this.init = init
    this.now = init.now ?? Date.now
  }

  /** Loads the saved table (if any) and starts listening to `node`. */
  async start (node: Libp2p): Promise<void> {
    this.node = node
    if (this.init.file !== undefined) {
      const saved = await readFile(this.init.file, 'utf8').then(t => JSON.parse(t) as unknown, () => undefined)
      if (saved !== null && typeof saved === 'object') {
        for (const [id, t] of Object.entries(saved as Record<string, unknown>)) if (typeof t === 'number') this.seen.set(id, t)
      }
    }
    const onIdentify = (evt: CustomEvent<{ peerId: PeerId, protocols: string[] }>): void => {
      if (matchSwarm(evt.detail.protocols, this.init.swarmId).verdict !== 'same') return
      this.touch(evt.detail.peerId.toString())
      this.init.logger?.('swarm peer identified', { id: evt.detail.peerId.toString() })
    }
    const onDisconnect = (evt: CustomEvent<PeerId>): void => {
      const id = evt.detail.toString()
      if (this.seen.has(id)) this.touch(id)
    }
    node.addEventListener('peer:identify', onIdentify)
    node.addEventListener('peer:disconnect', onDisconnect)
    this.detach = [
      () => { node.removeEventListener('peer:identify', onIdentify) },
      () => { node.removeEventListener('peer:disconnect', onDisconnect) }
    ]
  }

  async stop (): Promise<void> {
    for (const d of this.detach.splice(0)) d()
    await this.save()
    this.node = undefined
  }

  /** Writes the table (write, then rename: never a torn file). */
  async save (): Promise<void> {
    if (this.init.file === undefined) return
    const tmp = `${this.init.file}.tmp`
    await writeFile(tmp, JSON.stringify(Object.fromEntries(this.seen)))
    await rename(tmp, this.init.file)
  }

  /** Peers seen connected within the window, most recent first, with dialable addresses. */
  async list (): Promise<BootstrapListPeer[]> {
    const node = this.node
    if (node === undefined) return []
    const now = this.now()
    const connected = new Set(node.getPeers().map(String))
    for (const id of connected) if (this.seen.has(id)) this.touch(id)
    const fresh = [...this.seen.entries()]
      .filter(([, t]) => now - t <= this.init.windowMs)
      .sort((a, b) => b[1] - a[1])
    const out: BootstrapListPeer[] = []
    for (const [id, lastSeen] of fresh) {
      if (out.length >= this.init.maxListed) break
      const peer = await node.peerStore.get(peerIdFromString(id)).catch(() => undefined)
      if (peer === undefined) continue
      const addrs = peer.addresses
        .map(a => a.multiaddr)
        .filter(ma => !this.init.publicOnly || !isPrivateAddress(ma))
        .map(ma => ma.toString().includes('/p2p/' + id) ? ma.toString() : `${ma.toString()}/p2p/${id}`)
      if (addrs.length > 0) out.push({ id, addrs, lastSeen })
    }
    return out
  }

  /** Number of peers in the table. */
  get size (): number { return this.seen.size }

  private touch (id: string): void {
    this.seen.delete(id)
    this.seen.set(id, this.now())
    if (this.seen.size > MAX_TRACKED) {
      const oldest = this.seen.keys().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
  }
}

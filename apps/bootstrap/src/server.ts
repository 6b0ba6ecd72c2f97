// A bootstrap server: the bootstrap libp2p node (net's createBootstrapNode) with a persistent
// identity and peer store under its data directory, the seen-peer tracker and the HTTP endpoints.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Server } from 'node:http'
import { LevelDatastore } from 'datastore-level'
import type { Libp2p } from 'libp2p'
import { NotStartedError, noopLogger, type Logger, type Startable } from '@murmur/interface'
import {
  bootstrapListBody, createBootstrapNode, DEFAULT_SWARM_ID, isPrivateAddress, type BootstrapList, type BootstrapNodeInit, type RelayLimits
} from '@murmur/net'
import { PROTOCOL_VERSION } from '@murmur/protocol'
import {
  DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, DEFAULT_MAX_LISTED, DEFAULT_SEEN_WINDOW_MS, PEERSTORE_DIR, SAVE_INTERVAL_MS, SEEN_FILE
} from './constants.js'
import { startHttp, stopHttp, type MetricsResponse } from './http.js'
import { PeerTracker } from './peer-tracker.js'

/** Options of `createBootstrapServer`; every field optional. */
export interface BootstrapServerInit extends Omit<BootstrapNodeInit, 'datastore' | 'privateKey'> {
  /** Data directory: identity, peer store, seen-peer table. Without it everything is in memory. */
  dataDir?: string
  /** HTTP bind address and port (0 = any free port). Defaults 0.0.0.0 and 4080. */
  httpHost?: string
  httpPort?: number
  /** How long a peer stays listed after it was last seen, ms. Default 15 min. */
  seenWindowMs?: number
  /** Most peers listed by `/bootstrap`. Default 64. */
  maxListed?: number
  /** Serves `/metrics` (the observability hook); absent: `/metrics` answers 404. */
  metricsHandler?: () => Promise<MetricsResponse>
  relay?: Partial<RelayLimits>
  logger?: Logger
  now?: () => number
}

/** What a running bootstrap server reports. */
export interface BootstrapServerInfo {
  peerId: string
  swarmId: string
  /** libp2p addresses (each ending in /p2p/<id>). */
  addrs: string[]
  /** Bound HTTP port. */
  httpPort: number
}

/** A bootstrap/relay peer with its HTTP endpoints. */
export interface BootstrapServer extends Startable {
  info(): BootstrapServerInfo
  /** The `/bootstrap` body: this node first, then recently seen good peers. */
  bootstrapList(): Promise<BootstrapList>
  /** The libp2p node (diagnostics, tests; undefined when stopped). */
  readonly libp2p: Libp2p | undefined
}

class BootstrapServerImpl implements BootstrapServer {
  private readonly init: BootstrapServerInit
  private readonly swarmId: string
  private readonly log: Logger
  private readonly now: () => number
  private node?: Libp2p
  private datastore?: LevelDatastore
  private http?: { server: Server, port: number }
  private tracker?: PeerTracker
  private saveTimer?: ReturnType<typeof setInterval>
  private startedAt = 0

  constructor (init: BootstrapServerInit) {
    this.init = init
    this.swarmId = init.swarmId ?? DEFAULT_SWARM_ID
    this.log = init.logger ?? noopLogger('murmur:bootstrap')
    this.now = init.now ?? Date.now
  }

  get libp2p (): Libp2p | undefined { return this.node }

  isStarted (): boolean { return this.node !== undefined }

  async start (): Promise<void> {
    if (this.node !== undefined) return
    const dir = this.init.dataDir
    try {
      if (dir !== undefined) {
        await mkdir(dir, { recursive: true, mode: 0o700 })
        this.datastore = new LevelDatastore(join(dir, PEERSTORE_DIR))
        await this.datastore.open()
      }
      this.node = await createBootstrapNode({ ...this.init, swarmId: this.swarmId, dataDir: dir, datastore: this.datastore })
      this.tracker = new PeerTracker({
        swarmId: this.swarmId,
        publicOnly: this.init.publicOnly ?? false,
        windowMs: this.init.seenWindowMs ?? DEFAULT_SEEN_WINDOW_MS,
        maxListed: this.init.maxListed ?? DEFAULT_MAX_LISTED,
        file: dir === undefined ? undefined : join(dir, SEEN_FILE),
        now: this.now,
        logger: this.log.child('peers')
      })
      await this.tracker.start(this.node)
      this.http = await startHttp(this.init.httpHost ?? DEFAULT_HTTP_HOST, this.init.httpPort ?? DEFAULT_HTTP_PORT, {
        health: () => this.health(),
        bootstrap: async () => await this.bootstrapList(),
        metrics: this.init.metricsHandler
      })
    } catch (err) {
      await this.stop()
      throw err
    }
    this.saveTimer = setInterval(() => { this.tracker?.save().catch(err => { this.log.error('saving seen peers failed', err) }) }, SAVE_INTERVAL_MS)
    this.saveTimer.unref()
    this.startedAt = this.now()
    this.log('started', this.info())
  }

  async stop (): Promise<void> {
    clearInterval(this.saveTimer)
    this.saveTimer = undefined
    const results = await Promise.allSettled([
      this.http === undefined ? undefined : stopHttp(this.http.server),
      this.tracker?.stop()
    ])
    this.http = undefined
    this.tracker = undefined
    await this.node?.stop()
    this.node = undefined
    await this.datastore?.close()
    this.datastore = undefined
    const failed = results.find(r => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }

  info (): BootstrapServerInfo {
    const node = this.started()
    return { peerId: node.peerId.toString(), swarmId: this.swarmId, addrs: this.ownAddrs(node), httpPort: this.http?.port ?? 0 }
  }

  async bootstrapList (): Promise<BootstrapList> {
    const node = this.started()
    const peers = await this.tracker?.list() ?? []
    return bootstrapListBody(this.swarmId, [{ id: node.peerId.toString(), addrs: this.ownAddrs(node), lastSeen: this.now() }, ...peers])
  }

  private ownAddrs (node: Libp2p): string[] {
    return node.getMultiaddrs().filter(ma => this.init.publicOnly !== true || !isPrivateAddress(ma)).map(String)
  }

  private health (): Record<string, unknown> & { status: 'ok' | 'starting' } {
    const node = this.node
    if (node === undefined) return { status: 'starting' }
    const relay = (node.services as { relay?: { reservations: { size: number } } }).relay
    return {
      status: 'ok',
      peerId: node.peerId.toString(),
      swarmId: this.swarmId,
      protocolVersion: PROTOCOL_VERSION,
      connections: node.getConnections().length,
      reservations: relay?.reservations.size ?? 0,
      seenPeers: this.tracker?.size ?? 0,
      uptimeSeconds: Math.round((this.now() - this.startedAt) / 1000)
    }
  }

  private started (): Libp2p {
    if (this.node === undefined) throw new NotStartedError('BootstrapServer')
    return this.node
  }
}

/** Creates a bootstrap server; `start()` brings up libp2p and HTTP. */
export function createBootstrapServer (init: BootstrapServerInit = {}): BootstrapServer {
  return new BootstrapServerImpl(init)
}

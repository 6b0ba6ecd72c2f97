// The `/bootstrap` list a bootstrap node serves over HTTP: recently seen good peers of one
// swarm with their dialable addresses. Any node can re-serve such a list, so discovery does not
// hang on one bootnode. Everything fetched is bounded and checked before use.
import { InvalidArgumentError } from '@murmur/interface'
import { PROTOCOL_VERSION } from '@murmur/protocol'

/** One peer in a bootstrap list. */
export interface BootstrapListPeer {
  /** Peer id. */
  id: string
  /** Multiaddrs, each ending in `/p2p/<id>`. */
  addrs: string[]
  /** When the serving node last saw it connected and in the swarm (ms since the epoch). */
  lastSeen: number
}

/** The JSON body of `GET /bootstrap`. */
export interface BootstrapList {
  swarmId: string
  protocolVersion: number
  peers: BootstrapListPeer[]
}

/** Most peers read from one list. */
export const MAX_LIST_PEERS = 256
/** Most addresses read per peer. */
export const MAX_LIST_ADDRS = 16
/** Largest list body read, bytes. */
export const MAX_LIST_BYTES = 256 * 1024

/** Checks a parsed `/bootstrap` body; throws InvalidArgumentError naming the bad field. */
export function parseBootstrapList (body: unknown): BootstrapList {
  const b = body as Partial<BootstrapList> | null
  if (b === null || typeof b !== 'object') throw new InvalidArgumentError('body', 'must be a JSON object')
  if (typeof b.swarmId !== 'string') throw new InvalidArgumentError('swarmId', 'must be a string')
  if (typeof b.protocolVersion !== 'number') throw new InvalidArgumentError('protocolVersion', 'must be a number')
  if (!Array.isArray(b.peers)) throw new InvalidArgumentError('peers', 'must be an array')
  const peers: BootstrapListPeer[] = []
  for (const p of b.peers.slice(0, MAX_LIST_PEERS)) {
    if (p === null || typeof p !== 'object' || typeof p.id !== 'string' || p.id.length > 128 || !Array.isArray(p.addrs)) continue
    const addrs = p.addrs.filter((a): a is string => typeof a === 'string' && a.startsWith('/') && a.length < 1024).slice(0, MAX_LIST_ADDRS)
    if (addrs.length > 0) peers.push({ id: p.id, addrs, lastSeen: typeof p.lastSeen === 'number' ? p.lastSeen : 0 })
  }
  return { swarmId: b.swarmId, protocolVersion: b.protocolVersion, peers }
}

/** Builds the list body (used by the bootstrap app). */
export function bootstrapListBody (swarmId: string, peers: BootstrapListPeer[]): BootstrapList {
  return { swarmId, protocolVersion: PROTOCOL_VERSION, peers: peers.slice(0, MAX_LIST_PEERS) }
}

/** Fetches and checks a list; HTTP failures throw with `code` ERR_HTTP, bad bodies InvalidArgumentError. */
export async function fetchBootstrapList (url: string, options: { signal?: AbortSignal } = {}): Promise<BootstrapList> {
  const res = await fetch(url, { signal: options.signal, headers: { accept: 'application/json' } })
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { code: 'ERR_HTTP' })
  const text = await res.text()
  if (text.length > MAX_LIST_BYTES) throw new InvalidArgumentError('body', `is over ${MAX_LIST_BYTES} bytes`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new InvalidArgumentError('body', 'is not JSON')
  }
  return parseBootstrapList(json)
}

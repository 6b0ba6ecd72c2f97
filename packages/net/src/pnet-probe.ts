// What a peer's TCP port does before libp2p's handshake, to tell a swarm-key mismatch from a
// peer that died or is overloaded. Dial errors alone cannot: a peer killed mid-handshake and a
// pnet peer reading our (unkeyed) handshake as its nonce both reset the connection, and two
// different keys either stall or reset at random (what the peer decrypts is noise).
// A pnet peer sends its 24-byte nonce as soon as the connection opens; a plain libp2p peer
// sends nothing until the dialer speaks multistream-select. With a key of our own, the probe
// runs pnet's exchange itself: it sends a nonce and the multistream header encrypted with our
// key; a peer with the same key answers the header, encrypted with its nonce and the same key.
import { connect, type Socket } from 'node:net'
import { xsalsa20 } from '@noble/ciphers/salsa.js'
import { swarmKeyBytes } from './swarm-key.js'

/** What the probe learned about a peer's handshake. */
export type PnetProbe =
  /** TCP does not connect (the peer is down or restarting). */
  | 'down'
  /** The peer uses no pre-shared key (it answered multistream-select in the clear). */
  | 'plain'
  /** The peer uses a pre-shared key (it sent a pnet nonce); we have none to check it against. */
  | 'pnet'
  /** The peer uses our pre-shared key. */
  | 'same-key'
  /** The peer uses a pre-shared key other than ours. */
  | 'other-key'
  /** TCP connects but nothing answers (not libp2p, or badly overloaded). */
  | 'silent'

const NONCE_BYTES = 24
/** multistream-select's header as it goes on the wire (length-prefixed). */
const MSS_HEADER = new TextEncoder().encode('\x13/multistream/1.0.0\n')

/** Probes `host:port` for `timeoutMs` per step; `psk` is our swarm.key content, if any. */
export async function probePnet (host: string, port: number, psk: Uint8Array | undefined, timeoutMs: number): Promise<PnetProbe> {
  const socket = connect({ host, port })
  const reader = bufferedReader(socket)
  try {
    if (!await reader.opened(timeoutMs)) return 'down'
    const nonce = await reader.read(NONCE_BYTES, timeoutMs)
    if (nonce === undefined) {
      // Nothing came first: a plain peer waits for the dialer's multistream header.
      socket.write(MSS_HEADER)
      const reply = await reader.read(MSS_HEADER.length, timeoutMs)
      return reply !== undefined && equal(reply, MSS_HEADER) ? 'plain' : 'silent'
    }
    // A service that greets in text (an SSH banner on a wrong port) is not a nonce: 24 random bytes are never all printable.
    if (nonce.every(b => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d)) return 'silent'
    if (psk === undefined) return 'pnet'
    const key = swarmKeyBytes(psk)
    const ours = crypto.getRandomValues(new Uint8Array(NONCE_BYTES))
    socket.write(ours)
    socket.write(xsalsa20(key, ours, MSS_HEADER))
    const reply = await reader.read(MSS_HEADER.length, timeoutMs)
    // A peer with another key reads noise: it stalls or hangs up, it never answers the header.
    return reply !== undefined && equal(xsalsa20(key, nonce, reply), MSS_HEADER) ? 'same-key' : 'other-key'
  } finally {
    socket.destroy()
  }
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

interface Reader {
  /** Resolves true once connected, false on an error or after `ms`. */
  opened: (ms: number) => Promise<boolean>
  /** The next `n` bytes, or undefined when they do not arrive within `ms` (or the socket ends). */
  read: (n: number, ms: number) => Promise<Uint8Array | undefined>
}

function bufferedReader (socket: Socket): Reader {
  let buffered = Buffer.alloc(0)
  let ended = false
  let wake = (): void => {}
  socket.on('data', (d: Buffer) => { buffered = Buffer.concat([buffered, d]); wake() })
  socket.on('error', () => { ended = true; wake() })
  socket.on('close', () => { ended = true; wake() })
  const waitFor = async (ready: () => boolean, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms
    while (!ready()) {
      const left = deadline - Date.now()
      if (ended || left <= 0) return ready()
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        wake = () => { clearTimeout(timer); resolve() }
      })
    }
    return true
  }
  let connected = false
  socket.once('connect', () => { connected = true; wake() })
  return {
    opened: async ms => await waitFor(() => connected, ms),
    read: async (n, ms) => {
      if (!await waitFor(() => buffered.length >= n, ms)) return undefined
      const out = buffered.subarray(0, n)
      buffered = buffered.subarray(n)
      return Uint8Array.from(out)
    }
  }
}

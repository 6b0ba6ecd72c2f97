// Tools of a hostile peer for the net tests: messages signed by any key (a fresh Sybil origin per
// message, or a replay of an old one) pushed straight onto an attacker host's gossipsub stream to
// a victim, bypassing every check the attacker's own host would make.
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { SwarmHostInit } from '../src/config.js'
import type { RolloutReceived, SwarmHost } from '../src/host.js'
import { connect, startHosts } from './helpers.js'

const SIGN_PREFIX = new TextEncoder().encode('libp2p-pubsub:')

/** A gossipsub message on `topic` carrying `data`, signed by `key` with sequence number `seqno`. */
export async function signedMessage (key: PrivateKey, topic: string, data: Uint8Array, seqno: bigint): Promise<RPC.Message> {
  const seq = new Uint8Array(8)
  new DataView(seq.buffer).setBigUint64(0, seqno, false)
  const msg: RPC.Message = { from: peerIdFromPrivateKey(key).toMultihash().bytes, data, seqno: seq, topic }
  const body = RPC.Message.encode(msg)
  const toSign = new Uint8Array(SIGN_PREFIX.length + body.length)
  toSign.set(SIGN_PREFIX)
  toSign.set(body, SIGN_PREFIX.length)
  return { ...msg, signature: await key.sign(toSign), key: publicKeyToProtobuf(key.publicKey) }
}

/** Sends `messages` from `attacker` to the peer `to`, `perRpc` per RPC frame; returns the number sent. */
export async function sendRaw (attacker: SwarmHost, to: string, messages: RPC.Message[], perRpc = 100): Promise<number> {
  const pubsub = attacker.libp2p?.services.pubsub as unknown as { sendRpc: (id: string, rpc: RPC) => boolean } | undefined
  if (pubsub === undefined) throw new Error('attacker not started')
  let sent = 0
  for (let i = 0; i < messages.length; i += perRpc) {
    const chunk = messages.slice(i, i + perRpc)
    if (!pubsub.sendRpc(to, { subscriptions: [], messages: chunk })) break
    sent += chunk.length
    await yieldToLoop()
  }
  return sent
}

/** Three hosts: a victim with an attacker and an honest publisher as its neighbours; `got` collects what the victim delivers, `a` is the attacker's id. */
export interface Triangle { victim: SwarmHost, attacker: SwarmHost, honest: SwarmHost, got: RolloutReceived[], a: string }

/** Starts victim ← attacker, victim ← honest (hosts configured by `over`), handing the hosts to `track` at once (for cleanup); returns once all are in the mesh. */
export async function triangle (over: Partial<SwarmHostInit>, track: (hosts: SwarmHost[]) => void): Promise<Triangle> {
  const hosts = await startHosts(3, over)
  track(hosts)
  const [victim, attacker, honest] = hosts
  await connect(attacker, victim)
  await connect(honest, victim)
  await victim.waitForPeers(2, { signal: AbortSignal.timeout(10_000) })
  await attacker.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
  await honest.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
  const got: RolloutReceived[] = []
  victim.on('rollout:received', e => got.push(e.detail))
  return { victim, attacker, honest, got, a: attacker.peerId() }
}

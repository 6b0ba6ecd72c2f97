// A hostile network on loopback: real libp2p hosts, an attacker that writes raw gossipsub frames
// (its own signature or a fresh Sybil key per message), and an honest publisher behind the same
// victim. Each test states the attack, the bound on what the attacker gets, and honest delivery.
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { RPC } from '@libp2p/gossipsub/message'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeRolloutBatch, encodeRolloutGroup, type RolloutGroup } from '@murmur/protocol'
import type { RolloutReceived, SwarmHost } from '../src/host.js'
import type { SwarmHostInit } from '../src/config.js'
import { SCORE_THRESHOLDS } from '../src/constants.js'
import { makeGroup, stopHosts, until } from './helpers.js'
import { sendRaw, signedMessage, triangle as startTriangle, type Triangle } from './hostile-helpers.js'

let hosts: SwarmHost[] = []
afterEach(async () => { await stopHosts(hosts); hosts = [] })

/** The victim, attacker and honest host of a test (stopped after it). */
/** One group as a message (a batch of one). */
const message = (group: RolloutGroup): Uint8Array => encodeRolloutBatch([encodeRolloutGroup(group)])

const triangle = async (over: Partial<SwarmHostInit> = {}): Promise<Triangle> => await startTriangle(over, hs => { hosts = hs })

/** The attacker's own key, recovered from its host (hosts in these tests have ephemeral keys). */
function keyOf (host: SwarmHost): Parameters<typeof signedMessage>[0] {
  const key = (host.libp2p as unknown as { components?: { privateKey?: Parameters<typeof signedMessage>[0] } } | undefined)?.components?.privateKey
  if (key === undefined) throw new Error('no private key')
  return key
}

/** Publishes `n` honest groups, one every `everyMs`, seeds from `seed0`. */
async function publishHonest (honest: SwarmHost, n: number, seed0: number, everyMs: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await honest.publish([{ group: makeGroup(seed0 + i) }])
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}

const honestFrom = (got: RolloutReceived[], h: SwarmHost): number => got.filter(r => r.from === h.peerId()).length

/** With MURMUR_NET_REPORT=1, prints one JSON line of a test's measurements (for reports; silent otherwise). */
function report (test: string, values: Record<string, unknown>): void {
  if (process.env.MURMUR_NET_REPORT === '1') console.log(JSON.stringify({ test, ...values }))
}

describe('hostile network', () => {
  it('graylists a malformed flooder within 3 rejects while honest delivery stays 100/100', async () => {
    const { victim, attacker, honest, got, a } = await triangle({ rateLimit: { burst: 128 } })
    const key = keyOf(attacker)
    const junk = await Promise.all(Array.from({ length: 2000 }, async (_, i) => {
      const data = i % 2 === 0 ? Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, i & 0xff) : message(makeGroup(i, { prompt: 'forged' }))
      return await signedMessage(key, victim.topic, data, BigInt(i + 1))
    }))
    await Promise.all([sendRaw(attacker, victim.peerId(), junk), publishHonest(honest, 100, 1_000_000, 5)])
    await until(() => honestFrom(got, honest) === 100, 20_000, 'honest delivery')
    await until(() => victim.score(a) < SCORE_THRESHOLDS.graylistThreshold, 5000, 'graylisted')
    const s = victim.stats()
    report('malformed-flood', { sent: junk.length, attacker: s.peers[a], score: victim.score(a), honestDelivered: honestFrom(got, honest), reasons: s.reasons })
    expect(s.peers[a].rejected).toBeLessThanOrEqual(3)
    expect(s.peers[a].accepted).toBe(0)
    expect(honestFrom(got, honest)).toBe(100)
    expect(victim.score(honest.peerId())).toBeGreaterThanOrEqual(0)
  })

  it('accepts at most one neighbour\'s new-origin allowance from 1,000 fake origins over one connection, and sinks its score', async () => {
    const newOriginBurst = 16
    const newOriginsPerMinute = 60
    const { victim, attacker, honest, got, a } = await triangle({ neighbourLimit: { newOriginBurst, newOriginsPerMinute } })
    const sybils = await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
      const key = await generateKeyPair('Ed25519')
      return await signedMessage(key, victim.topic, message(makeGroup(50_000 + i)), 1n)
    }))
    const started = Date.now()
    await sendRaw(attacker, victim.peerId(), sybils, 50)
    // once its score is negative gossipsub graylists the neighbour and drops its frames unread,
    // so not all 1,000 reach validation: wait for the score, then for what was in flight
    await until(() => victim.score(a) < 0, 15_000, 'negative score')
    await new Promise(resolve => setTimeout(resolve, 500))
    const elapsedS = (Date.now() - started) / 1000
    const s = victim.stats().peers[a]
    const allowance = newOriginBurst + Math.ceil(elapsedS * newOriginsPerMinute / 60)
    report('sybil-origins', { sent: sybils.length, elapsedS, allowance, attacker: s, score: victim.score(a), reasons: victim.stats().reasons })
    expect(s.accepted).toBeGreaterThan(0)
    expect(s.accepted).toBeLessThanOrEqual(allowance)
    expect(s.throttled).toBeGreaterThan(0)
    expect(victim.stats().reasons['new-origin']).toBe(s.throttled)
    expect(got.filter(r => r.via === a)).toHaveLength(s.accepted)
    expect(victim.score(a)).toBeLessThan(0)
    // the honest neighbour still gets through
    await honest.publish([{ group: makeGroup(7) }])
    await until(() => honestFrom(got, honest) === 1, 10_000, 'honest delivery')
  })

  it('loses at most 1 of 100 honest groups to a flood of 15,000 unknown-family groups, and penalizes the flooder', async () => {
    const { victim, attacker, honest, got, a } = await triangle({ rateLimit: { burst: 128 } })
    const key = keyOf(attacker)
    const flood = await Promise.all(Array.from({ length: 15_000 }, async (_, i) => {
      const g = makeGroup(i, { task: { family: 'no-such-family', version: 1, seed: i, params: {} } })
      return await signedMessage(key, victim.topic, message(g), BigInt(i + 1))
    }))
    await Promise.all([sendRaw(attacker, victim.peerId(), flood, 100), publishHonest(honest, 100, 2_000_000, 10)])
    await until(() => honestFrom(got, honest) >= 99, 20_000, 'honest delivery')
    await until(() => victim.score(a) < SCORE_THRESHOLDS.graylistThreshold, 5000, 'graylisted')
    report('ignore-flood', { sent: flood.length, attacker: victim.stats().peers[a], score: victim.score(a), honestDelivered: honestFrom(got, honest), reasons: victim.stats().reasons })
    expect(honestFrom(got, honest)).toBeGreaterThanOrEqual(99)
    expect(victim.stats().peers[a].accepted).toBe(0)
  })

  it('accepts a replay after gossipsub\'s seen-cache expired 0 times, whatever key re-signs it', async () => {
    const seenTtlMs = 500
    const { victim, attacker, got, a } = await triangle({ gossip: { seenTtlMs } })
    const origin = await generateKeyPair('Ed25519')
    const bytes = message(makeGroup(9))
    const original = await signedMessage(origin, victim.topic, bytes, 1n)
    await sendRaw(attacker, victim.peerId(), [original])
    await until(() => got.length === 1, 10_000, 'first delivery')
    // well past the seen-cache TTL and a few heartbeats that prune it
    await new Promise(resolve => setTimeout(resolve, seenTtlMs + 1500))
    const resigned = await signedMessage(await generateKeyPair('Ed25519'), victim.topic, bytes, 1n)
    await sendRaw(attacker, victim.peerId(), [original, resigned])
    // both reached validation (gossipsub had forgotten the original) and were refused there
    await until(() => (victim.stats().reasons.duplicate ?? 0) === 2, 10_000, 'replays refused')
    report('replay', { delivered: got.length, reasons: victim.stats().reasons })
    expect(got).toHaveLength(1)
    expect(victim.stats().peers[a].accepted).toBe(1)
  })

  it('accepts 0 replays of its own group, as sent or re-signed by another key', async () => {
    const seenTtlMs = 500
    const { victim, attacker, got, a } = await triangle({ gossip: { seenTtlMs } })
    // the attacker keeps the victim's signed message as gossip delivers it
    const captured: RPC.Message[] = []
    attacker.libp2p?.services.pubsub.addEventListener('message', e => {
      const m = e.detail
      if (m.type !== 'signed') return
      const seqno = new Uint8Array(8)
      new DataView(seqno.buffer).setBigUint64(0, m.sequenceNumber, false)
      captured.push({ from: m.from.toMultihash().bytes, data: m.data, seqno, topic: m.topic, signature: m.signature, key: publicKeyToProtobuf(m.key) })
    })
    const group = makeGroup(11)
    await victim.publish([{ group: group }])
    await until(() => captured.length === 1, 10_000, 'capture')
    await new Promise(resolve => setTimeout(resolve, seenTtlMs + 1500))
    const resigned = await signedMessage(await generateKeyPair('Ed25519'), victim.topic, message(group), 1n)
    await sendRaw(attacker, victim.peerId(), [captured[0], resigned])
    await until(() => (victim.stats().reasons['own-origin'] ?? 0) === 1 && (victim.stats().reasons.duplicate ?? 0) === 1, 10_000, 'replays refused')
    expect(got).toHaveLength(0)
    expect(victim.stats().peers[a].accepted).toBe(0)
  })
})

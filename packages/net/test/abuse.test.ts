import { afterEach, describe, expect, it } from 'vitest'
import { MAX_BATCH_BYTES, encodeRolloutBatch, encodeRolloutGroup, type RolloutGroup } from '@murmur/protocol'
import type { SwarmHostInit } from '../src/config.js'
import type { SwarmHost } from '../src/host.js'
import { SCORE_THRESHOLDS } from '../src/constants.js'
import { makeGroup, startHosts, stopHosts, until } from './helpers.js'
import { triangle as startTriangle, type Triangle } from './hostile-helpers.js'

let hosts: SwarmHost[] = []
afterEach(async () => { await stopHosts(hosts); hosts = [] })

/** One group as a message (a batch of one), encoded without the local checks. */
const message = (group: RolloutGroup): Uint8Array => encodeRolloutBatch([encodeRolloutGroup(group)])

/** Publishes raw bytes through the attacker's gossipsub, skipping every local check. */
async function publishRaw (attacker: SwarmHost, bytes: Uint8Array): Promise<void> {
  const pubsub = attacker.libp2p?.services.pubsub
  if (pubsub === undefined) throw new Error('attacker not started')
  await pubsub.publish(attacker.topic, bytes)
}

/** The victim, attacker and honest host of a test (stopped after it). */
const triangle = async (over: Partial<SwarmHostInit> = {}): Promise<Triangle> => await startTriangle(over, hs => { hosts = hs })

describe('hostile traffic', () => {
  it('rejects malformed, oversized and forged-prompt messages (one forged group rejects its batch), ignores unknown tasks, and penalizes the sender', async () => {
    const { victim, attacker, honest, got } = await triangle()
    const a = attacker.peerId()
    // an unknown task family is not provably bad: ignored, no penalty
    const unknown = makeGroup(1, { task: { family: 'no-such-family', version: 1, seed: 1, params: {} } })
    await publishRaw(attacker, message(unknown))
    await until(() => victim.stats().peers[a]?.ignored === 1, 10_000, 'ignored unknown task')
    expect(victim.score(a)).toBeGreaterThanOrEqual(0)

    // one forged group rejects its whole message: the valid group beside it is not delivered
    await publishRaw(attacker, encodeRolloutBatch([encodeRolloutGroup(makeGroup(4)), encodeRolloutGroup(makeGroup(2, { prompt: 'not the regenerated prompt' }))]))
    await publishRaw(attacker, Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3))
    await publishRaw(attacker, new Uint8Array(MAX_BATCH_BYTES + 1).fill(0x41))
    await until(() => victim.stats().peers[a]?.rejected === 3, 10_000, 'three rejections')
    expect(victim.stats().reasons).toMatchObject({ 'prompt-mismatch': 1, 'decode:malformed': 1, 'decode:batch-bytes': 1 })
    expect(victim.stats().totals.accepted).toBe(0)
    expect(got).toHaveLength(0)
    await until(() => victim.score(a) < SCORE_THRESHOLDS.gossipThreshold, 5000, 'score drop')

    // the host keeps working: an honest group still arrives
    const group = makeGroup(3)
    await honest.publish([{ group: group }])
    await until(() => got.length === 1, 10_000, 'honest delivery')
    expect(got[0].from).toBe(honest.peerId())
    expect(victim.score(honest.peerId())).toBeGreaterThanOrEqual(0)
  })

  it('refuses to publish a group its peers would reject', async () => {
    hosts = await startHosts(1)
    await expect(hosts[0].publish([{ group: makeGroup(1, { prompt: 'forged' }) }])).rejects.toMatchObject({ code: 'ERR_INVALID_ROLLOUT' })
    await expect(hosts[0].publish([{ group: makeGroup(1, { completions: [] }) }])).rejects.toMatchObject({ code: 'ERR_INVALID_ROLLOUT' })
  })

  it('throttles a flood of valid groups from one origin, penalizes it, and keeps honest traffic flowing', async () => {
    const burst = 10
    const { victim, attacker, honest, got } = await triangle({ rateLimit: { groupsPerSecond: 2, burst } })
    const a = attacker.peerId()
    for (let i = 0; i < 150; i++) await attacker.publish([{ group: makeGroup(10_000 + i) }])
    // beyond the origin's bucket, groups are throttled, or dropped once the neighbour's FIFO is full or it is blocked
    await until(() => { const p = victim.stats().peers[a]; return p !== undefined && p.throttled > 0 && p.throttled + p.dropped >= 50 }, 15_000, 'throttling')
    const s = victim.stats().peers[a]
    // the bucket refills at 2/s while the flood lasts, hence the small allowance over the burst
    expect(s.accepted).toBeGreaterThanOrEqual(burst)
    expect(s.accepted).toBeLessThanOrEqual(burst + 6)
    expect(s.rejected).toBe(0)
    await until(() => victim.score(a) < SCORE_THRESHOLDS.gossipThreshold, 5000, 'score drop')
    expect(got.filter(r => r.from === a)).toHaveLength(s.accepted)

    await honest.publish([{ group: makeGroup(3) }])
    await until(() => got.some(r => r.from === honest.peerId()), 10_000, 'honest delivery')
    expect(victim.stats().peers[honest.peerId()].throttled).toBe(0)
  })
})

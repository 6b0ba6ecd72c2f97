import { describe, expect, it } from 'vitest'
import { InboundQueue } from '../src/inbound-queue.js'
import { NeighbourLimits } from '../src/neighbour-limits.js'
import { ReplayGuard, groupContentKey } from '../src/replay-guard.js'
import { GRAYLISTED, InboundGuard } from '../src/inbound-guard.js'
import { outboundReservingGater } from '../src/connection-gater.js'
import { resolveTask } from '@murmur/tasks'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { resolveSwarmConfig } from '../src/config.js'
import { baseLibp2pOptions } from '../src/libp2p-options.js'
import {
  BLOCKED_NEIGHBOUR_PENALTY, DEFAULT_IDONTWANT_MIN_BYTES, DEFAULT_MAX_SEEN_GROUPS, DEFAULT_PING_INTERVAL_MS, MAX_PENALTY, NEIGHBOUR_GRACE, NEW_ORIGIN_WASTE_WEIGHT, PENALTY_HALF_LIFE_MS, REJECT_HALF_LIFE_MS
} from '../src/constants.js'
import { makeGroup } from './helpers.js'

describe('InboundQueue fairness', () => {
  it('serves neighbours round-robin, one job each per turn', async () => {
    const q = new InboundQueue({ capacity: 100 })
    const order: string[] = []
    const jobs = [
      ...[1, 2, 3, 4, 5, 6].map(async i => await q.run('flood', 1, () => { order.push(`f${i}`) })),
      ...[1, 2].map(async i => await q.run('honest', 1, () => { order.push(`h${i}`) }))
    ]
    await Promise.all(jobs)
    expect(order).toEqual(['f1', 'h1', 'f2', 'h2', 'f3', 'f4', 'f5', 'f6'])
  })

  it('bounds each neighbour\'s FIFO', async () => {
    const q = new InboundQueue({ capacity: 100, perKey: 2 })
    const flood = [1, 2, 3, 4].map(async i => await q.run('flood', 1, () => i))
    const honest = q.run('honest', 1, () => 'h')
    expect(q.sizeOf('flood')).toBe(2)
    expect(await Promise.all(flood)).toEqual([1, 2, undefined, undefined])
    expect(await honest).toBe('h')
  })

  it('when full, evicts the newest job of the longest FIFO to admit a shorter one', async () => {
    const q = new InboundQueue({ capacity: 4 })
    const flood = [1, 2, 3, 4].map(async i => await q.run('flood', 1, () => i))
    const honest = [1, 2].map(async i => await q.run('honest', 1, () => `h${i}`))
    // a second flooder with nothing queued may take a slot too; an equal FIFO may not
    const other = q.run('other', 1, () => 'o')
    expect(q.size).toBe(4)
    expect(await Promise.all(honest)).toEqual(['h1', 'h2'])
    expect(await other).toBe('o')
    expect(await Promise.all(flood)).toEqual([1, undefined, undefined, undefined])
  })
})

describe('InboundQueue weights', () => {
  it('bounds each neighbour in weight: a 16-group batch takes 16 of its slots', async () => {
    const q = new InboundQueue({ capacity: 100, perKey: 20 })
    const batch = q.run('flood', 16, () => 'b16')
    const second = q.run('flood', 8, () => 'b8')
    const single = q.run('flood', 4, () => 'b4')
    expect(q.sizeOf('flood')).toBe(20)
    expect(q.size).toBe(20)
    expect(await Promise.all([batch, second, single])).toEqual(['b16', undefined, 'b4'])
    // a job heavier than a whole FIFO still fits an empty one (counted as perKey)
    const huge = q.run('other', 500, () => 'huge')
    expect(q.sizeOf('other')).toBe(20)
    expect(await huge).toBe('huge')
    expect(q.size).toBe(0)
  })

  it('when full, evicts the newest jobs of the heaviest FIFO until a lighter neighbour\'s job fits', async () => {
    const q = new InboundQueue({ capacity: 40 })
    const flood = [1, 2, 3, 4].map(async i => await q.run('flood', 10, () => i))
    const honest = q.run('honest', 16, () => 'h')
    expect(q.sizeOf('flood')).toBe(20)
    expect(q.size).toBe(36)
    // an equal-weight competitor cannot evict: 20 ≤ 20 + 16
    const other = q.run('other', 16, () => 'o')
    expect(await other).toBeUndefined()
    expect(await honest).toBe('h')
    expect(await Promise.all(flood)).toEqual([1, 2, undefined, undefined])
  })
})

describe('NeighbourLimits', () => {
  const init = { groupsPerSecond: 2, burst: 4, newOriginsPerMinute: 60, newOriginBurst: 3 }

  it('caps the new origins one neighbour introduces, refilling over time', () => {
    let now = 0
    const n = new NeighbourLimits({ ...init, now: () => now })
    expect([1, 2, 3, 4].map(() => n.takeNewOrigin('via'))).toEqual([true, true, true, false])
    expect(n.takeNewOrigin('other')).toBe(true)
    now += 1000
    expect(n.takeNewOrigin('via')).toBe(true)
    expect(n.takeNewOrigin('via')).toBe(false)
    expect(n.knows('o1')).toBe(false)
    n.accepted('via', 'o1')
    expect(n.knows('o1')).toBe(true)
  })

  it('limits accepted groups per neighbour', () => {
    let now = 0
    const n = new NeighbourLimits({ ...init, now: () => now })
    expect([1, 2, 3, 4, 5].map(() => n.takeGroups('via'))).toEqual([true, true, true, true, false])
    now += 500
    expect(n.takeGroups('via')).toBe(true)
    expect(n.takeGroups('via')).toBe(false)
  })

  it('penalizes a neighbour whose messages are mostly wasted, beyond the grace, with decay', () => {
    let now = 0
    const n = new NeighbourLimits({ ...init, now: () => now })
    for (let i = 0; i < NEIGHBOUR_GRACE; i++) n.wasted('via')
    expect(n.penalty('via')).toBe(0)
    for (let i = 0; i < 10; i++) n.wasted('via')
    expect(n.penalty('via')).toBeCloseTo(10, 10)
    // accepted groups offset wasted ones: a busy honest relay with a few ignored groups is fine
    for (let i = 0; i < 10; i++) n.accepted('via', `o${i}`)
    expect(n.penalty('via')).toBeCloseTo(0, 10)
    for (let i = 0; i < 5000; i++) n.wasted('flood')
    expect(n.penalty('flood')).toBe(MAX_PENALTY)
    now += 10 * PENALTY_HALF_LIFE_MS
    expect(n.penalty('flood')).toBe(0)
  })

  it('blocks a neighbour at its third reject and unblocks it as the count decays', () => {
    let now = 0
    const n = new NeighbourLimits({ ...init, now: () => now })
    n.rejected('via')
    n.rejected('via')
    expect(n.blocked('via')).toBe(false)
    n.rejected('via')
    expect(n.blocked('via')).toBe(true)
    expect(n.penalty('via')).toBe(BLOCKED_NEIGHBOUR_PENALTY)
    now += REJECT_HALF_LIFE_MS
    expect(n.blocked('via')).toBe(false)
  })

  it('blocks a neighbour whose waste penalty alone reaches the graylist threshold', () => {
    const n = new NeighbourLimits({ ...init, now: () => 0 })
    for (let i = 0; i < NEIGHBOUR_GRACE + 79; i++) n.wasted('via')
    expect(n.blocked('via')).toBe(false)
    n.wasted('via')
    expect(n.blocked('via')).toBe(true)
    expect(n.penalty('via')).toBeCloseTo(80 + BLOCKED_NEIGHBOUR_PENALTY, 6)
  })
})

describe('groupContentKey', () => {
  it('ignores the signer-side fields and completion order, but not the task or the completions', () => {
    const g = makeGroup(7)
    const key = groupContentKey(g)
    expect(groupContentKey({ ...g, completions: [...g.completions].reverse() })).toBe(key)
    expect(groupContentKey(makeGroup(7, { createdAt: 1, round: 9, modelId: 'x', scores: [1, 1, 1] }))).toBe(key)
    expect(groupContentKey(makeGroup(8))).not.toBe(key)
    expect(groupContentKey({ ...g, completions: [...g.completions, 'more'] })).not.toBe(key)
    expect(groupContentKey({ ...g, task: { ...g.task, params: { format: 'words' } } })).not.toBe(key)
    // params are compared by value, not by key order
    const two = { ...g, task: { ...g.task, params: { a: 1, b: 'x' } } }
    expect(groupContentKey({ ...g, task: { ...g.task, params: { b: 'x', a: 1 } } })).toBe(groupContentKey(two))
  })
})

describe('ReplayGuard', () => {
  it('refuses a remembered content for the whole window, then forgets it', () => {
    let now = 0
    const r = new ReplayGuard({ windowMs: 1000, maxEntries: 10, now: () => now })
    expect(r.check('a', 0)).toBeUndefined()
    r.remember('a', 0)
    now = 999
    expect(r.check('a', 0)).toBe('duplicate')
    now = 1000
    expect(r.check('a', 0)).toBeUndefined()
    expect(r.size).toBe(0)
  })

  it('stays bounded and refuses anything as old as an evicted entry', () => {
    let now = 0
    const r = new ReplayGuard({ windowMs: 60_000, maxEntries: 3, now: () => now })
    for (let i = 0; i < 5; i++) { now = i * 10; r.remember(`k${i}`, now - 5) }
    expect(r.size).toBe(3)
    expect(r.check('k0', -5)).toBe('replay-horizon')
    expect(r.check('k1', 5)).toBe('replay-horizon')
    expect(r.check('new', 6)).toBeUndefined()
    expect(r.check('k4', 35)).toBe('duplicate')
  })

  it('does not let a future-dated evicted entry refuse fresh groups', () => {
    let now = 0
    const r = new ReplayGuard({ windowMs: 60_000, maxEntries: 1, now: () => now })
    r.remember('future', 100_000)
    now = 1
    r.remember('b', 1)
    expect(r.check('fresh', 2)).toBeUndefined()
  })
})

describe('InboundGuard', () => {
  const init = {
    origin: { groupsPerSecond: 10, burst: 5 },
    neighbour: { groupsPerSecond: 50, burst: 100, newOriginsPerMinute: 60, newOriginBurst: 8 },
    replay: { windowMs: 60_000, maxEntries: DEFAULT_MAX_SEEN_GROUPS }
  }

  it('accepts one copy of a content whatever the number of origins', () => {
    const guard = new InboundGuard({ ...init, now: () => 0 })
    const g = makeGroup(1)
    expect(guard.admit([g], 'o1', 'via')).toBeUndefined()
    expect(guard.admit([{ ...g, createdAt: g.createdAt + 1 }], 'o2', 'via')).toEqual({ verdict: 'ignored', reason: 'duplicate' })
    expect(guard.admit([g], 'o3', 'other')).toEqual({ verdict: 'ignored', reason: 'duplicate' })
  })

  it('bounds what 1,000 fresh origins over one neighbour get accepted, and penalizes the neighbour', () => {
    const guard = new InboundGuard({ ...init, now: () => 0 })
    let accepted = 0
    for (let i = 0; i < 1000; i++) {
      const refusal = guard.admit([makeGroup(100 + i)], `sybil${i}`, 'via')
      guard.record('via', refusal?.verdict ?? 'accepted', refusal?.reason ?? 'ok')
      if (refusal === undefined) accepted++
    }
    expect(accepted).toBe(8)
    expect(guard.stats().reasons['new-origin']).toBe(992)
    // wasted messages net of the accepted ones, beyond the grace, and blocked
    expect(guard.penalty('via')).toBeCloseTo(992 * NEW_ORIGIN_WASTE_WEIGHT - 8 - NEIGHBOUR_GRACE + BLOCKED_NEIGHBOUR_PENALTY, 6)
    expect(guard.blocked('via')).toBe(true)
    // a known origin through the same neighbour is still accepted (within its own rate)
    expect(guard.admit([makeGroup(5000)], 'sybil0', 'via')).toBeUndefined()
    // and another neighbour is unaffected
    expect(guard.admit([makeGroup(5001)], 'honest', 'other')).toBeUndefined()
    expect(guard.penalty('other')).toBe(0)
  })

  it('does not count drops of a blocked neighbour as new waste, so its block lifts as the waste decays', () => {
    let now = 0
    const guard = new InboundGuard({ ...init, now: () => now })
    for (let i = 0; i < NEIGHBOUR_GRACE + 80; i++) guard.record('via', 'ignored', 'unknown-task')
    expect(guard.blocked('via')).toBe(true)
    for (let i = 0; i < 10_000; i++) guard.record('via', 'dropped', GRAYLISTED)
    now += PENALTY_HALF_LIFE_MS
    expect(guard.blocked('via')).toBe(false)
    expect(guard.stats().reasons[GRAYLISTED]).toBe(10_000)
  })

  it('throttles by the origin\'s rate and then by the neighbour\'s', () => {
    const guard = new InboundGuard({ ...init, neighbour: { ...init.neighbour, burst: 7 }, now: () => 0 })
    const verdicts = Array.from({ length: 6 }, (_, i) => guard.admit([makeGroup(i)], 'o', 'via')?.reason ?? 'ok')
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'origin-rate'])
    const more = Array.from({ length: 3 }, (_, i) => guard.admit([makeGroup(100 + i)], 'p', 'via')?.reason ?? 'ok')
    expect(more).toEqual(['ok', 'ok', 'neighbour-rate'])
  })
  it('admits a message\'s groups all or none, counting the rates in groups', () => {
    const guard = new InboundGuard({ ...init, now: () => 0 })
    // the origin's burst is 5: a batch of 4 fits, a second batch of 4 does not (nothing of it is taken or remembered)
    expect(guard.admit([0, 1, 2, 3].map(i => makeGroup(i)), 'o', 'via')).toBeUndefined()
    expect(guard.admit([4, 5, 6, 7].map(i => makeGroup(i)), 'o', 'via')).toEqual({ verdict: 'throttled', reason: 'origin-rate' })
    expect(guard.admit([makeGroup(4)], 'o', 'via')).toBeUndefined()
    // one replayed group makes the whole batch a replay; the same content twice in one batch is a duplicate
    expect(guard.admit([makeGroup(10), makeGroup(2)], 'p', 'via')).toEqual({ verdict: 'ignored', reason: 'duplicate' })
    expect(guard.admit([makeGroup(11), makeGroup(11)], 'p', 'via')).toEqual({ verdict: 'ignored', reason: 'duplicate' })
    expect(guard.admit([makeGroup(10), makeGroup(11)], 'p', 'via')).toBeUndefined()
  })

  it('counts verdicts on a batch per group', () => {
    const guard = new InboundGuard({ ...init, now: () => 0 })
    guard.record('via', 'accepted', 'ok', 4)
    guard.record('via', 'ignored', 'stale', 2)
    guard.record('via', 'rejected', 'prompt-mismatch')
    expect(guard.stats().peers.via).toMatchObject({ accepted: 4, ignored: 2, rejected: 1 })
    expect(guard.stats().reasons).toEqual({ stale: 2, 'prompt-mismatch': 1 })
  })
})

describe('outbound reservation', () => {
  it('refuses inbound connections once they hold all but the reserved slots', () => {
    let inbound = 0
    const gater = outboundReservingGater(10, 3, () => inbound)
    const deny = (): boolean => gater.denyInboundConnection?.({} as never) as boolean
    inbound = 6
    expect(deny()).toBe(false)
    inbound = 7
    expect(deny()).toBe(true)
    expect(outboundReservingGater(10, 0, () => 10).denyInboundConnection?.({} as never)).toBe(false)
  })

  it('defaults to 8 reserved slots, at most a quarter of the maximum, and names a bad value', () => {
    expect(resolveSwarmConfig({ resolveTask }).reservedOutbound).toBe(8)
    expect(resolveSwarmConfig({ resolveTask, connections: { max: 12 } }).reservedOutbound).toBe(3)
    expect(() => resolveSwarmConfig({ resolveTask, connections: { max: 4, reservedOutbound: 4 } }))
      .toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'connections.reservedOutbound' }) as Error)
    expect(resolveSwarmConfig({ resolveTask, maxAgeMs: 1000 }).replayWindowMs).toBe(1000 + 2 * 60_000)
  })

  it('passes the connection-monitor interval to libp2p and checks it and the IDONTWANT threshold', async () => {
    const defaults = resolveSwarmConfig({ resolveTask })
    expect(defaults.pingIntervalMs).toBe(DEFAULT_PING_INTERVAL_MS)
    expect(defaults.idontwantMinBytes).toBe(DEFAULT_IDONTWANT_MIN_BYTES)
    const config = resolveSwarmConfig({ resolveTask, connections: { pingIntervalMs: 45_000 }, gossip: { idontwantMinBytes: 1024 } })
    expect(config.idontwantMinBytes).toBe(1024)
    expect(baseLibp2pOptions(config, await generateKeyPair('Ed25519')).connectionMonitor).toEqual({ pingInterval: 45_000, pingTimeout: { minTimeout: 20_000, maxTimeout: 20_000 } })
    expect(() => resolveSwarmConfig({ resolveTask, connections: { pingIntervalMs: 0 } }))
      .toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'connections.pingIntervalMs' }) as Error)
    expect(() => resolveSwarmConfig({ resolveTask, gossip: { idontwantMinBytes: -1 } }))
      .toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'gossip.idontwantMinBytes' }) as Error)
  })
})

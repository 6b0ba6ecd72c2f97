import { describe, expect, it } from 'vitest'
import { FloodControl, LruMap } from '../src/limits.js'
import { InboundQueue } from '../src/inbound-queue.js'
import { resolveTask } from '@murmur/tasks'
import { resolveSwarmConfig, type SwarmHostInit } from '../src/config.js'
import { homeShardOf, readShards, rolloutTopic, shardTopics } from '../src/shards.js'
import { checkSwarmKey, generateSwarmKey } from '../src/swarm-key.js'
import { DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_HIGH, DEFAULT_MESH_DEGREE_LOW, PENALTY_HALF_LIFE_MS } from '../src/constants.js'

describe('LruMap', () => {
  it('evicts the least recently used entry beyond its bound', () => {
    const m = new LruMap<number>(2)
    m.set('a', 1)
    m.set('b', 2)
    expect(m.get('a')).toBe(1) // a is now most recent
    m.set('c', 3)
    expect(m.size).toBe(2)
    expect(m.get('b')).toBeUndefined()
    expect([...m.entries()].map(([k]) => k)).toEqual(['a', 'c'])
  })
})

describe('FloodControl', () => {
  it('allows a burst, then the sustained rate, and penalizes what exceeds it', () => {
    let now = 0
    const fc = new FloodControl({ ratePerSecond: 2, burst: 3, now: () => now })
    expect([1, 2, 3, 4].map(() => fc.take('x'))).toEqual([true, true, true, false])
    expect(fc.penalty('x')).toBe(1)
    expect(fc.take('y')).toBe(true) // buckets are per origin
    now += 500 // one token at 2/s
    expect(fc.take('x')).toBe(true)
    expect(fc.take('x')).toBe(false)
    expect(fc.penalty('x')).toBeCloseTo(1 + 0.5 ** (500 / PENALTY_HALF_LIFE_MS), 10)
    now += 10_000 // refills to the burst, not beyond
    expect([1, 2, 3, 4].map(() => fc.take('x'))).toEqual([true, true, true, false])
  })

  it('halves the penalty every half-life', () => {
    let now = 0
    const fc = new FloodControl({ ratePerSecond: 1, burst: 1, now: () => now })
    fc.take('x')
    for (let i = 0; i < 8; i++) fc.take('x')
    expect(fc.penalty('x')).toBe(8)
    now += PENALTY_HALF_LIFE_MS
    expect(fc.penalty('x')).toBeCloseTo(4, 10)
    now += 2 * PENALTY_HALF_LIFE_MS
    expect(fc.penalty('x')).toBeCloseTo(1, 10)
    expect(fc.penalty('nobody')).toBe(0)
  })

  it('remembers a bounded number of peers', () => {
    const fc = new FloodControl({ ratePerSecond: 1, burst: 1, maxPeers: 2, now: () => 0 })
    for (const p of ['a', 'a', 'b', 'b', 'c', 'c']) fc.take(p)
    // a was evicted: it gets a fresh bucket (and its penalty is forgotten)
    expect(fc.penalty('a')).toBe(0)
    expect(fc.take('a')).toBe(true)
  })
})

describe('InboundQueue', () => {
  it('runs jobs in order and refuses jobs beyond its capacity', async () => {
    const q = new InboundQueue({ capacity: 3 })
    const order: number[] = []
    const results = [1, 2, 3, 4, 5].map(async i => await q.run('a', 1, () => { order.push(i); return i * 10 }))
    expect(q.size).toBe(3)
    expect(await Promise.all(results)).toEqual([10, 20, 30, undefined, undefined])
    expect(order).toEqual([1, 2, 3])
    expect(await q.run('a', 1, () => 6)).toBe(6)
  })

  it('propagates a job\'s error and keeps going', async () => {
    const q = new InboundQueue({ capacity: 4 })
    const bad = q.run('a', 1, () => { throw new Error('boom') })
    const good = q.run('a', 1, () => 'ok')
    await expect(bad).rejects.toThrow('boom')
    expect(await good).toBe('ok')
  })

  it('resolves waiting jobs as undefined when closed', async () => {
    const q = new InboundQueue({ capacity: 4 })
    let ran = false
    const pending = q.run('a', 1, () => { ran = true })
    q.close()
    expect(await pending).toBeUndefined()
    expect(ran).toBe(false)
    expect(await q.run('a', 1, () => 1)).toBeUndefined()
  })
})

describe('config', () => {
  it('fills defaults and derives the topic', () => {
    const c = resolveSwarmConfig({ swarmId: 'lab-1', resolveTask })
    expect(c.topics).toEqual(['/murmur/lab-1/rollouts/3'])
    expect(c.shardCount).toBe(1)
    expect(c.shardsRead).toBe(1)
    expect(rolloutTopic('x')).toBe('/murmur/x/rollouts/3')
    expect(c.dht).toBe('off')
    expect(c.mdns).toBe(false)
    expect(c.bootstrap).toEqual([])
    expect(c.floodPublish).toBe(false)
    expect([c.meshDegree, c.meshDegreeLow, c.meshDegreeHigh]).toEqual([DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_LOW, DEFAULT_MESH_DEGREE_HIGH])
  })

  it('names one topic per shard, and reads consecutive shards from the home shard', () => {
    const c = resolveSwarmConfig({ swarmId: 'lab', resolveTask, shards: { count: 4 } })
    expect(c.topics).toEqual(shardTopics('lab', 4))
    expect(c.topics).toEqual(['/murmur/lab/rollouts/3/0-of-4', '/murmur/lab/rollouts/3/1-of-4', '/murmur/lab/rollouts/3/2-of-4', '/murmur/lab/rollouts/3/3-of-4'])
    expect(c.shardsRead).toBe(2)
    expect(c.homeShard).toBeUndefined()
    expect(readShards(3, 2, 4)).toEqual([3, 0])
    expect(readShards(1, 3, 2)).toEqual([1, 0])
    // the peer-id hash spreads ids over shards and is stable
    const ids = Array.from({ length: 400 }, (_, i) => `12D3KooW${i.toString(36).padStart(8, 'x')}`)
    const counts = [0, 0, 0, 0]
    for (const id of ids) counts[homeShardOf(id, 4)]++
    for (const n of counts) expect(n).toBeGreaterThan(60)
    expect(homeShardOf(ids[7], 4)).toBe(homeShardOf(ids[7], 4))
  })

  it('keeps Dlo ≤ D ≤ Dhi, widening the water marks around a D given alone', () => {
    expect(resolveSwarmConfig({ resolveTask, gossip: { D: 3 } })).toMatchObject({ meshDegree: 3, meshDegreeLow: 3, meshDegreeHigh: 12 })
    expect(resolveSwarmConfig({ resolveTask, gossip: { D: 20 } })).toMatchObject({ meshDegree: 20, meshDegreeLow: 4, meshDegreeHigh: 20 })
  })

  it('names the bad key', () => {
    const bad: Array<[Partial<SwarmHostInit>, string]> = [
      [{ resolveTask: undefined }, 'resolveTask'],
      [{ swarmId: 'has/slash' }, 'swarmId'],
      [{ swarmId: '' }, 'swarmId'],
      [{ dht: 'public' as 'server' }, 'dht'],
      [{ rateLimit: { groupsPerSecond: -1 } }, 'rateLimit.groupsPerSecond'],
      [{ rateLimit: { burst: 1.5 } }, 'rateLimit.burst'],
      [{ connections: { max: 0 } }, 'connections.max'],
      [{ gossip: { heartbeatMs: Number.NaN } }, 'gossip.heartbeatMs'],
      [{ gossip: { ipColocationWeight: 3 } }, 'gossip.ipColocationWeight'],
      [{ psk: new Uint8Array(95) }, 'psk'],
      [{ listen: 'x' as unknown as string[] }, 'listen'],
      [{ neighbourLimit: { groupsPerSecond: 0 } }, 'neighbourLimit.groupsPerSecond'],
      [{ neighbourLimit: { newOriginBurst: 2.5 } }, 'neighbourLimit.newOriginBurst'],
      [{ neighbourLimit: { maxQueued: -1 } }, 'neighbourLimit.maxQueued'],
      [{ replay: { windowMs: 0 } }, 'replay.windowMs'],
      [{ replay: { maxEntries: Number.POSITIVE_INFINITY } }, 'replay.maxEntries'],
      [{ gossip: { seenTtlMs: -5 } }, 'gossip.seenTtlMs'],
      [{ gossip: { D: 0 } }, 'gossip.D'],
      [{ gossip: { D: 3, Dlo: 4 } }, 'gossip.Dlo'],
      [{ gossip: { D: 6, Dhi: 5 } }, 'gossip.Dhi'],
      [{ connections: { reservedOutbound: -1 } }, 'connections.reservedOutbound'],
      [{ shards: { count: 0 } }, 'shards.count'],
      [{ shards: { count: 257 } }, 'shards.count'],
      [{ shards: { count: 4, home: 4 } }, 'shards.home'],
      [{ shards: { count: 4, home: -1 } }, 'shards.home'],
      [{ shards: { count: 4, home: 1.5 } }, 'shards.home'],
      [{ shards: { count: 4, read: 5 } }, 'shards.read']
    ]
    for (const [init, field] of bad) {
      expect(() => resolveSwarmConfig({ resolveTask, ...init } as SwarmHostInit)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field }) as Error)
    }
  })
})

describe('swarm keys', () => {
  it('generates distinct, well-formed keys', () => {
    const a = generateSwarmKey()
    const b = generateSwarmKey()
    expect(checkSwarmKey(a)).toBe(a)
    expect(a).not.toEqual(b)
    expect(new TextDecoder().decode(a)).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/)
  })
})

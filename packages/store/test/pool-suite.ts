import { afterEach, describe, expect, it } from 'vitest'
import { hasErrorCode } from '@murmur/interface'
import { hashCompletions, poolEntryId } from '../src/util.js'
import type { PoolInsert } from '../src/types.js'
import { fakeClock, mulberry32, type Harness, type HarnessFactory } from './helpers.js'

function entry (i: number, over: Partial<PoolInsert> = {}): PoolInsert {
  return {
    origin: i % 2 === 0 ? 'local' : 'peer',
    producer: `node-${i % 3}`,
    family: i % 4 === 0 ? 'arith' : 'copy',
    taskKey: `task-${i}`,
    round: Math.floor(i / 5),
    payload: new TextEncoder().encode(`payload-${i}`),
    completions: [`c${i}a`, `c${i}b`],
    ...over
  }
}

/** The rollout pool behaviours every implementation must share. */
export function poolSuite (name: string, make: HarnessFactory): void {
  describe(`${name} rollout pool`, () => {
    let h: Harness | undefined
    afterEach(async () => { await h?.dispose(); h = undefined })

    it('round-trips an entry with its metadata and payload', async () => {
      const clock = fakeClock(5000)
      h = await make({ now: clock.now })
      const res = await h.store.pool.insert(entry(1))
      expect(res.status).toBe('inserted')
      const id = poolEntryId('node-1', 'task-1', hashCompletions(['c1a', 'c1b']))
      const got = await h.store.pool.get(id)
      expect(got).toMatchObject({ id, origin: 'peer', producer: 'node-1', family: 'copy', taskKey: 'task-1', round: 0, arrivedAt: 5000, bytes: 9 })
      expect(new TextDecoder().decode(got?.payload)).toBe('payload-1')
      expect(h.store.pool.has(id)).toBe(true)
      expect(await h.store.pool.get('nope')).toBeUndefined()
    })

    it('detects duplicates by producer, task and completions regardless of completion order', async () => {
      h = await make()
      const p = h.store.pool
      expect((await p.insert(entry(1))).status).toBe('inserted')
      expect((await p.insert(entry(1, { completions: ['c1b', 'c1a'], payload: new Uint8Array([9]) }))).status).toBe('duplicate')
      expect((await p.insert(entry(1, { completions: undefined, completionsHash: hashCompletions(['c1a', 'c1b']) }))).status).toBe('duplicate')
      expect((await p.insert(entry(1, { producer: 'other' }))).status).toBe('inserted')
      expect((await p.insert(entry(1, { completions: ['c1a', 'different'] }))).status).toBe('inserted')
      expect((await p.insert(entry(1, { taskKey: 'task-x' }))).status).toBe('inserted')
      expect(p.stats().entries).toBe(4)
    })

    it('evicts the oldest entries to stay within maxEntries', async () => {
      const clock = fakeClock()
      h = await make({ now: clock.now, pool: { maxEntries: 5 } })
      const ids: string[] = []
      for (let i = 0; i < 8; i++) {
        clock.advance(1)
        const r = await h.store.pool.insert(entry(i))
        if (r.status !== 'inserted') throw new Error('expected insert')
        ids.push(r.entry.id)
        expect(r.evicted).toBe(i >= 5 ? 1 : 0)
      }
      expect(h.store.pool.stats().entries).toBe(5)
      expect(ids.slice(0, 3).map(id => h?.store.pool.has(id))).toEqual([false, false, false])
      expect(h.store.pool.queryMeta({ order: 'oldest' }).map(m => m.id)).toEqual(ids.slice(3))
    })

    it('evicts the oldest entries to stay within maxBytes and rejects a payload larger than the bound', async () => {
      h = await make({ pool: { maxBytes: 100 } })
      for (let i = 0; i < 5; i++) await h.store.pool.insert(entry(i, { payload: new Uint8Array(30).fill(i) }))
      const s = h.store.pool.stats()
      expect(s.entries).toBe(3)
      expect(s.bytes).toBe(90)
      expect(h.store.pool.queryMeta({ order: 'oldest' }).map(m => m.taskKey)).toEqual(['task-2', 'task-3', 'task-4'])
      const err = await h.store.pool.insert(entry(9, { payload: new Uint8Array(101) })).catch((e: unknown) => e)
      expect(hasErrorCode(err, 'ERR_POOL_ENTRY_TOO_LARGE')).toBe(true)
    })

    it('expires entries after ttlMs: hidden from reads, removed by prune, and re-insertable', async () => {
      const clock = fakeClock(0)
      h = await make({ now: clock.now, pool: { ttlMs: 1000 } })
      const a = await h.store.pool.insert(entry(1))
      clock.set(500)
      await h.store.pool.insert(entry(2))
      clock.set(999)
      expect(h.store.pool.stats().entries).toBe(2)
      clock.set(1000)
      const id = a.status === 'inserted' ? a.entry.id : ''
      expect(h.store.pool.has(id)).toBe(false)
      expect(await h.store.pool.get(id)).toBeUndefined()
      expect((await h.store.pool.query()).map(e => e.taskKey)).toEqual(['task-2'])
      expect(h.store.pool.stats()).toMatchObject({ entries: 1, oldestArrivedAt: 500 })
      expect(await h.store.pool.prune()).toBe(1)
      expect(await h.store.pool.prune()).toBe(0)
      expect((await h.store.pool.insert(entry(1))).status).toBe('inserted')
      clock.set(1500)
      expect((await h.store.pool.insert(entry(3))).status).toBe('inserted')
      expect(h.store.pool.queryMeta().map(m => m.taskKey)).toEqual(['task-3', 'task-1'])
    })

    it('answers queries by family, producer, origin, round and recency', async () => {
      const clock = fakeClock(0)
      h = await make({ now: clock.now })
      for (let i = 0; i < 20; i++) { clock.set(i * 10); await h.store.pool.insert(entry(i)) }
      const p = h.store.pool
      const keys = (q: Parameters<typeof p.queryMeta>[0]): number[] => p.queryMeta(q).map(m => Number(m.taskKey.slice(5)))
      const all = Array.from({ length: 20 }, (_, i) => i)
      expect(keys({})).toEqual([...all].reverse())
      expect(keys({ order: 'oldest', family: 'arith' })).toEqual(all.filter(i => i % 4 === 0))
      expect(keys({ order: 'oldest', producer: 'node-2' })).toEqual(all.filter(i => i % 3 === 2))
      expect(keys({ order: 'oldest', origin: 'peer', family: 'copy' })).toEqual(all.filter(i => i % 2 === 1 && i % 4 !== 0))
      expect(keys({ since: 150 })).toEqual([19, 18, 17, 16, 15])
      expect(keys({ round: 2, order: 'oldest' })).toEqual([10, 11, 12, 13, 14])
      expect(keys({ limit: 3 })).toEqual([19, 18, 17])
      const full = await p.query({ family: 'arith', limit: 2 })
      expect(full.map(e => new TextDecoder().decode(e.payload))).toEqual(['payload-16', 'payload-12'])
    })

    it('samples without replacement, deterministically for a seed, honouring filters', async () => {
      h = await make()
      for (let i = 0; i < 30; i++) await h.store.pool.insert(entry(i))
      const p = h.store.pool
      const a = await p.sample(10, { rng: mulberry32(7) })
      const b = await p.sample(10, { rng: mulberry32(7).nextFloat })
      const c = await p.sample(10, { rng: mulberry32(8) })
      expect(a.map(e => e.id)).toEqual(b.map(e => e.id))
      expect(a.map(e => e.id)).not.toEqual(c.map(e => e.id))
      expect(new Set(a.map(e => e.id)).size).toBe(10)
      const filtered = await p.sample(100, { rng: mulberry32(1), family: 'copy', filter: m => m.origin === 'peer' })
      expect(filtered.map(e => e.taskKey).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => i).filter(i => i % 2 === 1 && i % 4 !== 0).map(i => `task-${i}`).sort())
      expect(await p.sample(0, { rng: mulberry32(1) })).toEqual([])
    })

    it('samples uniformly: each of n entries is drawn with probability k/n', async () => {
      h = await make()
      const n = 10
      const k = 3
      for (let i = 0; i < n; i++) await h.store.pool.insert(entry(i))
      const counts = new Map<string, number>()
      const rng = mulberry32(42)
      const trials = 4000
      for (let t = 0; t < trials; t++) {
        for (const e of await h.store.pool.sample(k, { rng })) counts.set(e.taskKey, (counts.get(e.taskKey) ?? 0) + 1)
      }
      const expected = trials * k / n
      const sd = Math.sqrt(trials * (k / n) * (1 - k / n))
      expect(counts.size).toBe(n)
      for (const c of counts.values()) expect(Math.abs(c - expected)).toBeLessThan(5 * sd)
    })

    it('rejects bad inputs with typed errors', async () => {
      h = await make()
      const p = h.store.pool
      const bad: Array<[Partial<PoolInsert>, string]> = [
        [{ origin: 'alien' as 'peer' }, 'entry.origin'],
        [{ producer: '' }, 'entry.producer'],
        [{ round: -1 }, 'entry.round'],
        [{ round: 1.5 }, 'entry.round'],
        [{ payload: 'x' as unknown as Uint8Array }, 'entry.payload'],
        [{ completionsHash: 'xyz', completions: undefined }, 'entry.completionsHash'],
        [{ completions: undefined }, 'entry.completions']
      ]
      for (const [over, field] of bad) {
        const err = await p.insert(entry(1, over)).catch((e: unknown) => e)
        expect(err).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field })
      }
      await p.insert(entry(1))
      await expect(p.sample(2, { rng: () => 1.5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
      await expect(p.sample(1, { rng: () => 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'options.rng' })
      await expect(p.sample(1, {} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'rng' })
      expect(() => p.queryMeta({ limit: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    })

    it('keeps entries, order and duplicates across a reopen', async () => {
      h = await make()
      for (let i = 0; i < 12; i++) await h.store.pool.insert(entry(i))
      const before = h.store.pool.queryMeta()
      const sampleBefore = (await h.store.pool.sample(5, { rng: mulberry32(3) })).map(e => e.id)
      const store = await h.reopen()
      expect(store.pool.queryMeta()).toEqual(before)
      expect((await store.pool.sample(5, { rng: mulberry32(3) })).map(e => e.id)).toEqual(sampleBefore)
      expect((await store.pool.insert(entry(4))).status).toBe('duplicate')
      expect((await store.pool.insert(entry(12))).status).toBe('inserted')
    })

    it('applies tightened bounds and elapsed TTL on reopen', async () => {
      const clock = fakeClock(0)
      h = await make({ now: clock.now, pool: { ttlMs: 100 } })
      await h.store.pool.insert(entry(1))
      clock.set(50)
      await h.store.pool.insert(entry(2))
      clock.set(120)
      const store = await h.reopen()
      expect(store.pool.stats().entries).toBe(1)
    })

    it('isolates stored payloads from caller mutation', async () => {
      h = await make()
      const e = entry(1)
      const r = await h.store.pool.insert(e)
      e.payload.fill(0)
      const id = r.status === 'inserted' ? r.entry.id : ''
      const got = await h.store.pool.get(id)
      expect(new TextDecoder().decode(got?.payload)).toBe('payload-1')
      got?.payload.fill(0)
      expect(new TextDecoder().decode((await h.store.pool.get(id))?.payload)).toBe('payload-1')
    })

    it('deletes single entries and clears everything', async () => {
      h = await make()
      const r = await h.store.pool.insert(entry(1))
      await h.store.pool.insert(entry(2))
      const id = r.status === 'inserted' ? r.entry.id : ''
      expect(await h.store.pool.delete(id)).toBe(true)
      expect(await h.store.pool.delete(id)).toBe(false)
      expect(h.store.pool.stats().entries).toBe(1)
      await h.store.pool.clear()
      expect(h.store.pool.stats()).toMatchObject({ entries: 0, bytes: 0 })
      const store = await h.reopen()
      expect(store.pool.stats().entries).toBe(0)
    })

    it('honours an aborted signal and refuses use after stop', async () => {
      h = await make()
      const ac = new AbortController()
      ac.abort()
      await expect(h.store.pool.insert(entry(1), { signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' })
      expect(h.store.pool.stats().entries).toBe(0)
      const pool = h.store.pool
      await h.store.stop()
      await h.store.stop()
      expect(() => h?.store.pool).toThrow(expect.objectContaining({ code: 'ERR_NOT_STARTED' }))
      await expect(pool.insert(entry(1))).rejects.toMatchObject({ code: 'ERR_NOT_STARTED' })
    })
  })
}

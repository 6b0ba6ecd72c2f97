// Group commit: writes issued together share one backend commit and get the results they would
// get one after another; a failed commit fails every call in it and changes nothing.
import { describe, expect, it } from 'vitest'
import type { PoolWrite } from '../src/pool/batch.js'
import { PoolCore } from '../src/pool/core.js'
import { MemoryPoolBackend } from '../src/pool/memory.js'
import type { PoolInsert, RolloutPoolInit } from '../src/types.js'
import { hashCompletions, poolEntryId } from '../src/util.js'

class CountingBackend extends MemoryPoolBackend {
  commits: PoolWrite[][] = []
  failNext = false
  override async commit (writes: PoolWrite[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false
      throw new Error('disk full')
    }
    this.commits.push(writes)
    await super.commit(writes)
  }
}

function entry (i: number, over: Partial<PoolInsert> = {}): PoolInsert {
  return { origin: 'peer', producer: `p${i % 3}`, family: 'f', taskKey: `t${i}`, round: 0, payload: new Uint8Array([i]), completions: [`c${i}`], ...over }
}

function pool (init: RolloutPoolInit = {}): { pool: PoolCore, backend: CountingBackend } {
  const backend = new CountingBackend()
  return { pool: new PoolCore(backend, init, { now: () => 1000, assertOpen: () => {} }), backend }
}

/** Inserts of entries 0…7 (6 kept at most), entry 5 again (a duplicate), entry 0 again (evicted by then), and deletes of entries 6 (stored), 1 (evicted) and 9 (never stored). */
async function script (p: PoolCore, together: boolean): Promise<unknown[]> {
  const id = (i: number): string => poolEntryId(entry(i).producer, entry(i).taskKey, hashCompletions(entry(i).completions ?? []))
  const calls: Array<() => Promise<unknown>> = [
    ...Array.from({ length: 8 }, (_, i) => async () => await p.insert(entry(i))),
    async () => await p.insert(entry(5)),
    async () => await p.insert(entry(0)),
    async () => await p.delete(id(6)),
    async () => await p.delete(id(1)),
    async () => await p.delete(id(9))
  ]
  if (!together) {
    const out: unknown[] = []
    for (const call of calls) out.push(await call())
    return out
  }
  return await Promise.all(calls.map(async call => await call()))
}

describe('pool group commit', () => {
  it('commits writes issued together at once, with the results of running them in turn', async () => {
    const seq = pool({ maxEntries: 6 })
    const inTurn = await script(seq.pool, false)
    const batched = pool({ maxEntries: 6 })
    const together = await script(batched.pool, true)
    expect(together).toEqual(inTurn)
    expect(batched.pool.queryMeta({ order: 'oldest' })).toEqual(seq.pool.queryMeta({ order: 'oldest' }))
    expect(batched.pool.stats()).toEqual(seq.pool.stats())
    expect(seq.backend.commits.length).toBe(10)
    // The first insert opens the batch; every call issued in the same turn joins it.
    expect(batched.backend.commits.length).toBe(1)
    // What the backend holds matches the index (evicted entries' payloads are gone).
    const payloads = async (q: PoolCore): Promise<number[][]> => (await q.query({ order: 'oldest' })).map(e => Array.from(e.payload))
    expect(await payloads(batched.pool)).toEqual(await payloads(seq.pool))
    expect(await payloads(batched.pool)).toEqual([[3], [4], [5], [7], [0]])
  })

  it('fails every call of a failed commit and leaves the pool as it was', async () => {
    const { pool: p, backend } = pool()
    await p.insert(entry(0))
    backend.failNext = true
    const results = await Promise.allSettled([p.insert(entry(1)), p.insert(entry(2)), p.delete(p.queryMeta()[0].id)])
    expect(results.map(r => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(p.queryMeta().map(m => m.taskKey)).toEqual(['t0'])
    expect((await p.insert(entry(1))).status).toBe('inserted')
    expect(p.stats().entries).toBe(2)
  })

  it('keeps the order of calls around clear(): a write issued after it survives', async () => {
    const { pool: p } = pool()
    const before = p.insert(entry(0))
    const cleared = p.clear()
    const after = p.insert(entry(1))
    await Promise.all([before, cleared, after])
    expect(p.queryMeta().map(m => m.taskKey)).toEqual(['t1'])
  })

  it('refuses an aborted call without failing the rest of its batch', async () => {
    const { pool: p } = pool()
    const ac = new AbortController()
    const aborted = p.insert(entry(0), { signal: ac.signal })
    const other = p.insert(entry(1))
    ac.abort()
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    expect((await other).status).toBe('inserted')
    expect(p.queryMeta().map(m => m.taskKey)).toEqual(['t1'])
  })
})

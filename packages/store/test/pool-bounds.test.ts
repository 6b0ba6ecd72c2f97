// Bounds and TTL under sustained load: 100k inserts into each implementation, checked against an
// independent model of the pool after every batch, with heap and RSS growth measured.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { levelHarness, memoryHarness, mulberry32, type HarnessFactory } from './helpers.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const MAX_ENTRIES = 2000
const MAX_BYTES = 1_000_000
const TTL_MS = 1500
const INSERTS = 100_000

/** The pool's contract restated as the simplest possible model: a FIFO with expiry and bounds. */
class Model {
  readonly live: Array<{ key: string, at: number, size: number }> = []
  private readonly keys = new Set<string>()
  private bytes = 0
  insert (key: string, size: number, now: number): boolean {
    while (this.live.length > 0 && now - this.live[0].at >= TTL_MS) this.drop()
    if (this.keys.has(key)) return false
    while (this.live.length + 1 > MAX_ENTRIES || this.bytes + size > MAX_BYTES) this.drop()
    this.live.push({ key, at: now, size })
    this.keys.add(key)
    this.bytes += size
    return true
  }

  private drop (): void {
    const e = this.live.shift()
    if (e === undefined) return
    this.bytes -= e.size
    this.keys.delete(e.key)
  }
}

function memory (): { heap: number, rss: number } {
  gc()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, rss: m.rss }
}

for (const [name, make] of [['memory', memoryHarness], ['level', levelHarness]] as Array<[string, HarnessFactory]>) {
  describe(`${name} pool under ${INSERTS} inserts`, () => {
    it('holds count, byte and TTL bounds, matches the model, and keeps memory bounded', async () => {
      let now = 0
      const h = await make({ now: () => now, pool: { maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES, ttlMs: TTL_MS } })
      const model = new Model()
      const rng = mulberry32(12345)
      const payload = new Uint8Array(1000)
      let before = memory()
      let peak = { heap: 0, rss: 0 }
      let duplicates = 0
      let mismatches = 0
      try {
        for (let i = 0; i < INSERTS; i++) {
          // First half: inserts arrive fast (count and byte bounds bind); second half: slowly (TTL binds).
          now += i < INSERTS / 2 ? (rng.nextFloat() < 0.01 ? 1 : 0) : Math.floor(rng.nextFloat() * 3)
          const size = 100 + Math.floor(rng.nextFloat() * 900)
          const n = rng.nextFloat() < 0.05 && i > 10 ? i - 1 - Math.floor(rng.nextFloat() * 10) : i
          const key = `task-${n}`
          const res = await h.store.pool.insert({
            origin: 'peer', producer: 'p', family: 'f', taskKey: key, round: 0, payload: payload.subarray(0, size), completionsHash: 'a'.repeat(64)
          })
          const expectedInsert = model.insert(key, size, now)
          if (res.status !== (expectedInsert ? 'inserted' : 'duplicate')) mismatches++
          if (!expectedInsert) duplicates++
          if (i % 5000 === 4999) {
            expect(mismatches).toBe(0)
            const stats = h.store.pool.stats()
            expect(stats.entries).toBeLessThanOrEqual(MAX_ENTRIES)
            expect(stats.bytes).toBeLessThanOrEqual(MAX_BYTES)
            expect(now - (stats.oldestArrivedAt ?? now)).toBeLessThan(TTL_MS)
            expect(h.store.pool.queryMeta({ order: 'oldest' }).map(m => m.taskKey)).toEqual(model.live.map(e => e.key))
            const m = memory()
            if (i === 9999) before = m
            peak = { heap: Math.max(peak.heap, m.heap), rss: Math.max(peak.rss, m.rss) }
          }
        }
        const growth = { heapMiB: (peak.heap - before.heap) / 2 ** 20, rssMiB: (peak.rss - before.rss) / 2 ** 20 }
        console.log(`${name}: ${duplicates} duplicates, heap growth after warm-up ${growth.heapMiB.toFixed(1)} MiB, rss growth ${growth.rssMiB.toFixed(1)} MiB`)
        // The pool holds ≤ 1 MB of payload and 2000 small records; 90k further inserts must not grow memory beyond that scale.
        expect(growth.heapMiB).toBeLessThan(32)
        expect(growth.rssMiB).toBeLessThan(128)
        const store = await h.reopen()
        expect(store.pool.queryMeta({ order: 'oldest' }).map(m => m.taskKey)).toEqual(model.live.map(e => e.key))
      } finally {
        await h.dispose()
      }
    }, 120_000)
  })
}

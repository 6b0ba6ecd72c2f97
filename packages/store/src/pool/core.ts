import { InvalidArgumentError, throwIfAborted } from '@murmur/interface'
import type { AbortOptions } from '@murmur/interface'
import { DEFAULT_POOL_MAX_BYTES, DEFAULT_POOL_MAX_ENTRIES, DEFAULT_POOL_TTL_MS, MAX_POOL_FIELD_LENGTH } from '../constants.js'
import { PoolEntryTooLargeError } from '../errors.js'
import { assertBytes, assertIndex, assertLimit, hashCompletions, poolEntryId, randomFn, SerialQueue } from '../util.js'
import { IndexOverlay, type PendingWrite, type PoolWrite } from './batch.js'
import type {
  PoolEntry, PoolEntryMeta, PoolFilter, PoolInsert, PoolInsertResult, PoolQuery, PoolSampleOptions, PoolStats,
  RolloutPool, RolloutPoolInit
} from '../types.js'

/** A pool entry as a backend stores it: frozen metadata plus its arrival sequence number. */
export interface IndexedEntry {
  seq: number
  meta: Readonly<PoolEntryMeta>
}

/** Where a pool keeps its entries; the index, bounds and sampling logic are shared. */
export interface PoolBackend {
  /** Every stored entry in ascending `seq` order. */
  load(options: AbortOptions): AsyncIterable<IndexedEntry>
  /** Atomically applies `writes` in order: stores a `put` entry with its payload, or removes the entry with sequence number `remove`. */
  commit(writes: PoolWrite[]): Promise<void>
  /** Payloads of the given entries (undefined where gone), as private copies. */
  read(seqs: number[]): Promise<Array<Uint8Array | undefined>>
  /** Removes everything. */
  clear(): Promise<void>
}

/** Components of a pool. */
export interface PoolCoreComponents {
  now: () => number
  /** Throws NotStartedError when the owning store is closed. */
  assertOpen: () => void
}

const ORIGINS = new Set(['local', 'peer'])
const HASH_RE = /^[0-9a-f]{64}$/

/** Resolves and validates pool options against the defaults. */
export function resolvePoolInit (init: RolloutPoolInit = {}): Required<RolloutPoolInit> {
  const out = {
    maxEntries: init.maxEntries ?? DEFAULT_POOL_MAX_ENTRIES,
    maxBytes: init.maxBytes ?? DEFAULT_POOL_MAX_BYTES,
    ttlMs: init.ttlMs ?? DEFAULT_POOL_TTL_MS
  }
  assertLimit('pool.maxEntries', out.maxEntries, false)
  assertLimit('pool.maxBytes', out.maxBytes, false)
  assertLimit('pool.ttlMs', out.ttlMs, true)
  return out
}

function assertField (field: string, v: unknown): asserts v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_POOL_FIELD_LENGTH) {
    throw new InvalidArgumentError(field, `must be a non-empty string of at most ${MAX_POOL_FIELD_LENGTH} characters`)
  }
}

function validateInsert (e: PoolInsert): string {
  if (e == null || typeof e !== 'object') throw new InvalidArgumentError('entry', 'must be an object')
  if (!ORIGINS.has(e.origin)) throw new InvalidArgumentError('entry.origin', `must be 'local' or 'peer', got ${String(e.origin)}`)
  assertField('entry.producer', e.producer)
  assertField('entry.family', e.family)
  assertField('entry.taskKey', e.taskKey)
  assertIndex('entry.round', e.round)
  assertBytes('entry.payload', e.payload)
  if (e.completionsHash !== undefined) {
    if (typeof e.completionsHash !== 'string' || !HASH_RE.test(e.completionsHash)) {
      throw new InvalidArgumentError('entry.completionsHash', 'must be 64 lowercase hex characters (SHA-256)')
    }
    return e.completionsHash
  }
  if (e.completions === undefined) throw new InvalidArgumentError('entry.completions', 'give completions or completionsHash')
  return hashCompletions(e.completions)
}

function matches (m: PoolEntryMeta, f: PoolFilter): boolean {
  return (f.family === undefined || m.family === f.family) &&
    (f.producer === undefined || m.producer === f.producer) &&
    (f.origin === undefined || m.origin === f.origin) &&
    (f.since === undefined || m.arrivedAt >= f.since) &&
    (f.round === undefined || m.round === f.round)
}

/**
 * The pool logic over a backend. Entries are indexed in memory in arrival order (bounded by
 * `maxEntries`), so queries and sampling never scan the backend; payloads stay in the backend.
 * Inserts and deletes that arrive while a commit is in flight are committed together (batch.ts).
 */
export class PoolCore implements RolloutPool {
  private readonly index = new Map<string, IndexedEntry>()
  private readonly queue = new SerialQueue()
  /** Writes waiting for their commit; new writes join it until its turn in the queue comes. */
  private open: PendingWrite[] | undefined
  private readonly limits: Required<RolloutPoolInit>
  private totalBytes = 0
  private nextSeq = 0
  private lastArrivedAt = -Infinity

  constructor (private readonly backend: PoolBackend, init: RolloutPoolInit, private readonly components: PoolCoreComponents) {
    this.limits = resolvePoolInit(init)
  }

  /** Loads the backend's entries into the index, then applies the current bounds and TTL. */
  async load (options: AbortOptions = {}): Promise<void> {
    this.index.clear()
    this.totalBytes = 0
    for await (const e of this.backend.load(options)) {
      this.add(e)
      this.nextSeq = Math.max(this.nextSeq, e.seq + 1)
      this.lastArrivedAt = Math.max(this.lastArrivedAt, e.meta.arrivedAt)
    }
    await this.exclusive(async () => { await this.evictNow() })
  }

  /** Stores an entry unless a live duplicate exists; evicts expired, then oldest entries to make room. */
  async insert (entry: PoolInsert, options: AbortOptions = {}): Promise<PoolInsertResult> {
    const completionsHash = validateInsert(entry)
    const bytes = entry.payload.byteLength
    if (bytes > this.limits.maxBytes) throw new PoolEntryTooLargeError(bytes, this.limits.maxBytes)
    const id = poolEntryId(entry.producer, entry.taskKey, completionsHash)
    return await this.write(options, (overlay): PoolInsertResult => {
      const now = this.components.now()
      const existing = overlay.get(id)
      if (existing !== undefined && !this.expired(existing, now)) return { status: 'duplicate', id }
      const arrivedAt = Math.max(now, this.lastArrivedAt)
      const meta: PoolEntryMeta = Object.freeze({
        id, origin: entry.origin, producer: entry.producer, family: entry.family, taskKey: entry.taskKey,
        round: entry.round, completionsHash, arrivedAt, bytes
      })
      const evict = this.planEvictions(overlay, 1, bytes)
      for (const e of evict) overlay.remove(e)
      // Sequence numbers and arrival times only grow, also past a failed commit (gaps are harmless).
      overlay.put({ seq: this.nextSeq++, meta }, entry.payload)
      this.lastArrivedAt = arrivedAt
      return { status: 'inserted', entry: meta, evicted: evict.length }
    })
  }

  /** The live entry with `id`, with its payload. */
  async get (id: string, options: AbortOptions = {}): Promise<PoolEntry | undefined> {
    this.components.assertOpen()
    const e = this.index.get(id)
    if (e === undefined || this.expired(e, this.components.now())) return undefined
    return (await this.withPayloads([e], options))[0]
  }

  /** True when a live entry has `id`. */
  has (id: string): boolean {
    this.components.assertOpen()
    const e = this.index.get(id)
    return e !== undefined && !this.expired(e, this.components.now())
  }

  /** Live entries matching `query`, with payloads. */
  async query (query: PoolQuery = {}): Promise<PoolEntry[]> {
    return await this.withPayloads(this.select(query), query)
  }

  /** Metadata of live entries matching `query`. */
  queryMeta (query: PoolQuery = {}): PoolEntryMeta[] {
    return this.select(query).map(e => e.meta)
  }

  /** Uniform sample without replacement (partial Fisher–Yates over the eligible entries in arrival order). */
  async sample (count: number, options: PoolSampleOptions): Promise<PoolEntry[]> {
    assertIndex('count', count)
    if (options == null) throw new InvalidArgumentError('options.rng', 'a seeded rng is required')
    const next = randomFn(options.rng)
    const filter = options.filter
    if (filter !== undefined && typeof filter !== 'function') throw new InvalidArgumentError('options.filter', 'must be a function')
    const eligible = this.select({ ...options, order: 'oldest', limit: undefined })
      .filter(e => filter === undefined || filter(e.meta))
    const k = Math.min(count, eligible.length)
    for (let i = 0; i < k; i++) {
      const r = next()
      if (typeof r !== 'number' || !(r >= 0 && r < 1)) throw new InvalidArgumentError('options.rng', `must return floats in [0, 1), got ${String(r)}`)
      const j = i + Math.floor(r * (eligible.length - i))
      const t = eligible[i]
      eligible[i] = eligible[j]
      eligible[j] = t
    }
    return await this.withPayloads(eligible.slice(0, k), options)
  }

  /** Removes the entry with `id`. */
  async delete (id: string, options: AbortOptions = {}): Promise<boolean> {
    return await this.write(options, overlay => {
      const e = overlay.get(id)
      if (e === undefined) return false
      overlay.remove(e)
      return true
    })
  }

  /** Evicts every expired entry. */
  async prune (options: AbortOptions = {}): Promise<number> {
    return await this.exclusive(async () => {
      throwIfAborted(options.signal)
      this.components.assertOpen()
      return await this.evictNow()
    })
  }

  /** Removes every entry. */
  async clear (options: AbortOptions = {}): Promise<void> {
    await this.exclusive(async () => {
      throwIfAborted(options.signal)
      this.components.assertOpen()
      await this.backend.clear()
      this.index.clear()
      this.totalBytes = 0
    })
  }

  /** Occupancy of live entries. */
  stats (): PoolStats {
    this.components.assertOpen()
    const live = this.select({ order: 'oldest' })
    let bytes = 0
    let local = 0
    for (const e of live) {
      bytes += e.meta.bytes
      if (e.meta.origin === 'local') local++
    }
    return {
      entries: live.length,
      bytes,
      local,
      peer: live.length - local,
      oldestArrivedAt: live[0]?.meta.arrivedAt,
      newestArrivedAt: live.at(-1)?.meta.arrivedAt
    }
  }

  /** Resolves when pending writes have settled. */
  async drain (): Promise<void> {
    await this.queue.drain()
  }

  private expired (e: IndexedEntry, now: number): boolean {
    return now - e.meta.arrivedAt >= this.limits.ttlMs
  }

  /** Oldest-first entries to remove so that `addCount` more entries of `addBytes` fit; always includes expired ones. */
  private planEvictions (overlay: IndexOverlay, addCount: number, addBytes: number): IndexedEntry[] {
    const now = this.components.now()
    const out: IndexedEntry[] = []
    let count = overlay.count
    let bytes = overlay.bytes
    for (const e of overlay.values()) {
      const over = count + addCount > this.limits.maxEntries || bytes + addBytes > this.limits.maxBytes
      if (!over && !this.expired(e, now)) break
      out.push(e)
      count--
      bytes -= e.meta.bytes
    }
    return out
  }

  /** Removes expired entries and those over the bounds now; returns how many. */
  private async evictNow (): Promise<number> {
    const overlay = new IndexOverlay(this.index, this.totalBytes)
    const evict = this.planEvictions(overlay, 0, 0)
    for (const e of evict) overlay.remove(e)
    await this.commit(overlay)
    return evict.length
  }

  /** Commits an overlay's writes, then applies them to the index. */
  private async commit (overlay: IndexOverlay): Promise<void> {
    if (overlay.writes.length > 0) await this.backend.commit(overlay.writes)
    for (const e of overlay.removedEntries()) this.remove(e)
    for (const e of overlay.addedEntries()) this.add(e)
  }

  /** Queues a write planned by `plan` into the open batch (opening one and scheduling its commit if none is open). */
  private async write<T> (options: AbortOptions, plan: (overlay: IndexOverlay) => T): Promise<T> {
    return await new Promise<T>((resolve, reject) => {
      let batch = this.open
      if (batch === undefined) {
        const opened: PendingWrite[] = []
        batch = this.open = opened
        void this.queue.run(async () => {
          if (this.open === opened) this.open = undefined
          await this.flush(opened)
        })
      }
      batch.push({
        plan: overlay => {
          throwIfAborted(options.signal)
          this.components.assertOpen()
          return plan(overlay)
        },
        resolve: value => { resolve(value as T) },
        reject
      })
    })
  }

  /** Plans a batch's writes in order, commits them at once and settles each call. */
  private async flush (batch: PendingWrite[]): Promise<void> {
    const overlay = new IndexOverlay(this.index, this.totalBytes)
    const planned: Array<{ write: PendingWrite, result: unknown }> = []
    for (const write of batch) {
      try {
        planned.push({ write, result: write.plan(overlay) })
      } catch (err) {
        write.reject(err)
      }
    }
    try {
      await this.commit(overlay)
    } catch (err) {
      for (const p of planned) p.write.reject(err)
      return
    }
    for (const p of planned) p.write.resolve(p.result)
  }

  /** Runs `task` alone in the queue; writes issued after this call commit after it. */
  private async exclusive<T> (task: () => Promise<T>): Promise<T> {
    this.open = undefined
    return await this.queue.run(task)
  }

  private add (e: IndexedEntry): void {
    this.index.set(e.meta.id, e)
    this.totalBytes += e.meta.bytes
  }

  private remove (e: IndexedEntry): void {
    if (this.index.get(e.meta.id) !== e) return
    this.index.delete(e.meta.id)
    this.totalBytes -= e.meta.bytes
  }

  private select (query: PoolQuery): IndexedEntry[] {
    this.components.assertOpen()
    if (query.limit !== undefined) assertLimit('query.limit', query.limit, true)
    if (query.order !== undefined && query.order !== 'newest' && query.order !== 'oldest') {
      throw new InvalidArgumentError('query.order', `must be 'newest' or 'oldest', got ${String(query.order)}`)
    }
    const now = this.components.now()
    const limit = query.limit ?? Infinity
    const all = [...this.index.values()]
    if (query.order !== 'oldest') all.reverse()
    const out: IndexedEntry[] = []
    for (const e of all) {
      if (out.length >= limit) break
      if (!this.expired(e, now) && matches(e.meta, query)) out.push(e)
    }
    return out
  }

  private async withPayloads (entries: IndexedEntry[], options: AbortOptions): Promise<PoolEntry[]> {
    throwIfAborted(options.signal)
    if (entries.length === 0) return []
    const payloads = await this.backend.read(entries.map(e => e.seq))
    throwIfAborted(options.signal)
    const out: PoolEntry[] = []
    entries.forEach((e, i) => {
      const payload = payloads[i]
      if (payload !== undefined) out.push({ ...e.meta, payload })
    })
    return out
  }
}

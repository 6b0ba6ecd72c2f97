// Group commit for the pool's inserts and deletes. A node receives tens of peer groups per round
// and consumes or evicts tens more, each a small LevelDB write; one write per call costs a
// threadpool round trip and its wake-ups (≈ 0.1 ms of CPU each on a loaded 2-core machine). Writes
// that arrive while the previous commit is in flight wait in an open batch; when the pool's
// serial queue reaches it, the batch is planned in order against the index as it will be after
// the earlier writes of the same batch (an overlay: nothing is visible before the commit) and
// committed as one atomic backend write. Each call still resolves with its own result, exactly
// as if the writes had run one after another; a failed commit rejects every call in it.
import type { IndexedEntry } from './core.js'

/** One write of a backend commit; a commit applies its writes in order. */
export type PoolWrite = { put: { entry: IndexedEntry, payload: Uint8Array } } | { remove: number }

/** The index as it will be after the writes planned so far: lookups, arrival-ordered entries, totals. */
export class IndexOverlay {
  private readonly added = new Map<string, IndexedEntry>()
  private readonly removed = new Set<IndexedEntry>()
  readonly writes: PoolWrite[] = []
  count: number
  bytes: number

  constructor (private readonly index: ReadonlyMap<string, IndexedEntry>, totalBytes: number) {
    this.count = index.size
    this.bytes = totalBytes
  }

  /** The entry with `id` after the planned writes. */
  get (id: string): IndexedEntry | undefined {
    const a = this.added.get(id)
    if (a !== undefined) return a
    const e = this.index.get(id)
    return e === undefined || this.removed.has(e) ? undefined : e
  }

  /** Entries in arrival order after the planned writes. */
  * values (): IterableIterator<IndexedEntry> {
    for (const e of this.index.values()) if (!this.removed.has(e)) yield e
    for (const e of this.added.values()) yield e
  }

  /** Plans storing `entry` with `payload`. */
  put (entry: IndexedEntry, payload: Uint8Array): void {
    this.added.set(entry.meta.id, entry)
    this.count++
    this.bytes += entry.meta.bytes
    this.writes.push({ put: { entry, payload } })
  }

  /** Plans removing `entry`. */
  remove (entry: IndexedEntry): void {
    if (this.added.get(entry.meta.id) === entry) this.added.delete(entry.meta.id)
    else this.removed.add(entry)
    this.count--
    this.bytes -= entry.meta.bytes
    this.writes.push({ remove: entry.seq })
  }

  /** Index entries the batch removes (to drop from the index after the commit). */
  removedEntries (): Iterable<IndexedEntry> { return this.removed }

  /** Entries the batch adds and keeps, in arrival order (to add to the index after the commit). */
  addedEntries (): Iterable<IndexedEntry> { return this.added.values() }
}

/** A write waiting in an open batch: plans itself against the overlay; settles after the commit. */
export interface PendingWrite {
  /** Plans the write (or throws); returns the call's result, delivered if the commit succeeds. */
  plan: (overlay: IndexOverlay) => unknown
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

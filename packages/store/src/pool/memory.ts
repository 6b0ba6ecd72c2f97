import { copyBytes } from '../util.js'
import type { PoolWrite } from './batch.js'
import type { IndexedEntry, PoolBackend } from './core.js'

/** A pool backend in process memory; payloads are copied in and out, like a database would. */
export class MemoryPoolBackend implements PoolBackend {
  private readonly entries = new Map<number, { entry: IndexedEntry, payload: Uint8Array }>()

  async * load (): AsyncIterable<IndexedEntry> {
    const sorted = [...this.entries.values()].sort((a, b) => a.entry.seq - b.entry.seq)
    for (const e of sorted) yield e.entry
  }

  async commit (writes: PoolWrite[]): Promise<void> {
    for (const w of writes) {
      if ('remove' in w) this.entries.delete(w.remove)
      else this.entries.set(w.put.entry.seq, { entry: w.put.entry, payload: copyBytes(w.put.payload) })
    }
  }

  async read (seqs: number[]): Promise<Array<Uint8Array | undefined>> {
    return seqs.map(seq => {
      const p = this.entries.get(seq)?.payload
      return p === undefined ? undefined : copyBytes(p)
    })
  }

  async clear (): Promise<void> {
    this.entries.clear()
  }
}

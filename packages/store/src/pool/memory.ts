import { copyBytes } from '../util.js'
import type { IndexedEntry, PoolBackend } from './core.js'

/** A pool backend in process memory; payloads are copied in and out, like a database would. */
export class MemoryPoolBackend implements PoolBackend {
  private readonly entries = new Map<number, { entry: IndexedEntry, payload: Uint8Array }>()

  async * load (): AsyncIterable<IndexedEntry> {
    const sorted = [...this.entries.values()].sort((a, b) => a.entry.seq - b.entry.seq)
    for (const e of sorted) yield e.entry
  }

  async commit (put: { entry: IndexedEntry, payload: Uint8Array } | undefined, remove: number[]): Promise<void> {
    for (const seq of remove) this.entries.delete(seq)
    if (put !== undefined) this.entries.set(put.entry.seq, { entry: put.entry, payload: copyBytes(put.payload) })
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

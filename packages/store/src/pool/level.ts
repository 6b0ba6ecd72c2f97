import type { AbortOptions, Logger } from '@murmur/interface'
import { throwIfAborted } from '@murmur/interface'
import { levelOp, type Sub } from '../level-util.js'
import type { PoolEntryMeta } from '../types.js'
import { copyBytes, intKey, parseIntKey } from '../util.js'
import type { PoolWrite } from './batch.js'
import type { IndexedEntry, PoolBackend } from './core.js'

/** Record layout: u32 big-endian header length, header (metadata as UTF-8 JSON), payload bytes. */
function encode (meta: PoolEntryMeta, payload: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(meta))
  const out = new Uint8Array(4 + header.byteLength + payload.byteLength)
  new DataView(out.buffer).setUint32(0, header.byteLength)
  out.set(header, 4)
  out.set(payload, 4 + header.byteLength)
  return out
}

function headerLength (value: Uint8Array): number {
  if (value.byteLength < 4) throw new Error('record shorter than its length prefix')
  const n = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0)
  if (4 + n > value.byteLength) throw new Error('header length past the end of the record')
  return n
}

function decodeMeta (value: Uint8Array): PoolEntryMeta {
  const n = headerLength(value)
  const meta = JSON.parse(new TextDecoder().decode(value.subarray(4, 4 + n))) as PoolEntryMeta
  if (typeof meta?.id !== 'string' || typeof meta.arrivedAt !== 'number' || meta.bytes !== value.byteLength - 4 - n) {
    throw new Error('header does not describe the record')
  }
  return meta
}

/**
 * A pool backend on a LevelDB sublevel, keyed by arrival sequence number. The pool is disposable
 * (peers re-gossip, local groups are regenerated), so an unreadable record is deleted and logged
 * on load instead of failing the store's start.
 */
export class LevelPoolBackend implements PoolBackend {
  /** Records dropped on load because they were unreadable. */
  dropped = 0

  constructor (private readonly db: Sub<Uint8Array>, private readonly path: string, private readonly logger: Logger) {}

  async * load (options: AbortOptions): AsyncIterable<IndexedEntry> {
    const bad: string[] = []
    const entries: IndexedEntry[] = []
    await levelOp(this.path, async () => {
      for await (const [key, value] of this.db.iterator()) {
        throwIfAborted(options.signal)
        try {
          entries.push({ seq: parseIntKey(key), meta: Object.freeze(decodeMeta(value)) })
        } catch (err) {
          this.logger.error(`dropping unreadable pool record ${key} in ${this.path}: ${(err as Error).message}`)
          bad.push(key)
        }
      }
      this.dropped += bad.length
      if (bad.length > 0) await this.db.batch(bad.map(key => ({ type: 'del' as const, key })))
    })
    yield * entries
  }

  async commit (writes: PoolWrite[]): Promise<void> {
    const ops = writes.map((w): { type: 'del', key: string } | { type: 'put', key: string, value: Uint8Array } => 'remove' in w
      ? { type: 'del', key: intKey(w.remove) }
      : { type: 'put', key: intKey(w.put.entry.seq), value: encode(w.put.entry.meta, w.put.payload) })
    await levelOp(this.path, async () => { await this.db.batch(ops) })
  }

  async read (seqs: number[]): Promise<Array<Uint8Array | undefined>> {
    const values = await levelOp(this.path, async () => await this.db.getMany(seqs.map(intKey)))
    return values.map((v, i) => {
      if (v === undefined) return undefined
      try {
        return copyBytes(v.subarray(4 + headerLength(v)))
      } catch (err) {
        this.logger.error(`skipping unreadable pool record ${intKey(seqs[i])} in ${this.path}: ${(err as Error).message}`)
        return undefined
      }
    })
  }

  async clear (): Promise<void> {
    await levelOp(this.path, async () => { await this.db.clear() })
  }
}

import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { createLogger } from '@murmur/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { CHECKPOINT_DIRNAME, LEVEL_DIRNAME, META_PREFIX, POOL_PREFIX, SCHEMA_KEY } from '../src/constants.js'
import { repairStore, resetStore } from '../src/maintenance.js'
import { nodeStore, openNodeStore } from '../src/node-store.js'
import type { NodeStore } from '../src/types.js'
import { checkpointFor } from './checkpoint-suite.js'
import { tempDir } from './helpers.js'

async function errorOf (p: Promise<unknown>): Promise<Error & { code?: string, path?: string, found?: string }> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

async function rawDb (dir: string): Promise<ClassicLevel<string, string>> {
  const db = new ClassicLevel<string, string>(join(dir, LEVEL_DIRNAME))
  await db.open()
  return db
}

async function seed (dir: string): Promise<void> {
  const store = await openNodeStore({ dir })
  await store.checkpoints.save(checkpointFor(1))
  await store.checkpoints.save(checkpointFor(2))
  await store.metrics.put({ round: 2, accuracy: 0.5 })
  await store.pool.insert({ origin: 'local', producer: 'me', family: 'f', taskKey: 't', round: 2, payload: new Uint8Array([1, 2]), completions: ['a'] })
  await store.stop()
}

describe('level node store', () => {
  let dir = ''
  let remove = async (): Promise<void> => {}
  let open: NodeStore[] = []
  const track = async (p: Promise<NodeStore>): Promise<NodeStore> => { const s = await p; open.push(s); return s }
  afterEach(async () => {
    for (const s of open) await s.stop()
    open = []
    await remove()
  })
  const fresh = async (): Promise<void> => { ({ dir, remove } = await tempDir()) }

  it('refuses a database written by a newer schema, without changing it', async () => {
    await fresh()
    await seed(dir)
    const db = await rawDb(dir)
    await db.sublevel<string, string>(META_PREFIX, { valueEncoding: 'utf8' }).put(SCHEMA_KEY, '99')
    await db.close()
    const err = await errorOf(openNodeStore({ dir }))
    expect(err).toMatchObject({ name: 'StoreSchemaError', code: 'ERR_STORE_SCHEMA', path: dir, found: '99', expected: 1 })
    expect(err.message).toContain('upgrade murmur')
    const again = await rawDb(dir)
    expect(await again.sublevel<string, string>(META_PREFIX, { valueEncoding: 'utf8' }).get(SCHEMA_KEY)).toBe('99')
    expect(await again.keys().all()).not.toHaveLength(1)
    await again.close()
    expect((await readdir(join(dir, CHECKPOINT_DIRNAME))).length).toBe(2)
  })

  it('refuses a database that has data but no schema key', async () => {
    await fresh()
    const db = new ClassicLevel(join(dir, LEVEL_DIRNAME))
    await db.put('someone-else', 'x')
    await db.close()
    expect(await errorOf(openNodeStore({ dir }))).toMatchObject({ code: 'ERR_STORE_SCHEMA', found: undefined })
  })

  for (const [what, damage] of [
    ['CURRENT', async (d: string) => { await writeFile(join(d, LEVEL_DIRNAME, 'CURRENT'), 'garbage\n') }],
    ['MANIFEST', async (d: string) => {
      const man = (await readdir(join(d, LEVEL_DIRNAME))).find(f => f.startsWith('MANIFEST-')) as string
      await writeFile(join(d, LEVEL_DIRNAME, man), Buffer.alloc(200, 7))
    }]
  ] as const) {
    it(`reports garbage in ${what} as StoreCorruptedError, keeps the data, and repairStore recovers it`, async () => {
      await fresh()
      await seed(dir)
      await damage(dir)
      const err = await errorOf(openNodeStore({ dir }))
      expect(err).toMatchObject({ name: 'StoreCorruptedError', code: 'ERR_STORE_CORRUPTED', path: dir })
      expect(err.message).toContain(`murmur store repair ${dir}`)
      expect(err.message).toContain('murmur store reset')
      expect(await errorOf(openNodeStore({ dir }))).toMatchObject({ code: 'ERR_STORE_CORRUPTED' })
      const report = await repairStore(dir)
      expect(report).toEqual({ droppedCheckpoints: [], droppedPoolEntries: 0, droppedMetrics: 0, checkpoints: 2 })
      const store = await track(openNodeStore({ dir }))
      expect((await store.checkpoints.latest())?.weights).toEqual(checkpointFor(2).weights)
      expect(await store.metrics.get(2)).toEqual({ round: 2, accuracy: 0.5 })
      expect(store.pool.stats().entries).toBe(1)
    })
  }

  it('reports a database held by another store as StoreLockedError, and reset refuses it', async () => {
    await fresh()
    await track(openNodeStore({ dir }))
    expect(await errorOf(openNodeStore({ dir }))).toMatchObject({ name: 'StoreLockedError', code: 'ERR_STORE_LOCKED' })
    expect(await errorOf(resetStore(dir))).toMatchObject({ code: 'ERR_STORE_LOCKED' })
  })

  it('removes temporary and unreferenced blob files on open, and nothing else', async () => {
    await fresh()
    await seed(dir)
    const blobDir = join(dir, CHECKPOINT_DIRNAME)
    const kept = (await readdir(blobDir)).sort()
    await writeFile(join(blobDir, '.tmp-round-00000000000003-aaaaaaaaaaaa.ckpt'), 'partial')
    await writeFile(join(blobDir, 'round-00000000000003-bbbbbbbbbbbb.ckpt'), 'renamed but never committed')
    await writeFile(join(blobDir, 'README.txt'), 'not ours')
    await track(openNodeStore({ dir }))
    expect((await readdir(blobDir)).sort()).toEqual([...kept, 'README.txt'].sort())
  })

  it('refuses to open an empty database beside existing checkpoint files', async () => {
    await fresh()
    await seed(dir)
    await rm(join(dir, LEVEL_DIRNAME), { recursive: true })
    expect(await errorOf(openNodeStore({ dir }))).toMatchObject({ code: 'ERR_STORE_CORRUPTED' })
    expect((await readdir(join(dir, CHECKPOINT_DIRNAME))).length).toBe(2)
  })

  it('detects a damaged or missing blob; latest() skips it with a logged error, and repair drops it', async () => {
    await fresh()
    await seed(dir)
    const blobDir = join(dir, CHECKPOINT_DIRNAME)
    const [first, second] = (await readdir(blobDir)).sort()
    const bytes = await readFile(join(blobDir, second))
    bytes[10] ^= 0xff
    await writeFile(join(blobDir, second), bytes)
    const logged: string[] = []
    let store = await openNodeStore({ dir, logger: createLogger('murmur:store', { write: line => { logged.push(line) } }) })
    expect(await errorOf(store.checkpoints.get(2))).toMatchObject({ name: 'CheckpointCorruptedError', code: 'ERR_CHECKPOINT_CORRUPTED', round: 2 })
    expect((await store.checkpoints.latest())?.weights).toEqual(checkpointFor(1).weights)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatch(/^murmur:store error: checkpoint of round 2 .* is damaged \(SHA-256 mismatch\); resuming from the checkpoint of round 1 instead$/)
    await rm(join(blobDir, first))
    expect(await errorOf(store.checkpoints.get(1))).toMatchObject({ code: 'ERR_CHECKPOINT_CORRUPTED', round: 1 })
    // Every kept checkpoint damaged: there is nothing to fall back to, so the newest error is thrown.
    expect(await errorOf(store.checkpoints.latest())).toMatchObject({ code: 'ERR_CHECKPOINT_CORRUPTED', round: 2 })
    await writeFile(join(blobDir, first), Buffer.alloc(0))
    expect(await errorOf(store.checkpoints.get(1))).toMatchObject({ code: 'ERR_CHECKPOINT_CORRUPTED' })
    await store.stop()
    const report = await repairStore(dir)
    expect(report.droppedCheckpoints).toEqual([1, 2])
    store = await track(openNodeStore({ dir }))
    expect(await store.checkpoints.latest()).toBeUndefined()
    expect(await readdir(blobDir)).toEqual([])
  })

  it('drops an unreadable pool record on open with a logged error instead of failing', async () => {
    await fresh()
    await seed(dir)
    const db = await rawDb(dir)
    await db.sublevel<string, string>(POOL_PREFIX, { valueEncoding: 'utf8' }).put('00000000000099', 'junk')
    await db.close()
    const logged: string[] = []
    const logger = createLogger('murmur:store', { write: line => { logged.push(line) } })
    let store = await openNodeStore({ dir, logger })
    expect(store.pool.stats().entries).toBe(1)
    expect((await store.pool.query())[0].payload).toEqual(new Uint8Array([1, 2]))
    expect(logged).toEqual([expect.stringMatching(/^murmur:store error: dropping unreadable pool record 00000000000099 in /)])
    await store.stop()
    // The record was deleted, not just skipped: the next open is silent and repair finds nothing.
    store = await openNodeStore({ dir, logger })
    await store.stop()
    expect(logged).toHaveLength(1)
    expect((await repairStore(dir)).droppedPoolEntries).toBe(0)
  })

  it('counts kept metrics across a reopen, and applies a lowered keep on open', async () => {
    await fresh()
    let store = await openNodeStore({ dir, metrics: { keep: 4 } })
    for (let r = 0; r < 4; r++) await store.metrics.put({ round: r })
    await store.stop()
    store = await openNodeStore({ dir, metrics: { keep: 4 } })
    await store.metrics.put({ round: 4 })
    expect((await store.metrics.range()).map(r => r.round)).toEqual([1, 2, 3, 4])
    await store.stop()
    store = await track(openNodeStore({ dir, metrics: { keep: 2 } }))
    expect((await store.metrics.range()).map(r => r.round)).toEqual([3, 4])
  })

  it('deletes blob files of checkpoints dropped by retention', async () => {
    await fresh()
    const store = await track(openNodeStore({ dir, checkpoints: { keep: 2 } }))
    for (let r = 1; r <= 6; r++) await store.checkpoints.save(checkpointFor(r))
    await store.checkpoints.save(checkpointFor(6))
    const files = (await readdir(join(dir, CHECKPOINT_DIRNAME))).sort()
    expect(files.map(f => f.slice(0, 20))).toEqual(['round-00000000000005', 'round-00000000000006'])
  })

  it('resetStore deletes the database and checkpoints only, after which the store opens empty', async () => {
    await fresh()
    await seed(dir)
    await writeFile(join(dir, 'identity.key'), 'keep me')
    await resetStore(dir)
    expect((await readdir(dir)).sort()).toEqual(['identity.key'])
    const store = await track(openNodeStore({ dir }))
    expect(await store.checkpoints.list()).toEqual([])
    expect(store.pool.stats().entries).toBe(0)
  })

  it('validates its options', async () => {
    expect(() => nodeStore({ dir: '' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'dir' }))
    expect(() => nodeStore({ dir: '/tmp/x', pool: { maxEntries: 0 } })).toThrow(expect.objectContaining({ field: 'pool.maxEntries' }))
    expect(() => nodeStore({ dir: '/tmp/x', checkpoints: { keep: 1.5 } })).toThrow(expect.objectContaining({ field: 'checkpoints.keep' }))
    expect(() => nodeStore({ dir: '/tmp/x', metrics: { keep: 0 } })).toThrow(expect.objectContaining({ field: 'metrics.keep' }))
    await expect(repairStore('/nonexistent/murmur-store')).rejects.toMatchObject({ code: 'ERR_STORE_IO' })
  })

  it('reports an unusable directory as a typed error', async () => {
    await fresh()
    await writeFile(join(dir, 'file'), 'x')
    expect(await errorOf(openNodeStore({ dir: join(dir, 'file') }))).toMatchObject({ code: 'ERR_STORE_IO' })
  })
})

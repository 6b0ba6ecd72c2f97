/**
 * Storage failure paths on the real LevelDB: a process SIGKILLed during pool inserts, and a disk
 * that fills up during a checkpoint (a small tmpfs; skipped where it cannot be mounted). Bad pool
 * records and damaged checkpoints are covered in level.test.ts.
 */
import { spawnSync } from 'node:child_process'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CHECKPOINT_DIRNAME } from '../src/constants.js'
import { openNodeStore } from '../src/node-store.js'
import { checkpointFor } from './checkpoint-suite.js'
import { mulberry32, tempDir } from './helpers.js'
import { runAndKill } from './kill-writer.js'
// @ts-expect-error plain JS fixture shared with the child process
import { patternBytes } from './fixtures/pattern.mjs'

const WRITER = fileURLToPath(new URL('./fixtures/pool-writer.mjs', import.meta.url))
const pattern = patternBytes as (seed: number, length: number) => Uint8Array

describe('store failure paths', () => {
  it('keeps every acknowledged pool insert, intact, across 8 SIGKILLs mid-insert', async () => {
    const { dir, remove } = await tempDir('murmur-pool-crash-')
    const rng = mulberry32(7)
    try {
      let acked = -1
      for (let k = 0; k < 8; k++) {
        acked = Math.max(acked, await runAndKill(WRITER, [dir], 'inserted', Math.floor(rng.nextFloat() * 40), 'acked'))
        const store = await openNodeStore({ dir, pool: { maxEntries: 100_000, ttlMs: Infinity } })
        try {
          const entries = await store.pool.query({ order: 'oldest' })
          // Acknowledged inserts survive a process crash; at most the one in flight may also be there.
          expect(entries.length, `kill ${k}`).toBeGreaterThanOrEqual(acked + 1)
          expect(entries.length, `kill ${k}`).toBeLessThanOrEqual(acked + 2)
          entries.forEach((e, n) => {
            expect(e.round).toBe(n)
            expect(Buffer.from(e.payload).equals(pattern(n, 2048 + n % 512)), `entry ${n} after kill ${k}`).toBe(true)
          })
          acked = entries.length - 1
        } finally {
          await store.stop()
        }
      }
      expect(acked).toBeGreaterThan(8)
    } finally {
      await remove()
    }
  }, 120_000)

  it('fails a checkpoint on a full disk with StoreIoError, keeping the previous one and the store usable', async ctx => {
    const { dir, remove } = await tempDir('murmur-disk-full-')
    const mnt = join(dir, 'small')
    await mkdir(mnt)
    // 3 MiB of tmpfs: room for the database and a small checkpoint, not for a 4 MiB one.
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { encoding: 'utf8' })
    if (mounted.status !== 0) {
      console.log(`disk-full test skipped: cannot mount a small tmpfs here (${(mounted.stderr ?? String(mounted.error)).trim()}); it needs root`)
      await remove()
      ctx.skip()
      return
    }
    try {
      const storeDir = join(mnt, 'store')
      let store = await openNodeStore({ dir: storeDir })
      await store.checkpoints.save(checkpointFor(1))
      const big = { ...checkpointFor(2), weights: pattern(2, 4 << 20) }
      await expect(store.checkpoints.save(big)).rejects.toMatchObject({ name: 'StoreIoError', code: 'ERR_STORE_IO', message: expect.stringContaining('ENOSPC') })
      expect((await store.checkpoints.latest())?.weights).toEqual(checkpointFor(1).weights)
      expect((await store.checkpoints.list()).map(c => c.round)).toEqual([1])
      expect((await readdir(join(storeDir, CHECKPOINT_DIRNAME))).filter(n => n.startsWith('.tmp-'))).toEqual([])
      // The space the failed write took is free again: the next (small) checkpoint succeeds.
      await store.checkpoints.save(checkpointFor(3))
      await store.stop()
      store = await openNodeStore({ dir: storeDir })
      expect((await store.checkpoints.list()).map(c => c.round)).toEqual([1, 3])
      expect((await store.checkpoints.latest())?.weights).toEqual(checkpointFor(3).weights)
      await store.stop()
    } finally {
      spawnSync('umount', [mnt])
      await remove()
    }
  }, 60_000)
})

// Harness of the crash-safety tests: a child process saving checkpoints in a loop is SIGKILLed at
// random moments; every reopen must yield the newest acknowledged checkpoint (or the one after it,
// committed but not yet acknowledged), intact and hash-checked, and never a partial one.
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { expect } from 'vitest'
import { CHECKPOINT_DIRNAME } from '../src/constants.js'
import { openNodeStore } from '../src/node-store.js'
import { mulberry32, tempDir } from './helpers.js'
import { runAndKill } from './kill-writer.js'
// @ts-expect-error plain JS fixture shared with the child process
import { patternBytes } from './fixtures/pattern.mjs'

const WRITER = fileURLToPath(new URL('./fixtures/checkpoint-writer.mjs', import.meta.url))
const pattern = patternBytes as (seed: number, length: number) => Uint8Array
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)

/** Outcome of one kill. */
export interface Run { acked: number, midWrite: boolean }

/** Kills the writer `kills` times (delays drawn from `seed`), checking the store after each kill. */
export async function killLoop (kills: number, seed: number): Promise<{ acked: number, runs: Run[] }> {
  const { dir, remove } = await tempDir('murmur-crash-')
  const rng = mulberry32(seed)
  const size = 1 << 20
  const runs: Run[] = []
  let lastAcked = 0
  try {
    for (let k = 0; k < kills; k++) {
      // A third of the kills may land during startup (open, orphan cleanup); the rest just after an
      // acknowledged save, i.e. somewhere inside the next one.
      const acked = k % 3 === 0
        ? await runAndKill(WRITER, [dir, String(size)], 'saved', Math.floor(rng.nextFloat() * 250), 'spawn')
        : await runAndKill(WRITER, [dir, String(size)], 'saved', Math.floor(rng.nextFloat() * 50), 'acked')
      if (acked > 0) lastAcked = acked
      // The writer may have died before it created the directory.
      const names = await readdir(join(dir, CHECKPOINT_DIRNAME)).catch(() => [] as string[])
      const store = await openNodeStore({ dir, checkpoints: { keep: 3 } })
      try {
        const list = await store.checkpoints.list()
        const midWrite = names.some(n => n.startsWith('.tmp-')) || names.length > list.length
        runs.push({ acked, midWrite })
        const latest = await store.checkpoints.latest()
        if (latest === undefined) {
          // Only possible before the first acknowledged save.
          expect(lastAcked, `kill ${k} (seed ${seed})`).toBe(0)
          expect(list).toEqual([])
          continue
        }
        expect(latest.round).toBeGreaterThanOrEqual(lastAcked)
        expect(latest.round).toBeLessThanOrEqual(lastAcked + 1)
        expect(same(latest.weights, pattern(latest.round, size))).toBe(true)
        expect(same(latest.optimizer, pattern(latest.round + 0x10000, size >> 2))).toBe(true)
        expect(latest.meta.weightsSha256).toBe(sha(latest.weights))
        expect(latest).toMatchObject({ step: latest.round * 3, rng: { round: latest.round }, hero: { sigmaBar: latest.round / 2 } })
        lastAcked = latest.round
        for (const info of list) {
          const c = await store.checkpoints.get(info.round)
          expect(c?.meta.weightsSha256).toBe(sha(pattern(info.round, size)))
        }
        const after = await readdir(join(dir, CHECKPOINT_DIRNAME))
        expect(after.filter(n => n.startsWith('.tmp-'))).toEqual([])
        expect(after.length).toBe(list.length)
      } finally {
        await store.stop()
      }
    }
    return { acked: lastAcked, runs }
  } finally {
    await remove()
  }
}


import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryNodeStore, nodeStore, type MemoryNodeStoreInit } from '../src/node-store.js'
import type { NodeStore } from '../src/types.js'

/** mulberry32: a tiny seeded PRNG for tests (floats in [0, 1)). */
export function mulberry32 (seed: number): { nextFloat: () => number } {
  let a = seed >>> 0
  return {
    nextFloat: () => {
      a = (a + 0x6D2B79F5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }
}

/** A settable fake clock. */
export function fakeClock (start = 1_000_000): { now: () => number, set: (t: number) => void, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, set: (v) => { t = v }, advance: (ms) => { t += ms } }
}

/** A fresh temporary directory and its remover. */
export async function tempDir (prefix = 'murmur-store-'): Promise<{ dir: string, remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}

/** A store under test plus a way to close and reopen it (same directory, or same in-memory object). */
export interface Harness {
  store: NodeStore
  /** Stops the store and opens it again with the same data. */
  reopen: () => Promise<NodeStore>
  dispose: () => Promise<void>
}

/** Makes a started store of one implementation. */
export type HarnessFactory = (init?: MemoryNodeStoreInit) => Promise<Harness>

/** Factory for the in-memory implementation. */
export const memoryHarness: HarnessFactory = async (init = {}) => {
  const store = memoryNodeStore(init)
  await store.start()
  return {
    store,
    reopen: async () => { await store.stop(); await store.start(); return store },
    dispose: async () => { await store.stop() }
  }
}

/** Factory for the level implementation (a fresh temporary directory per harness). */
export const levelHarness: HarnessFactory = async (init = {}) => {
  const { dir, remove } = await tempDir()
  const h: Harness = {
    store: nodeStore({ ...init, dir }),
    reopen: async () => {
      await h.store.stop()
      h.store = nodeStore({ ...init, dir })
      await h.store.start()
      return h.store
    },
    dispose: async () => { await h.store.stop(); await remove() }
  }
  await h.store.start()
  return h
}

/** Deterministic bytes of a given length derived from `seed`. */
export function bytesFrom (seed: number, length: number): Uint8Array {
  const rng = mulberry32(seed)
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = Math.floor(rng.nextFloat() * 256)
  return out
}

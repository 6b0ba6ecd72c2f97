import type { AbortOptions } from '@murmur/interface'
import { throwIfAborted } from '@murmur/interface'
import type { Checkpoint, CheckpointInfo, CheckpointInput, CheckpointStore, CheckpointStoreInit } from '../types.js'
import { assertIndex, copyBytes, sha256Hex } from '../util.js'
import { resolveCheckpointInit, validateCheckpoint } from './validate.js'

function info (c: Checkpoint): CheckpointInfo {
  return {
    round: c.round, step: c.step, createdAt: c.createdAt, weightsBytes: c.weightsBytes,
    optimizerBytes: c.optimizerBytes, sha256: c.sha256, meta: structuredClone(c.meta)
  }
}

function copy (c: Checkpoint): Checkpoint {
  return {
    ...info(c),
    weights: copyBytes(c.weights),
    optimizer: copyBytes(c.optimizer),
    rng: structuredClone(c.rng),
    hero: structuredClone(c.hero),
    config: structuredClone(c.config)
  }
}

/** Checkpoints held in process memory (copied in and out), with the same retention rules as on disk. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly byRound = new Map<number, Checkpoint>()
  private readonly keep: number

  constructor (init: CheckpointStoreInit, private readonly components: { now: () => number, assertOpen: () => void }) {
    this.keep = resolveCheckpointInit(init).keep
  }

  async save (input: CheckpointInput, options: AbortOptions = {}): Promise<CheckpointInfo> {
    const { meta, rng, hero, config } = validateCheckpoint(input)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    const c: Checkpoint = copy({
      round: input.round,
      step: input.step,
      createdAt: this.components.now(),
      weightsBytes: input.weights.byteLength,
      optimizerBytes: input.optimizer.byteLength,
      sha256: sha256Hex(input.weights, input.optimizer),
      meta,
      weights: input.weights,
      optimizer: input.optimizer,
      rng,
      hero,
      config
    })
    this.byRound.set(c.round, c)
    const rounds = [...this.byRound.keys()].sort((a, b) => b - a)
    for (const r of rounds.slice(this.keep)) this.byRound.delete(r)
    return info(c)
  }

  async get (round: number, options: AbortOptions = {}): Promise<Checkpoint | undefined> {
    assertIndex('round', round)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    const c = this.byRound.get(round)
    return c === undefined ? undefined : copy(c)
  }

  async latest (options: AbortOptions = {}): Promise<Checkpoint | undefined> {
    this.components.assertOpen()
    const rounds = [...this.byRound.keys()]
    return rounds.length === 0 ? undefined : await this.get(rounds.reduce((a, b) => Math.max(a, b)), options)
  }

  async list (options: AbortOptions = {}): Promise<CheckpointInfo[]> {
    throwIfAborted(options.signal)
    this.components.assertOpen()
    return [...this.byRound.values()].sort((a, b) => a.round - b.round).map(info)
  }

  async delete (round: number, options: AbortOptions = {}): Promise<boolean> {
    assertIndex('round', round)
    throwIfAborted(options.signal)
    this.components.assertOpen()
    return this.byRound.delete(round)
  }
}

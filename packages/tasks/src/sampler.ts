import { InvalidArgumentError } from '@murmur/interface'
import { InvalidTaskParamsError } from './errors.js'
import { DEFAULT_TASK_MIX, MAX_SAMPLE_COUNT, MAX_SEED, MAX_SPLIT_DRAWS } from './constants.js'
import { resolveParams } from './params.js'
import { getFamily, latestFamily } from './registry.js'
import { createRng, hashSeeds, type Rng } from '@murmur/interface'
import { taskSplit, type TaskSplit } from './partition.js'
import type { TaskMixEntry, TaskParams, TaskRef } from './types.js'

/** Options of `createTaskSampler`. */
export interface TaskSamplerInit {
  /** The node's seed (integer 0..2^32−1); with the round it determines every sample. Default 0. */
  seed?: number
  /** Weighted families to draw from. Default `DEFAULT_TASK_MIX`. */
  mix?: readonly TaskMixEntry[]
  /**
   * Which side of the train / held-out partition to draw from. Default `train`: training
   * streams never see a held-out instance. `eval` is for building evaluation sets.
   */
  split?: TaskSplit
}

/** Draws TaskRefs for a node and round. */
export interface TaskSampler {
  /** `count` TaskRefs for `round`; the same (seed, round, count) always gives the same list. */
  sample(round: number, count: number): TaskRef[]
}

interface PreparedEntry { family: string, version: number, weight: number, params: TaskParams }

/**
 * Creates a seeded mixture sampler. Mix entries are validated up front (unknown family → 
 * UnknownTaskError, bad params or weight → InvalidTaskParamsError naming `mix[i]...`). Emitted
 * refs carry fully defaulted params so equal tasks have equal `taskKey`s, and lie on the requested
 * side of the train / held-out partition (`partition.ts`): training streams never emit a held-out
 * instance.
 */
export function createTaskSampler (init: TaskSamplerInit = {}): TaskSampler {
  const prepared = prepare(init)
  return {
    sample (round: number, count: number): TaskRef[] {
      if (!Number.isInteger(count) || count < 0 || count > MAX_SAMPLE_COUNT) {
        throw new InvalidArgumentError('count', `must be an integer in 0..${MAX_SAMPLE_COUNT}`)
      }
      checkRound(round)
      const out: TaskRef[] = []
      if (count > 0) for (const ref of draws(prepared, round)) if (out.push(ref) >= count) break
      return out
    }
  }
}

/**
 * The refs `createTaskSampler(init).sample(round, n)` returns for every n, drawn one at a time:
 * for callers that stop early (an evaluation set stops at enough distinct instances), since
 * every draw regenerates tasks until one lies on the requested split.
 */
export function streamTasks (init: TaskSamplerInit, round: number): Generator<TaskRef, never, undefined> {
  const prepared = prepare(init)
  checkRound(round)
  return draws(prepared, round)
}

interface PreparedSampler { seed: number, entries: PreparedEntry[], total: number, split: TaskSplit }

function prepare (init: TaskSamplerInit): PreparedSampler {
  const seed = init.seed ?? 0
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new InvalidTaskParamsError('seed', `must be an integer in 0..${MAX_SEED}`)
  const mix = init.mix ?? DEFAULT_TASK_MIX
  if (!Array.isArray(mix) || mix.length === 0) throw new InvalidTaskParamsError('mix', 'must be a non-empty array')
  const entries: PreparedEntry[] = mix.map((e: TaskMixEntry, i) => {
    const at = `mix[${i}]`
    if (e === null || typeof e !== 'object') throw new InvalidTaskParamsError(at, 'must be an object')
    if (typeof e.family !== 'string') throw new InvalidTaskParamsError(`${at}.family`, 'must be a string')
    if (typeof e.weight !== 'number' || !Number.isFinite(e.weight) || e.weight <= 0) {
      throw new InvalidTaskParamsError(`${at}.weight`, 'must be a positive finite number')
    }
    const family = e.version === undefined ? latestFamily(e.family) : getFamily(e.family, e.version)
    const params = resolveParams(family, e.params ?? {}, `${at}.params`)
    return { family: family.name, version: family.version, weight: e.weight, params: { ...params } }
  })
  const split = init.split ?? 'train'
  if (split !== 'train' && split !== 'eval') throw new InvalidTaskParamsError('split', 'must be "train" or "eval"')
  // A mix entry whose whole (tiny) instance space lies on the other side is a config error, said up front.
  entries.forEach((e, i) => {
    if (drawSeed(createRng(hashSeeds(seed, i, 0x70726f62)), e, split) === undefined) {
      throw new InvalidTaskParamsError(`mix[${i}].params`, `${e.family} has no ${split === 'train' ? 'training' : 'held-out'} instance in ${MAX_SPLIT_DRAWS} draws with these params; widen its instance space`)
    }
  })
  return { seed, entries, total: entries.reduce((s, e) => s + e.weight, 0), split }
}

function checkRound (round: number): void {
  if (!Number.isSafeInteger(round) || round < 0) throw new InvalidArgumentError('round', 'must be a non-negative safe integer')
}

/** The endless stream of refs of `round`: a weighted family pick, then seeds until one lies on the split. */
function * draws (p: PreparedSampler, round: number): Generator<TaskRef, never, undefined> {
  const rng = createRng(hashSeeds(p.seed, round))
  for (;;) {
    let x = rng.nextFloat() * p.total
    let chosen = p.entries[p.entries.length - 1]
    for (const e of p.entries) {
      if (x < e.weight) { chosen = e; break }
      x -= e.weight
    }
    const drawn = drawSeed(rng, chosen, p.split)
    if (drawn === undefined) throw new InvalidTaskParamsError('split', `no ${p.split} instance of ${chosen.family} in ${MAX_SPLIT_DRAWS} draws`)
    yield { family: chosen.family, version: chosen.version, seed: drawn, params: { ...chosen.params } }
  }
}

/** Draws seeds until the instance lies on `split`'s side of the partition (the family stays fixed, so mix weights stay exact). */
function drawSeed (rng: Rng, entry: PreparedEntry, split: TaskSplit): number | undefined {
  for (let i = 0; i < MAX_SPLIT_DRAWS; i++) {
    const seed = rng.nextUint32()
    if (taskSplit({ family: entry.family, version: entry.version, seed, params: entry.params }) === split) return seed
  }
  return undefined
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { noopLogger } from '@murmur/interface'
import { resolveConfig, type TrainGroup } from '../src/index.js'
import { createComponents } from '../src/components.js'

const dir = mkdtempSync(join(tmpdir(), 'murmur-adapter-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

const groups: TrainGroup[] = [
  { prompt: '12+34=', completions: ['46', '45', '4x', '47'], advantages: [1, -1, -1, 1], truncated: [false, false, false, false] },
  { prompt: '7>2 ab=', completions: ['ba', 'ab', 'b', 'a'], advantages: [-0.5, 0.5, 0.2, -0.2], truncated: [false, false, false, false] }
]

// The node checkpoints the trainer's RNG state wrapped as { scheme, seed, trainer }; resuming
// through the adapter must restore it (it once restored 0), so the next shuffled epoch matches.
describe('trainer adapter', () => {
  it('resumes the exact shuffling stream from a node checkpoint\'s RNG wrapper', async () => {
    const make = async (seed: number, sub: string): ReturnType<typeof createComponents> => await createComponents(
      resolveConfig({ overrides: { seed, dataDir: join(dir, sub), groupSize: 4, net: { enabled: false }, train: { epochs: 3, minibatchGroups: 1 } } }),
      { logger: noopLogger(), needsRewardModel: false })
    const a = await make(1, 'a')
    const b = await make(2, 'b')
    try {
      await a.trainer.train(groups)
      const state = await a.trainer.exportState()
      const wrapped = JSON.parse(JSON.stringify({ scheme: 'per-round-hash', seed: 1, trainer: state.rng })) as unknown
      await b.trainer.importState({ ...state, rng: wrapped })
      expect(await b.trainer.train(groups)).toEqual(await a.trainer.train(groups))
    } finally {
      await a.close()
      await b.close()
    }
  })
})

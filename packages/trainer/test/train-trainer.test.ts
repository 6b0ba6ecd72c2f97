import { describe, expect, it } from 'vitest'
import { resolveGptConfig, charTokenizer, initWeights } from '@murmur/policy'
import { aggregationWeights, encodePair, padBatch } from '../src/batch.js'
import { createStepEngine } from '../src/step-engine.js'
import { resolveTrainerConfig } from '../src/trainer-config.js'
import { createTrainer, type Trainer } from '../src/trainer.js'
import { closedAfterEach, expectMovedByAdvantage, groups, pairs, sum } from './groups-fixture.js'

const tokenizer = charTokenizer()
const config = resolveGptConfig({ nLayer: 2, nEmbd: 32, nHead: 4, vocabSize: tokenizer.vocabSize, nCtx: 32 })

const track = closedAfterEach()
function trainer (init: Partial<Parameters<typeof createTrainer>[0]> = {}): Trainer {
  return track(createTrainer({ config, weights: initWeights(config, 1), tokenizer, seed: 3, learningRate: 3e-3, minibatchSize: 8, ...init }))
}

describe('createTrainer', () => {
  it('takes the same step whatever the padding rows (6 sequences in 6 rows and in 16)', async () => {
    const options = resolveTrainerConfig({ learningRate: 3e-3, minibatchSize: 16 })
    const seqs = groups.flatMap(g => g.completions.map(c => encodePair(tokenizer, g.prompt, c)))
    const advantages = groups.flatMap(g => [...g.advantages])
    const engines = [0, 1].map(() => createStepEngine({ config, weights: initWeights(config, 1), options, worker: false }))
    try {
      const [exact, padded] = engines
      const stats = []
      for (const [engine, rows] of [[exact, seqs.length], [padded, 16]] as const) {
        const batch = padBatch(seqs, rows, 16, tokenizer.padId)
        const adv = new Float32Array(rows)
        adv.set(advantages)
        stats.push(await engine.policyStep(batch, { advantages: adv, weights: aggregationWeights(batch, 'token-mean', batch.steps) }))
      }
      expect(stats[1].loss).toBeCloseTo(stats[0].loss, 6)
      expect(stats[1].gradNorm).toBeCloseTo(stats[0].gradNorm, 5)
      const wa = await exact.weights()
      const wb = await padded.weights()
      for (const k of Object.keys(wa)) wa[k].forEach((x, i) => { expect(wb[k][i]).toBeCloseTo(x, 6) })
    } finally {
      await Promise.all(engines.map(async e => { await e.close() }))
    }
  })

  it('takes the same steps with the state as one flat buffer or one tensor per parameter, and exports both alike', async () => {
    const options = resolveTrainerConfig({ learningRate: 3e-3, minibatchSize: 8 })
    const seqs = groups.flatMap(g => g.completions.map(c => encodePair(tokenizer, g.prompt, c)))
    const batch = padBatch(seqs, seqs.length, 16, tokenizer.padId)
    const feeds = { advantages: new Float32Array(groups.flatMap(g => [...g.advantages])), weights: aggregationWeights(batch, 'token-mean', batch.steps) }
    const engines = [true, false].map(flatState => createStepEngine({ config, weights: initWeights(config, 1), options, flatState, worker: flatState }))
    try {
      for (let i = 0; i < 3; i++) {
        const [a, b] = [await engines[0].policyStep(batch, feeds), await engines[1].policyStep(batch, feeds)]
        expect(b.loss).toBeCloseTo(a.loss, 6)
        expect(b.gradNorm).toBeCloseTo(a.gradNorm, 5)
      }
      const [sa, sb] = [await engines[0].exportOptimizer(), await engines[1].exportOptimizer()]
      expect(sb.step).toBe(3)
      for (const part of ['weights', 'm', 'v'] as const) {
        for (const k of Object.keys(sa[part])) sa[part][k].forEach((x, i) => { expect(sb[part][k][i]).toBeCloseTo(x, 6) })
      }
      expect(Object.keys(await engines[1].placement())).toHaveLength(3 * Object.keys(sa.weights).length)
    } finally {
      await Promise.all(engines.map(async e => { await e.close() }))
    }
  })

  it('sees an importance ratio of exactly 1 on the first step', async () => {
    const stats = await trainer({ epochs: 2, minibatchSize: 4 }).train(groups)
    expect(stats.steps).toBe(4)
    expect(stats.perStep[0].approxKl).toBe(0)
    expect(stats.perStep[0].clipFraction).toBe(0)
    // Later steps are off-policy: the ratio has moved.
    expect(stats.perStep[3].approxKl).toBeGreaterThan(0)
    expect(stats.sequences).toBe(6)
  })

  it('takes a one-epoch, one-minibatch step at π_old without a separate π_old pass: the same update as feeding π_old', async () => {
    const options = resolveTrainerConfig({ learningRate: 3e-3, minibatchSize: 8 })
    const seqs = groups.flatMap(g => g.completions.map(c => encodePair(tokenizer, g.prompt, c)))
    const batch = padBatch(seqs, 8, 16, tokenizer.padId)
    const advantages = new Float32Array(8)
    groups.flatMap(g => [...g.advantages]).forEach((a, i) => { advantages[i] = a })
    const weights = aggregationWeights(batch, 'token-mean', batch.steps)
    const engines = [0, 1].map(() => createStepEngine({ config, weights: initWeights(config, 1), options, worker: false }))
    try {
      const [fed, own] = engines
      const oldLogp = await fed.logprobs(batch)
      const a = await fed.policyStep(batch, { oldLogp, advantages, weights })
      const b = await own.policyStep(batch, { advantages, weights })
      expect(b.approxKl).toBe(0)
      expect(b.clipFraction).toBe(0)
      expect(b.loss).toBeCloseTo(a.loss, 6)
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 5)
      const wa = await fed.weights()
      const wb = await own.weights()
      const w0 = initWeights(config, 1)
      let moved = 0
      for (const k of Object.keys(wa)) {
        wa[k].forEach((x, i) => {
          expect(wb[k][i]).toBeCloseTo(x, 6)
          if (Math.abs(x - w0[k][i]) > 1e-4) moved++
        })
      }
      expect(moved).toBeGreaterThan(100)
    } finally {
      await Promise.all(engines.map(async e => { await e.close() }))
    }
    // The trainer takes that path at one epoch of one minibatch: ratio 1 exactly.
    const stats = await trainer().train(groups)
    expect(stats.steps).toBe(1)
    expect(stats.perStep[0].approxKl).toBe(0)
    expect(stats.perStep[0].clipFraction).toBe(0)
  })

  it('raises the log-probs of positive-advantage completions and lowers the negative ones', async () => {
    const t = trainer()
    const before = (await t.logprobs(pairs)).map(sum)
    for (let i = 0; i < 5; i++) await t.train(groups)
    const after = (await t.logprobs(pairs)).map(sum)
    expectMovedByAdvantage(before, after)
  })

  it('resumes from exported state and reproduces the next step exactly', async () => {
    const a = trainer({ epochs: 2, minibatchSize: 4 })
    await a.train(groups)
    const state = await a.exportState()
    const expected = await a.train(groups)
    const b = trainer({ epochs: 2, minibatchSize: 4, seed: 99 })
    // The shuffling RNG state survives the JSON a node checkpoint stores it as.
    await b.importState({ ...state, rng: JSON.parse(JSON.stringify(state.rng)) as typeof state.rng })
    expect(b.step).toBe(state.step)
    const got = await b.train(groups)
    expect(got.perStep).toEqual(expected.perStep)
    const wa = await a.weights()
    const wb = await b.weights()
    for (const k of Object.keys(wa)) expect(wb[k]).toEqual(wa[k])
  })

  it('resumes a state written by the previous version (single-word RNG state) deterministically', async () => {
    const a = trainer({ epochs: 2, minibatchSize: 4 })
    await a.train(groups)
    const legacy = { ...await a.exportState(), rng: 0x1234abcd }
    const b = trainer({ epochs: 2, minibatchSize: 4 })
    const c = trainer({ epochs: 2, minibatchSize: 4, seed: 7 })
    await b.importState(legacy)
    await c.importState(legacy)
    expect(b.step).toBe(legacy.step)
    expect((await b.train(groups)).perStep).toEqual((await c.train(groups)).perStep)
  })

  it('lowers the SFT loss on repeated examples', async () => {
    const t = trainer()
    const ex = [{ prompt: '12+34=', completion: '46' }, { prompt: '1+1=', completion: '2' }]
    const first = await t.sft(ex, { learningRate: 1e-2 })
    let last = first
    for (let i = 0; i < 20; i++) last = await t.sft(ex, { learningRate: 1e-2 })
    expect(last.loss).toBeLessThan(first.loss * 0.5)
    expect(first.tokens).toBe(5)
  })

  it('rejects mismatched advantages and a closed trainer with typed errors', async () => {
    const t = trainer()
    await expect(t.train([{ prompt: 'a', completions: ['b'], advantages: [] }])).rejects.toMatchObject({ code: 'ERR_INVALID_TRAINING_BATCH' })
    await expect(t.train([{ prompt: 'a', completions: ['b'], advantages: [NaN] }])).rejects.toMatchObject({ code: 'ERR_INVALID_TRAINING_BATCH' })
    await expect(t.importState({ weights: new Uint8Array(3), optimizer: new Uint8Array(3), step: 1, rng: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_TRAINER_STATE' })
    await t.close()
    await expect(t.train(groups)).rejects.toMatchObject({ code: 'ERR_TRAINER_CLOSED' })
  })

  it('skips a batch with no usable sequence as a no-op step and says so', async () => {
    const t = trainer()
    const before = await t.weights()
    // Every completion fills the context on its own (generation hit the length limit): nothing to train on.
    const long = 'x'.repeat(config.nCtx)
    const stats = await t.train([{ prompt: '1+1=', completions: [long, long], advantages: [1, -1], truncated: [true, true] }])
    expect(stats.skipped).toBe('no-usable-sequences')
    expect(stats.steps).toBe(0)
    expect(stats.sequences).toBe(0)
    expect(t.step).toBe(0)
    const after = await t.weights()
    for (const k of Object.keys(before)) expect(after[k]).toEqual(before[k])
    expect((await t.train(groups)).skipped).toBeUndefined()
  })

  it('weights each trained token by its importance weight: all-ones is the unweighted step, all-zeros moves nothing', async () => {
    const ones = groups.map(g => ({ ...g, tokenWeights: g.completions.map(c => new Array<number>(c.length + 1).fill(1)) }))
    const zeros = groups.map(g => ({ ...g, tokenWeights: g.completions.map(c => new Array<number>(c.length + 1).fill(0)) }))
    const half = groups.map(g => ({ ...g, tokenWeights: g.completions.map(() => [0.5]) }))
    const plain = trainer()
    const weighted = trainer()
    const expected = await plain.train(groups)
    const got = await weighted.train(ones)
    expect(got.perStep).toEqual(expected.perStep)
    const frozen = trainer()
    const before = await frozen.weights()
    await frozen.train(zeros)
    const afterZeros = await frozen.weights()
    for (const k of Object.keys(before)) expect(afterZeros[k]).toEqual(before[k])
    const partial = await trainer().train(half)
    expect(partial.gradNorm).not.toBeCloseTo(expected.gradNorm, 4)
    await expect(trainer().train([{ ...groups[0], tokenWeights: [[1, 1, 1, 1]] }])).rejects.toMatchObject({ code: 'ERR_INVALID_TRAINING_BATCH' })
    await expect(trainer().train([{ ...groups[0], tokenWeights: [[NaN]] }])).rejects.toMatchObject({ code: 'ERR_INVALID_TRAINING_BATCH' })
  })
  it('keeps the state in its worker: the same steps as in-process; a read waits for the steps before it; an abort never leaves the step count and the state apart', async () => {
    const inWorker = trainer({ epochs: 2, minibatchSize: 4 })
    const inProcess = trainer({ epochs: 2, minibatchSize: 4, worker: false })
    const running = inWorker.train(groups)
    const during = inWorker.weights() // queued behind the step(s) issued before it
    const [a, b] = [await running, await inProcess.train(groups)]
    expect(a.perStep).toEqual(b.perStep)
    const [wa, wb] = [await inWorker.weights(), await inProcess.weights()]
    for (const k of Object.keys(wb)) expect(wa[k]).toEqual(wb[k])
    expect(Object.values(await during).every(w => w.every(Number.isFinite))).toBe(true)
    expect(Object.values(await inWorker.placement())).toEqual(['host', 'host', 'host'])
    // One step per train(); aborted at different moments: before its step (no step), during it
    // (the step is kept, then the abort is raised) or after it. The count follows the state.
    const single = trainer({ minibatchSize: 8 })
    for (const delay of [0, 1, 3, 8, 20]) {
      const before = await single.weights()
      const stepBefore = single.step
      const controller = new AbortController()
      const done = single.train(groups, { signal: controller.signal }).then(() => 'done', (err: Error) => err.name)
      setTimeout(() => { controller.abort() }, delay)
      expect(['done', 'AbortError']).toContain(await done)
      const after = await single.weights()
      const moved = Object.keys(before).some(k => before[k].some((x, i) => x !== after[k][i]))
      expect(single.step - stepBefore).toBe(moved ? 1 : 0)
    }
    await expect(single.train(groups)).resolves.toMatchObject({ steps: 1 })
  })
})

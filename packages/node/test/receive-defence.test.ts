// The training-side defence on the receive path: advisory scores are never trusted, peer
// completions get credit only within the local limits and answer format, producers are
// accounted for and capped. Real task registry, verifier, pool (in memory) and attack strategies.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encodeRolloutGroup, type RolloutGroup } from '@murmur/protocol'
import { resolveRewardsConfig } from '@murmur/rewards'
import { memoryNodeStore, type NodeStore } from '@murmur/store'
import { createRng, createTaskSampler, resolveTask, verify, type ResolvedTask } from '@murmur/tasks'
import {
  admissible, attackCompletions, createAttack, peerCredit, peerGroups, producerTrust, resolveConfig, runRound, taskMixFromConfig,
  type PeerGroups, type ProducerTrust, type TrainGroup
} from '../src/index.js'

const LIMITS = { maxTokens: 12, countTokens: (text: string) => text.length }
const task = (seed: number): ResolvedTask => resolveTask({ family: 'basic_arithmetic', version: 1, seed, params: {} })

function received (t: ResolvedTask, completions: string[], scores: number[], from: string): Parameters<PeerGroups['receive']>[0] {
  const group: RolloutGroup = { task: t.ref, prompt: t.prompt, completions, modelId: 'peer', round: 1, scores, createdAt: Date.now() }
  return { bytes: encodeRolloutGroup(group), group, task: t, from, receivedAt: Date.now() }
}

let store: NodeStore
let trust: ProducerTrust
let peers: PeerGroups
beforeEach(async () => {
  store = memoryNodeStore()
  await store.start()
  trust = producerTrust({ rate: 0.2, floor: 0.05, maxShare: 0.5 })
  peers = peerGroups({ pool: store.pool, trust, limits: LIMITS })
})
afterEach(async () => { await store.stop() })

describe('the receive path ignores advisory scores', () => {
  it('scores a group of wrong answers that its sender scored all 1 as all 0, never trains on it and distrusts the sender', async () => {
    const t = task(31)
    const wrong = attackCompletions('wrong', t, 4)
    expect(createAttack({ strategy: 'wrong', groups: 1, groupSize: 4, sampler: createTaskSampler({ seed: 1, mix: taskMixFromConfig({ basic_arithmetic: 1 }) }) })?.groups(0, { modelId: 'm', now: 0 })[0].scores).toEqual([1, 1, 1, 1])
    await peers.receive(received(t, wrong, [1, 1, 1, 1], 'liar'))
    const [g] = await peers.sample(1, { rng: () => 0 })
    expect(g.group.scores).toEqual([1, 1, 1, 1])
    expect(g.verifier).toEqual([0, 0, 0, 0])
    expect(peers.select([g], 4, { rng: () => 0 })).toEqual([])
    expect(trust.record('liar')?.honesty).toBeLessThan(0.5)

    // And through a whole round: the trainer sees only the local group.
    const config = resolveConfig({ overrides: { localGroups: 1, peerGroups: 2, groupSize: 4, taskMix: { basic_arithmetic: 1 } } })
    const sampler = createTaskSampler({ seed: config.seed, mix: taskMixFromConfig(config.taskMix) })
    const batches: TrainGroup[][] = []
    // Seed 34: a training-side instance (32 is held out, and a held-out instance is dropped before the zero-advantage count).
    await peers.receive(received(task(34), attackCompletions('wrong', task(34), 4), [1, 1, 1, 1], 'liar-2'))
    const { metrics } = await runRound({
      config,
      rewardsConfig: resolveRewardsConfig({ shaper: 'verifier' }),
      policy: { modelId: 'stub', async generate (prompts, o) { return prompts.map(() => Array.from({ length: o.n }, (_, k) => ({ text: k === 0 ? resolveTask(sampler.sample(0, 1)[0]).answer : 'x', tokens: 1, truncated: false }))) } },
      trainer: { async train (groups) { batches.push(groups); return { loss: 0, gradNorm: 0, clipFraction: 0, kl: 0, entropy: 0, steps: 1 } }, async exportState () { throw new Error('unused') }, async importState () {} },
      rewardModel: undefined,
      swarm: undefined,
      peers,
      sampler,
      now: () => 0
    }, { hero: undefined, receivedSinceLastRound: 0 }, 0)
    expect(metrics.peerGroupsUsed).toBe(0)
    expect(metrics.peerGroupsZeroAdvantage).toBe(2)
    expect(batches[0]).toHaveLength(1)
  })
})

describe('peer credit within the local limits', () => {
  it('gives the marker attack no credit although the plain verifier scores it 1', () => {
    const t = task(41)
    const [marker] = attackCompletions('marker', t, 4)
    expect(verify(t, marker).score).toBe(1)
    expect(admissible(t, marker, { ...LIMITS, maxTokens: 1000 })).toBe(false)
    expect(admissible(t, `${t.answer}\nzqzqzq`, { ...LIMITS, maxTokens: 1000 })).toBe(false)
    expect(peerCredit(t, [t.answer, ` ${t.answer} `, 'nope'], LIMITS)).toEqual({ scores: [1, 1, 0], admissible: 1 })
  })

  it('credits the marker with the plain verifier only when the defence is off (limits: none, for measuring attacks)', async () => {
    const t = task(44)
    const undefended = peerGroups({ pool: store.pool, limits: 'none' })
    await undefended.receive(received(t, attackCompletions('marker', t, 4), [1, 0, 0, 0], 'adv'))
    expect((await undefended.sample(1, { rng: () => 0 }))[0].verifier).toEqual([1, 0, 0, 0])
    expect((await peerGroups({ pool: store.pool, limits: LIMITS }).sample(1, { rng: () => 0 }))[0].verifier).toEqual([0, 0, 0, 0])
  })

  it('gives completions longer than the local token limit no credit', () => {
    const t = task(42)
    const long = attackCompletions('long', t, 4)
    expect(long.map(c => verify(t, c).score)).toEqual([1, 1, 0, 0])
    expect(peerCredit(t, long, LIMITS)).toEqual({ scores: [0, 0, 0, 0], admissible: 0.5 })
    expect(peerCredit(t, [t.answer], { maxTokens: t.answer.length - 1, countTokens: s => s.length }).scores).toEqual([0])
  })

  it('asks text-format answers for the <answer> tag', () => {
    const t = resolveTask({ family: 'basic_arithmetic', version: 1, seed: 43, params: { format: 'text' } })
    expect(admissible(t, `so <answer>${t.answer}</answer>`, { ...LIMITS, maxTokens: 1000 })).toBe(true)
    expect(admissible(t, `zqzq = ${t.answer}`, { ...LIMITS, maxTokens: 1000 })).toBe(false)
  })
})

describe('producer accounting on the receive path', () => {
  it('drops a marker producer\'s weight and keeps a flooding producer to its cap of the J groups', async () => {
    for (let s = 0; s < 40; s++) {
      const t = task(100 + s)
      await peers.receive(received(t, attackCompletions('marker', t, 4), [1, 0, 0, 0], 'flood'))
    }
    for (let h = 0; h < 4; h++) {
      const t = task(200 + h)
      await peers.receive(received(t, [t.answer, 'x', 'y', t.answer], [1, 0, 0, 1], `honest-${h}`))
    }
    const rng = createRng(7)
    const candidates = await peers.sample(44, { rng })
    // Candidates are capped per producer too: half of the 44 from the flooder, plus every honest group.
    expect(candidates).toHaveLength(26)
    // Every marker group is zero-advantage locally; its producer over-claimed every time.
    expect(candidates.filter(c => c.producer === 'flood').every(c => c.verifier.every(v => v === 0))).toBe(true)
    expect(trust.weight('flood')).toBeLessThan(0.05)
    expect(trust.weight('honest-0')).toBeGreaterThan(trust.weight('flood') * 10)
    const picked = peers.select(candidates, 4, { rng })
    expect(picked.map(p => p.producer).sort()).toEqual(['honest-0', 'honest-1', 'honest-2', 'honest-3'])
  })

  it('caps one useful producer at maxShare of J', async () => {
    for (let s = 0; s < 10; s++) {
      const t = task(300 + s)
      await peers.receive(received(t, [t.answer, 'x', 'y', 'z'], [1, 0, 0, 0], 'big'))
    }
    const t = task(400)
    await peers.receive(received(t, [t.answer, 'x', 'y', 'z'], [1, 0, 0, 0], 'small'))
    const rng = createRng(8)
    const picked = peers.select(await peers.sample(11, { rng }), 4, { rng })
    expect(picked.filter(p => p.producer === 'big')).toHaveLength(2)
    expect(picked.filter(p => p.producer === 'small')).toHaveLength(1)
  })
})

describe('attack strategies (experiments only)', () => {
  it('replace what a node publishes with groups that pass the prompt check, and leave what it trains on alone', async () => {
    const config = resolveConfig({ overrides: { localGroups: 2, peerGroups: 0, groupSize: 4, taskMix: { basic_arithmetic: 1 } } })
    const sampler = createTaskSampler({ seed: config.seed, mix: taskMixFromConfig(config.taskMix) })
    const published: RolloutGroup[] = []
    const batches: TrainGroup[][] = []
    const attack = createAttack({ strategy: 'marker', groups: 5, groupSize: 4, sampler })
    await runRound({
      config,
      rewardsConfig: resolveRewardsConfig({ shaper: 'verifier' }),
      policy: { modelId: 'stub', async generate (prompts, o) { return prompts.map(() => Array.from({ length: o.n }, (_, k) => ({ text: String(k), tokens: 1, truncated: false }))) } },
      trainer: { async train (groups) { batches.push(groups); return { loss: 0, gradNorm: 0, clipFraction: 0, kl: 0, entropy: 0, steps: 1 } }, async exportState () { throw new Error('unused') }, async importState () {} },
      rewardModel: undefined,
      swarm: { peerId: 'adv', addrs: () => [], peerCount: () => 1, async publish (groups) { published.push(...groups.map(x => x.group)) }, onGroup () {}, async dial () {} },
      peers,
      sampler,
      now: () => 0,
      attack
    }, { hero: undefined, receivedSinceLastRound: 0 }, 3)
    expect(published).toHaveLength(5)
    for (const g of published) {
      expect(resolveTask(g.task).prompt).toBe(g.prompt)
      expect(g.completions[0]).toMatch(/^(zqzq)+=/)
      expect(g.scores).toEqual([1, 0, 0, 0])
    }
    expect(batches.flat().every(b => !b.completions.some(c => c.includes('zq')))).toBe(true)
  })
})

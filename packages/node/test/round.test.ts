// One round on its own, with stub ports for the policy, trainer and swarm, the in-memory store
// and the real task registry, verifier, reward shaping and receive step.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encodeRolloutGroup, type RolloutGroup } from '@murmur/protocol'
import { resolveRewardsConfig } from '@murmur/rewards'
import { memoryNodeStore, type NodeStore } from '@murmur/store'
import { createTaskSampler, resolveTask, type TaskRef } from '@murmur/tasks'
import { peerGroups, publishPacer, PUBLISH_RATE_SHARE, resolveConfig, runRound, taskMixFromConfig, type NodeConfig, type PeerGroups, type PolicyPort, type SwarmPort, type TrainerPort, type TrainGroup } from '../src/index.js'

const MIX = { basic_arithmetic: 1, sort_digits: 1 }

/** A policy that answers correctly for the first `correct` completions of each prompt and wrongly after. */
function stubPolicy (config: NodeConfig, correct: number): PolicyPort {
  const sampler = createTaskSampler({ seed: config.seed, mix: taskMixFromConfig(config.taskMix) })
  const answers = new Map<string, string>()
  for (let round = 0; round < 8; round++) for (const ref of sampler.sample(round, config.localGroups)) { const t = resolveTask(ref); answers.set(t.prompt, t.answer) }
  return {
    modelId: 'stub',
    async generate (prompts, o) {
      return prompts.map(p => Array.from({ length: o.n }, (_, k) => ({ text: k < correct ? String(answers.get(p)) : 'no idea', tokens: 3, truncated: false })))
    }
  }
}

function stubTrainer (): TrainerPort & { batches: TrainGroup[][] } {
  const batches: TrainGroup[][] = []
  return {
    batches,
    async train (groups) { batches.push(groups); return { loss: 0.5, gradNorm: 1, clipFraction: 0, kl: 0, entropy: 1, steps: 1 } },
    async exportState () { return { weights: new Uint8Array(0), optimizer: new Uint8Array(0), step: 0, rng: 0 } },
    async importState () {}
  }
}

function stubSwarm (): SwarmPort & { published: RolloutGroup[], publishCalls: number[] } {
  const published: RolloutGroup[] = []
  const publishCalls: number[] = []
  return {
    published,
    publishCalls,
    peerId: 'self',
    addrs: () => [],
    peerCount: () => 3,
    async publish (groups) { published.push(...groups.map(x => x.group)); publishCalls.push(groups.length) },
    onGroup () {},
    async dial () {}
  }
}

/** A peer group for task `seed` of basic_arithmetic whose first `correct` of 4 completions are right; the producer claims all are right. */
function peerGroup (seed: number, correct: number): { bytes: Uint8Array, group: RolloutGroup, task: ReturnType<typeof resolveTask> } {
  const ref: TaskRef = { family: 'basic_arithmetic', version: 1, seed, params: {} }
  const task = resolveTask(ref)
  const group: RolloutGroup = {
    task: task.ref,
    prompt: task.prompt,
    completions: Array.from({ length: 4 }, (_, k) => k < correct ? task.answer : `wrong ${k}`),
    modelId: 'peer',
    round: 1,
    scores: [1, 1, 1, 1],
    createdAt: Date.now()
  }
  return { bytes: encodeRolloutGroup(group), group, task }
}

let store: NodeStore
let peers: PeerGroups
beforeEach(async () => {
  store = memoryNodeStore()
  await store.start()
  peers = peerGroups({ pool: store.pool })
})
afterEach(async () => { await store.stop() })

function components (config: NodeConfig, correct: number): Parameters<typeof runRound>[0] & { trainer: ReturnType<typeof stubTrainer>, swarm: ReturnType<typeof stubSwarm> } {
  return {
    config,
    rewardsConfig: resolveRewardsConfig({ shaper: 'verifier' }),
    policy: stubPolicy(config, correct),
    trainer: stubTrainer(),
    rewardModel: undefined,
    swarm: stubSwarm(),
    peers,
    sampler: createTaskSampler({ seed: config.seed, mix: taskMixFromConfig(config.taskMix) }),
    now: () => Date.now()
  }
}

const fresh = { hero: undefined, receivedSinceLastRound: 0 }

describe('runRound', () => {
  it('publishes every local group, together in one call, and trains on the I local groups when the pool is empty', async () => {
    const config = resolveConfig({ overrides: { localGroups: 3, peerGroups: 2, groupSize: 4, taskMix: MIX } })
    const c = components(config, 1)
    const { metrics } = await runRound(c, fresh, 0)
    expect(c.swarm.published).toHaveLength(3)
    expect(c.swarm.publishCalls).toEqual([3])
    expect(c.swarm.published[0].scores).toEqual([1, 0, 0, 0])
    expect(metrics.localGroups).toBe(3)
    expect(metrics.peerGroupsUsed).toBe(0)
    expect(metrics.reward).toBeCloseTo(0.25)
    expect(c.trainer.batches).toHaveLength(1)
    const [batch] = c.trainer.batches
    expect(batch).toHaveLength(3)
    // The correct completion gets the positive advantage, the wrong ones negative.
    expect(batch[0].advantages[0]).toBeGreaterThan(0)
    expect(batch[0].advantages[1]).toBeLessThan(0)
  })

  it('publishes no faster than its pacer allows (peers\' per-origin limit); paced groups are still trained on', async () => {
    const config = resolveConfig({ overrides: { localGroups: 4, peerGroups: 0, groupSize: 4, taskMix: MIX } })
    let t = 0
    // Peers accepting 2.5 groups/s, burst 2.5, from one origin: the node may send 2 now, then 2 per second.
    const pacer = publishPacer({ groupsPerSecond: 2.5, burst: 2.5 }, () => t)
    const c = { ...components(config, 1), pacer }
    const first = await runRound(c, fresh, 0)
    expect(c.swarm.published).toHaveLength(2)
    expect(first.metrics.published).toBe(2)
    expect(c.trainer.batches[0]).toHaveLength(4)
    t = 500 // half a second: one more token
    expect((await runRound(c, first.state, 1)).metrics.published).toBe(1)
    t = 10_000 // the bucket refills to its burst, not beyond
    expect((await runRound(c, first.state, 2)).metrics.published).toBe(2)
    expect(c.swarm.published.map(g => g.round)).toEqual([0, 0, 1, 2, 2])
    expect(c.swarm.publishCalls).toEqual([2, 1, 2])
    expect(PUBLISH_RATE_SHARE).toBeLessThan(1)
  })

  it('re-scores peer groups locally, ignores the producer\'s scores, evicts zero-advantage ones and consumes what it trained on', async () => {
    const config = resolveConfig({ overrides: { localGroups: 1, peerGroups: 2, groupSize: 4, taskMix: MIX } })
    const c = components(config, 2)
    // Two groups with mixed answers (trainable) and three all wrong (zero advantage locally, although the producer claims 1s).
    for (const [seed, correct] of [[11, 1], [12, 3], [13, 0], [14, 0], [15, 0]]) {
      expect(await peers.receive({ ...peerGroup(seed, correct), from: `peer-${seed}`, receivedAt: Date.now() })).toBe(true)
    }
    const { metrics } = await runRound(c, fresh, 0)
    expect(metrics.peerGroupsAvailable).toBe(5)
    expect(metrics.peerGroupsZeroAdvantage).toBe(3)
    expect(metrics.peerGroupsUsed).toBe(2)
    // Used groups are consumed; all-equal-reward groups are evicted too (they never become useful).
    expect(peers.available()).toBe(0)
    const peerBatch = c.trainer.batches[0].slice(1)
    expect(peerBatch.map(g => g.completions.filter(t => !t.startsWith('wrong')).length).sort()).toEqual([1, 3])
    for (const g of peerBatch) expect(g.advantages.some(a => a < 0)).toBe(true)
  })

  it('skips the train step when every group has zero advantage', async () => {
    const config = resolveConfig({ overrides: { localGroups: 2, peerGroups: 0, groupSize: 4, taskMix: MIX } })
    const c = components(config, 0)
    const { metrics } = await runRound(c, fresh, 0)
    expect(c.trainer.batches).toHaveLength(0)
    expect(metrics.groupsFiltered).toBe(2)
    expect(metrics.loss).toBeNaN()
  })

  it('reports the groups received since the last round and resets the count', async () => {
    const config = resolveConfig({ overrides: { localGroups: 1, peerGroups: 0, groupSize: 4, taskMix: MIX } })
    const { metrics, state } = await runRound(components(config, 1), { hero: undefined, receivedSinceLastRound: 7 }, 3)
    expect(metrics.round).toBe(3)
    expect(metrics.received).toBe(7)
    expect(state.receivedSinceLastRound).toBe(0)
  })
})

describe('peerGroups', () => {
  it('stores the signed bytes as given and refuses a duplicate', async () => {
    const g = peerGroup(21, 2)
    expect(await peers.receive({ ...g, from: 'p', receivedAt: 1 })).toBe(true)
    expect(await peers.receive({ ...g, from: 'p', receivedAt: 2 })).toBe(false)
    const [entry] = await store.pool.query({ origin: 'peer' })
    expect(entry.payload).toEqual(g.bytes)
  })

  it('scores a group once: later samples return the cached scores', async () => {
    await peers.receive({ ...peerGroup(22, 1), from: 'p', receivedAt: 1 })
    const [a] = await peers.sample(1, { rng: () => 0 })
    const [b] = await peers.sample(1, { rng: () => 0 })
    expect(a.verifier).toEqual([1, 0, 0, 0])
    expect(b.verifier).toBe(a.verifier)
    expect(b.receivedAt).toBe(1)
  })

  it('checks stored groups it holds no record of (after a restart) and skips ones that no longer match', async () => {
    const good = peerGroup(23, 1)
    const bad = peerGroup(24, 1)
    const forged = encodeRolloutGroup({ ...bad.group, prompt: 'something else' })
    await store.pool.insert({ origin: 'peer', producer: 'p', family: 'basic_arithmetic', taskKey: 'x', round: 1, payload: forged, completions: bad.group.completions })
    await peerGroups({ pool: store.pool }).receive({ ...good, from: 'p', receivedAt: 1 })
    const restarted = await peers.sample(2, { rng: () => 0 })
    expect(restarted).toHaveLength(1)
    expect(restarted[0].task.prompt).toBe(good.task.prompt)
    expect(restarted[0].receivedAt).toBeUndefined()
  })
})

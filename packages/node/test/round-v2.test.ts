// One round against stub ports, the in-memory store and the real receive step: what protocol v2
// changes in the data path (versions, traces, staleness, pool hygiene, importance weights).
import { encodeRolloutGroup, type RolloutGroup } from '@murmur/protocol'
import { resolveRewardsConfig } from '@murmur/rewards'
import { memoryNodeStore, type NodeStore } from '@murmur/store'
import { createTaskSampler, isHeldOut, resolveTask, type TaskRef } from '@murmur/tasks'
import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config/index.js'
import type { PolicyPort, SwarmPort, TrainerPort, TrainGroup } from '../src/ports.js'
import { peerGroups } from '../src/receive.js'
import { runRound, type RoundComponents } from '../src/round.js'
import { createProducerClock } from '../src/staleness.js'

const MIX = [{ family: 'sort_digits', weight: 1, params: { length: 8 } }]

/** Char-level stand-in: completions alternate right / wrong answers; id = char code; π_old log-prob −0.5 per token. */
function policy (): PolicyPort {
  return {
    modelId: 'm',
    tokenizerId: 't',
    async generate (prompts, o) {
      return prompts.map(p => Array.from({ length: o.n }, (_, j) => {
        const text = j % 2 === 0 ? resolveTask(refFor(p)).answer : '0'
        const tokenIds = [...[...text].map(c => c.charCodeAt(0)), 0]
        return { text, tokens: tokenIds.length, truncated: false, tokenIds, logprobs: tokenIds.map(() => -0.5) }
      }))
    },
    completionTokens: (text, truncated) => [...[...text].map(c => c.charCodeAt(0)), ...(truncated ? [] : [0])],
    logprobs: async (_p, ids) => ids.map(row => row.map(() => -0.5))
  }
}

const refs = new Map<string, TaskRef>()
function refFor (prompt: string): TaskRef {
  const ref = refs.get(prompt)
  if (ref === undefined) throw new Error(`unknown prompt ${prompt}`)
  return ref
}

function peerGroup (ref: TaskRef, over: Partial<RolloutGroup> = {}): RolloutGroup {
  const task = resolveTask(ref)
  refs.set(task.prompt, ref)
  const completions = [task.answer, '1', task.answer, '2']
  return {
    task: ref, prompt: task.prompt, completions, modelId: 'm', round: 3, scores: [], createdAt: 1000,
    policyVersion: 10, truncated: [false, true, false, false], tokenizerId: 't',
    traces: completions.map((c, i) => {
      const ids = [...[...c].map(ch => ch.charCodeAt(0)), ...(i === 1 ? [] : [0])]
      return { tokenIds: ids, logprobs: ids.map(() => -1) }
    }),
    ...over
  }
}

async function setup (): Promise<{ c: RoundComponents, trained: TrainGroup[][], published: RolloutGroup[], store: NodeStore }> {
  const config = resolveConfig({ overrides: { localGroups: 2, peerGroups: 4, groupSize: 4, pool: { maxStaleness: 2 } } })
  const sampler = createTaskSampler({ seed: 1, mix: MIX })
  for (let r = 0; r < 3; r++) for (const ref of sampler.sample(r, 2)) refs.set(resolveTask(ref).prompt, ref)
  const store = memoryNodeStore()
  await store.start()
  const trained: TrainGroup[][] = []
  const published: RolloutGroup[] = []
  const trainer: TrainerPort = {
    version: () => 7,
    async train (groups) { trained.push(groups); return { loss: 0, gradNorm: 0, clipFraction: 0, kl: 0, entropy: 0, steps: 1 } },
    async exportState () { throw new Error('unused') },
    async importState () {}
  }
  const swarm: SwarmPort = { peerId: 'me', addrs: () => [], peerCount: () => 1, async publish (groups) { published.push(...groups.map(x => x.group)) }, onGroup () {}, async dial () {} }
  const c: RoundComponents = {
    config, rewardsConfig: resolveRewardsConfig({ shaper: 'verifier' }), policy: policy(), trainer, rewardModel: undefined, swarm, peers: peerGroups({ pool: store.pool }), sampler, now: () => 1000, peerClock: createProducerClock()
  }
  return { c, trained, published, store }
}

async function pool (c: RoundComponents, producer: string, group: RolloutGroup): Promise<void> {
  c.peerClock?.observe(producer, group.policyVersion ?? 0)
  expect(await c.peers.receive({ bytes: encodeRolloutGroup(group), group, task: resolveTask(group.task), from: producer, receivedAt: 1000 })).toBe(true)
}

/** Training-side and held-out refs of the mix. */
function refsOf (split: 'train' | 'eval', n: number, seed: number): TaskRef[] {
  return createTaskSampler({ seed, mix: MIX, split }).sample(0, n)
}

describe('runRound with protocol v2', () => {
  it('publishes policy version, truncation flags, tokenizer id and traces', async () => {
    const { c, published } = await setup()
    await runRound(c, { hero: undefined, receivedSinceLastRound: 0 }, 0)
    expect(published).toHaveLength(2)
    expect(published[0]).toMatchObject({ policyVersion: 7, tokenizerId: 't', truncated: [false, false, false, false] })
    expect(published[0].traces?.[0].logprobs.every(lp => lp === -0.5)).toBe(true)
  })

  it('evicts stale, held-out and all-equal peer groups; keeps truncation flags; passes importance weights', async () => {
    const { c, trained, store } = await setup()
    const [fresh, stale, equal] = refsOf('train', 3, 9)
    const [heldOut] = refsOf('eval', 1, 9)
    expect(isHeldOut(heldOut)).toBe(true)
    await pool(c, 'p1', peerGroup(fresh, { policyVersion: 10 }))
    await pool(c, 'p1', peerGroup(stale, { policyVersion: 7 })) // 3 behind p1's newest (10) > S = 2
    await pool(c, 'p2', peerGroup(heldOut, { policyVersion: 5 }))
    const eq = resolveTask(equal)
    await pool(c, 'p3', peerGroup(equal, { completions: ['x', 'y', 'z', 'w'], traces: [], truncated: [false, false, false, false], prompt: eq.prompt }))
    const { metrics } = await runRound(c, { hero: undefined, receivedSinceLastRound: 0 }, 0)
    expect(metrics.peerGroupsStale).toBe(1)
    expect(metrics.peerGroupsUsed).toBe(1)
    expect(store.pool.stats().peer).toBe(0) // used, stale, held-out and all-equal groups all left the pool
    const peer = trained[0].find(g => g.prompt === resolveTask(fresh).prompt)
    expect(peer?.truncated).toEqual([false, true, false, false])
    // π_old −0.5 vs μ −1: raw w = e^0.5 ≈ 1.65 on every token → group mean capped at 1 → all weights 1.
    expect(peer?.tokenWeights?.flat().every(w => Math.abs((w ?? 0) - 1) < 1e-12)).toBe(true)
    expect(metrics.importance).toMatchObject({ weightedGroups: 1, rejectedGroups: 0 })
    expect(metrics.peerGroupAgeMedian).toBe(0)
    expect(metrics.peerGroupAgeMax).toBe(0)
  })
})

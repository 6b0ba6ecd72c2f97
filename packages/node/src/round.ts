/**
 * One SAPO round (docs/design.md, "One round and its data path"): draw tasks → generate G completions each →
 * score locally → publish → build the batch of I local + J peer groups (peer answers re-scored
 * locally, zero-advantage peer groups dropped first) → shape rewards → train → metrics.
 * Checkpointing is the caller's (the node's) job, so a round is easy to reason about alone.
 */
import { throwIfAborted, type AbortOptions } from '@murmur/interface'
import type { RolloutGroup } from '@murmur/protocol'
import { isDegenerate, shapeRewards, type HeroState, type RewardsConfig } from '@murmur/rewards'
import { createRng, hashSeeds, resolveTask, verify, type ResolvedTask, type TaskSampler } from '@murmur/tasks'
import { ATTACK_MARKER, type Attack } from './attack.js'
import type { NodeConfig } from './config/index.js'
import type { PeerGroupUse, RoundMetrics } from './metrics.js'
import type { PolicyPort, RewardModelPort, SwarmPort, TrainerPort, TrainGroup } from './ports.js'
import type { PeerGroups } from './receive.js'

/** Seed tags, so the streams of one round never collide. */
const TAG_GENERATE = 0x67656e
const TAG_PEERS = 0x70656572

/** Everything a round reads and writes. */
export interface RoundComponents {
  config: NodeConfig
  rewardsConfig: RewardsConfig
  policy: PolicyPort
  trainer: TrainerPort
  rewardModel: RewardModelPort | undefined
  swarm: SwarmPort | undefined
  /** Peer groups received from the swarm (receive.ts): the pool plus what was validated. */
  peers: PeerGroups
  sampler: TaskSampler
  /** Current wall clock (ms since epoch), for group timestamps. */
  now: () => number
  /** Experiments only: an attack that replaces what this node publishes (attack.ts); undefined = honest. */
  attack?: Attack
}

/** State carried from round to round (and checkpointed). */
export interface RoundState {
  hero: HeroState | undefined
  /** Peer groups accepted into the pool since the last round (reset by the round). */
  receivedSinceLastRound: number
}

/** A group in the training batch, scored locally. */
interface ScoredGroup {
  task: ResolvedTask
  completions: string[]
  verifier: number[]
  rm: number[] | undefined
  /** Per completion: hit the token limit. Peers' completions count as finished. */
  truncated: boolean[]
  origin: 'local' | 'peer'
}

/** Runs round `round`; returns its metrics and the updated state. */
export async function runRound (c: RoundComponents, state: RoundState, round: number, options: AbortOptions = {}): Promise<{ metrics: RoundMetrics, state: RoundState }> {
  const { signal } = options
  const { config } = c
  const t0 = performance.now()

  // 1–2. Tasks and generation.
  const tasks = c.sampler.sample(round, config.localGroups).map(ref => resolveTask(ref))
  const generated = await c.policy.generate(tasks.map(t => t.prompt), {
    n: config.groupSize,
    maxTokens: config.generate.maxTokens,
    temperature: config.generate.temperature,
    topP: config.generate.topP,
    topK: config.generate.topK,
    seed: hashSeeds(config.seed, round, TAG_GENERATE),
    signal
  })
  const t1 = performance.now()

  // 3. Score own completions.
  const local: ScoredGroup[] = tasks.map((task, g) => {
    const completions = generated[g].map(x => x.text)
    return { task, completions, verifier: completions.map(text => verify(task, text).score), rm: undefined, truncated: generated[g].map(x => x.truncated), origin: 'local' }
  })

  // 4. Publish (text plus task reference; receivers regenerate and re-score).
  let published = 0
  if (c.swarm !== undefined) {
    const outgoing = c.attack?.groups(round, { modelId: c.policy.modelId, now: c.now() }).map(group => ({ group, task: undefined })) ?? local.map(g => ({
      group: {
        task: g.task.ref,
        prompt: g.task.prompt,
        completions: g.completions,
        modelId: c.policy.modelId,
        round,
        scores: g.verifier,
        createdAt: c.now()
      } satisfies RolloutGroup,
      task: g.task
    }))
    for (const { group, task } of outgoing) {
      try {
        await c.swarm.publish(group, { signal, ...(task === undefined ? {} : { task }) })
        published++
      } catch {
        // No subscribed peers yet, or a transient send failure: the round goes on alone.
      }
    }
  }

  // 5–6. Peer groups: sample from the pool (re-scored locally once per group), drop zero-advantage ones.
  throwIfAborted(signal)
  const peerPick = await pickPeerGroups(c, round, signal)
  const batch = [...local, ...peerPick.groups]
  if (c.rewardModel !== undefined && needsRewardModel(c.rewardsConfig)) {
    const prompts = batch.flatMap(g => g.completions.map(() => g.task.prompt))
    const scores = await c.rewardModel.score(prompts, batch.flatMap(g => g.completions), { signal })
    let k = 0
    for (const g of batch) g.rm = g.completions.map(() => scores[k++])
  }
  const t2 = performance.now()

  // 7. Shape rewards and advantages.
  const shaped = shapeRewards(c.rewardsConfig, {
    groups: batch.map(g => ({ verifier: g.verifier, ...(g.rm === undefined ? {} : { rm: g.rm }) })),
    state: state.hero
  })
  const trainGroups: TrainGroup[] = []
  batch.forEach((g, i) => {
    if (shaped.kept[i]) trainGroups.push({ prompt: g.task.prompt, completions: g.completions, advantages: shaped.advantages[i], truncated: g.truncated })
  })

  // 8. Train.
  throwIfAborted(signal)
  const stats = trainGroups.length > 0
    ? await c.trainer.train(trainGroups, { signal })
    : { loss: Number.NaN, gradNorm: Number.NaN, clipFraction: Number.NaN, kl: Number.NaN, entropy: Number.NaN, steps: 0 }
  const t3 = performance.now()

  const ownScores = local.flatMap(g => g.verifier)
  const shapedFlat = shaped.rewards.flat()
  const metrics: RoundMetrics = {
    round,
    reward: mean(ownScores),
    accuracy: mean(ownScores.map(s => s >= 1 ? 1 : 0)),
    attackMarker: mean(local.flatMap(g => g.completions.map(t => t.includes(ATTACK_MARKER) ? 1 : 0))),
    shapedReward: mean(shapedFlat),
    localGroups: local.length,
    peerGroupsUsed: peerPick.groups.length,
    peerGroupsAvailable: peerPick.available,
    peerGroupsZeroAdvantage: peerPick.zeroAdvantage,
    groupsFiltered: shaped.kept.filter(k => !k).length,
    peers: c.swarm?.peerCount() ?? 0,
    published,
    received: state.receivedSinceLastRound,
    rollouts: local.reduce((a, g) => a + g.completions.length, 0),
    generatedTokens: generated.reduce((a, group) => a + group.reduce((b, x) => b + x.tokens, 0), 0),
    peerGroupsFrom: peerPick.used,
    loss: stats.loss,
    gradNorm: stats.gradNorm,
    clipFraction: stats.clipFraction,
    kl: stats.kl,
    entropy: stats.entropy,
    timings: { generateMs: t1 - t0, scoreMs: t2 - t1, trainMs: t3 - t2, checkpointMs: 0, roundMs: t3 - t0 }
  }
  return { metrics, state: { hero: shaped.state ?? state.hero, receivedSinceLastRound: 0 } }
}

/**
 * SAPO's external sampling on the pool: draw a candidate set of peer groups producer-first (each
 * scored locally against the locally regenerated task; receive.ts caches that score), drop
 * groups with zero advantage under that local reward, then take up to J producer-first with the
 * per-producer cap (receive.ts, producer-trust.ts).
 * Used groups leave the pool so a peer group is trained on once.
 */
async function pickPeerGroups (c: RoundComponents, round: number, signal: AbortSignal | undefined): Promise<{ groups: ScoredGroup[], available: number, zeroAdvantage: number, used: PeerGroupUse[] }> {
  const j = c.config.peerGroups
  const available = c.peers.available()
  if (j === 0 || available === 0) return { groups: [], available, zeroAdvantage: 0, used: [] }
  const rng = createRng(hashSeeds(c.config.seed, round, TAG_PEERS))
  // Oversample candidates: most zero-advantage groups are dropped below.
  const candidates = await c.peers.sample(Math.min(available, 4 * j + 8), { rng, signal })
  const picked = c.peers.select(candidates, j, { rng, signal })
  const qualifying = candidates.filter(x => !isDegenerate(x.verifier)).length
  await c.peers.consume(picked.map(p => p.id), { signal })
  const now = c.now()
  return {
    used: picked.map(p => ({
      producer: p.producer,
      ...(p.receivedAt === undefined ? {} : { ageSeconds: Math.max(0, now - p.receivedAt) / 1000 }),
      ageRounds: round - p.group.round
    })),
    groups: picked.map(p => ({
      task: p.task,
      completions: [...p.group.completions],
      verifier: [...p.verifier],
      rm: undefined,
      truncated: p.group.completions.map(() => false),
      origin: 'peer'
    })),
    available,
    zeroAdvantage: candidates.length - qualifying
  }
}

/** True when the shaper reads reward-model scores. */
export function needsRewardModel (config: RewardsConfig): boolean {
  return config.shaper === 'hero' || config.shaper === 'rm'
}

function mean (values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}

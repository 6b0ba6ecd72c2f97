/**
 * One SAPO round (docs/design.md, "One round and its data path"): draw tasks → generate G completions each →
 * score locally → publish → build the batch of I local + J peer groups (peer answers re-scored
 * locally, zero-advantage peer groups dropped first) → shape rewards → train → metrics.
 * Checkpointing is the caller's (the node's) job, so a round is easy to reason about alone.
 */
import { throwIfAborted, type AbortOptions } from '@murmur/interface'
import { MIN_LOGPROB, type RolloutGroup } from '@murmur/protocol'
import { isDegenerate, shapeRewards, type HeroState, type RewardsConfig } from '@murmur/rewards'
import { createRng, hashSeeds, isHeldOut, resolveTask, verify, type ResolvedTask, type TaskSampler } from '@murmur/tasks'
import { ATTACK_MARKER, type Attack } from './attack.js'
import type { NodeConfig } from './config/index.js'
import type { PeerGroupUse, RoundMetrics } from './metrics.js'
import { weighPeerGroups, type PeerBatchGroup } from './peer-weights.js'
import type { GroupToPublish, PolicyPort, RewardModelPort, SwarmPort, TrainerPort, TrainGroup } from './ports.js'
import type { PublishPacer } from './publish-pacing.js'
import type { PeerGroups } from './receive.js'
import { median, type ProducerClock } from './staleness.js'

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
  /** Newest policy version seen per producer (fed by the receive path); without it nothing is evicted as stale. */
  peerClock?: ProducerClock
  /** Experiments only: an attack that replaces what this node publishes (attack.ts); undefined = honest. */
  attack?: Attack
  /** Keeps publishing within the peers' per-origin rate limit (publish-pacing.ts); undefined = no pacing. */
  pacer?: PublishPacer
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
  /** Per completion: hit the token limit (peers send their flags). */
  truncated: boolean[]
  origin: 'local' | 'peer'
  /** Peer groups: what the receive path needs to weigh them. */
  peer?: Omit<PeerBatchGroup, 'prompt' | 'completions' | 'truncated' | 'advantages'> & { age: number }
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
  const policyVersion = c.trainer.version?.() ?? 0

  // 4. Publish (text plus task reference; receivers regenerate and re-score).
  let published = 0
  if (c.swarm !== undefined) {
    const outgoing: GroupToPublish[] = c.attack?.groups(round, { modelId: c.policy.modelId, now: c.now() }).map(group => ({ group })) ?? local.map(g => ({
      group: {
        task: g.task.ref,
        prompt: g.task.prompt,
        completions: g.completions,
        modelId: c.policy.modelId,
        round,
        scores: g.verifier,
        createdAt: c.now(),
        policyVersion,
        truncated: g.truncated,
        tokenizerId: c.policy.tokenizerId ?? '',
        traces: tracesOf(generated[local.indexOf(g)])
      } satisfies RolloutGroup,
      task: g.task
    }))
    // Past the peers' per-origin rate a group would be throttled and this node penalized: it stays local.
    const paced = outgoing.filter(() => c.pacer?.take() !== false)
    if (paced.length > 0) {
      try {
        await c.swarm.publish(paced, { signal })
        published = paced.length
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
  // Peer groups: truncated importance weights against the sender's behaviour log-probs (§1.1).
  const peerIdx = batch.map((g, i) => i).filter(i => shaped.kept[i] && batch[i].peer !== undefined)
  const weighing = await weighPeerGroups(c.policy, peerIdx.map(i => ({
    ...(batch[i].peer as NonNullable<ScoredGroup['peer']>), prompt: batch[i].task.prompt, completions: batch[i].completions, truncated: batch[i].truncated, advantages: shaped.advantages[i]
  })), { cap: config.train.importanceCap, negativeDelta: config.train.negativeDelta, minLogprob: MIN_LOGPROB }, { signal })
  const weighed = new Map(peerIdx.map((i, k) => [i, weighing.groups[k]]))
  const trainGroups: TrainGroup[] = []
  batch.forEach((g, i) => {
    if (!shaped.kept[i]) return
    const w = weighed.get(i)
    if (w?.kind === 'rejected') return
    const keep = w?.keep ?? g.completions.map(() => true)
    const pick = <T>(xs: readonly T[]): T[] => xs.filter((_, k) => keep[k])
    if (!keep.some(k => k)) return
    trainGroups.push({
      prompt: g.task.prompt,
      completions: pick(g.completions),
      advantages: pick(shaped.advantages[i]),
      truncated: pick(g.truncated),
      ...(w?.kind === 'weighted' ? { tokenWeights: pick(w.weights) } : {})
    })
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
    families: familyResults(local),
    attackMarker: mean(local.flatMap(g => g.completions.map(t => t.includes(ATTACK_MARKER) ? 1 : 0))),
    shapedReward: mean(shapedFlat),
    localGroups: local.length,
    peerGroupsUsed: peerPick.groups.length,
    peerGroupsAvailable: peerPick.available,
    peerGroupsZeroAdvantage: peerPick.zeroAdvantage,
    peerGroupsStale: peerPick.stale,
    peerGroupAgeMedian: median(peerPick.groups.map(g => g.peer?.age ?? 0)),
    peerGroupAgeMax: peerPick.groups.length === 0 ? Number.NaN : Math.max(...peerPick.groups.map(g => g.peer?.age ?? 0)),
    groupsFiltered: shaped.kept.filter(k => !k).length,
    zeroAdvantageFraction: batch.length === 0 ? Number.NaN : shaped.kept.filter(k => !k).length / batch.length,
    importance: weighing.stats,
    peers: c.swarm?.peerCount() ?? 0,
    gossipPeers: c.swarm?.gossipPeers?.() ?? c.swarm?.peerCount() ?? 0,
    published,
    received: state.receivedSinceLastRound,
    rollouts: local.reduce((a, g) => a + g.completions.length, 0),
    generatedTokens: generated.reduce((a, group) => a + group.reduce((b, x) => b + x.tokens, 0), 0),
    peerGroupsFrom: peerPick.used,
    policyVersion,
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
async function pickPeerGroups (c: RoundComponents, round: number, signal: AbortSignal | undefined): Promise<{ groups: ScoredGroup[], available: number, zeroAdvantage: number, stale: number , used: PeerGroupUse[] }> {
  const j = c.config.peerGroups
  // Pool hygiene first: groups more than S policy versions behind their producer's newest go.
  const clock = c.peerClock
  const stale = clock === undefined ? 0 : await c.peers.evict(meta => clock.age(meta.producer, meta.round) > c.config.pool.maxStaleness, { signal })
  const available = c.peers.available()
  if (j === 0 || available === 0) return { groups: [], available, zeroAdvantage: 0, stale, used: [] }
  const rng = createRng(hashSeeds(c.config.seed, round, TAG_PEERS))
  // Oversample candidates: most zero-advantage groups are dropped below.
  const sampled = await c.peers.sample(Math.min(available, 4 * j + 8), { rng, signal })
  // Held-out instances are never trained on, whoever sends them; they and all-equal-reward groups never become useful.
  const candidates = sampled.filter(p => !isHeldOut(p.task))
  const picked = c.peers.select(candidates, j, { rng, signal })
  const qualifying = candidates.filter(x => !isDegenerate(x.verifier)).length
  const unusable = sampled.filter(p => isHeldOut(p.task) || isDegenerate(p.verifier))
  await c.peers.consume([...picked, ...unusable].map(p => p.id), { signal })
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
      truncated: p.group.truncated ?? p.group.completions.map(() => false),
      origin: 'peer',
      peer: { modelId: p.group.modelId, tokenizerId: p.group.tokenizerId ?? '', traces: p.group.traces ?? [], age: clock?.age(p.producer, p.group.policyVersion ?? 0) ?? 0 }
    })),
    available,
    zeroAdvantage: candidates.length - qualifying,
    stale
  }
}

/** The traces of a local group's completions, when the policy reported token ids and log-probs. */
function tracesOf (completions: ReadonlyArray<{ tokenIds?: number[], logprobs?: number[] }>): Array<{ tokenIds: number[], logprobs: number[] }> {
  if (!completions.every(x => x.tokenIds !== undefined && x.logprobs !== undefined)) return []
  return completions.map(x => ({ tokenIds: x.tokenIds ?? [], logprobs: x.logprobs ?? [] }))
}

/** Per family: own completions and fully correct ones (what a curriculum reads). */
function familyResults (groups: readonly ScoredGroup[]): Record<string, { n: number, correct: number }> {
  const out: Record<string, { n: number, correct: number }> = {}
  for (const g of groups) {
    const r = (out[g.task.ref.family] ??= { n: 0, correct: 0 })
    r.n += g.verifier.length
    r.correct += g.verifier.filter(s => s >= 1).length
  }
  return out
}

/** True when the shaper reads reward-model scores. */
export function needsRewardModel (config: RewardsConfig): boolean {
  return config.shaper === 'hero' || config.shaper === 'rm'
}

function mean (values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}

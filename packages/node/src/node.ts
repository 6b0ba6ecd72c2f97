/**
 * The SAPO node: owns its store, policy, trainer, reward model and swarm host; resumes from its
 * last checkpoint; runs rounds; checkpoints and records metrics after each one.
 */
import { NotStartedError, TypedEventEmitter, noopLogger, type AbortOptions, type Logger } from '@murmur/interface'
import { resolveRewardsConfig, validateHeroState, type RewardsConfig } from '@murmur/rewards'
import type { SwarmHostMetrics } from '@murmur/net'
import type { PoolStats } from '@murmur/store'
import type { CurriculumState, HeldOutTask } from '@murmur/tasks'
import type { NodeConfig } from './config/index.js'
import { rewardsSettings } from './config/package-options.js'
import { InvalidConfigError, RoundFailedError } from './errors.js'
import { evaluatePolicy, evaluationSet, type EvalReport } from './evaluation.js'
import type { RoundMetrics } from './metrics.js'
import type { NetStatus, SwarmNodeComponents, SwarmPortStats } from './ports.js'
import { createAttack } from './attack.js'
import { producerTrust } from './producer-trust.js'
import { publishPacer } from './publish-pacing.js'
import { peerGroups, type PeerGroups } from './receive.js'
import { runRound, needsRewardModel, type RoundState } from './round.js'
import { createProducerClock } from './staleness.js'
import { createNodeSampler, isCurriculumSampler } from './curriculum-sampler.js'

/** Events of a node. */
export interface SwarmNodeEvents extends Record<string, unknown> {
  'round:completed': RoundMetrics
  'checkpoint:saved': { round: number, ms: number }
  /** Joined, join failed (with a diagnosis), reachability, DCUtR upgrade, first peer group. */
  'net:status': NetStatus
  /** A peer group passed validation and entered the pool. */
  'group:received': { from: string, round: number, family: string }
}

/** A node's observable state between rounds (metrics, dashboard). */
export interface SwarmNodeStats {
  /** Swarm peers subscribed to the rollout topic. */
  peers: number
  pool: PoolStats
  /** Absent when networking is off. */
  swarm: SwarmPortStats | undefined
}

/** Identity and position of a started node. */
export interface SwarmNodeInfo {
  peerId: string
  addrs: string[]
  /** The round `run()` starts with. */
  nextRound: number
  /** True when state was restored from a checkpoint. */
  resumed: boolean
  /** Where the onnxruntime sessions run: cpu, cuda or webgpu. */
  device: string
}

/** A running SAPO node. */
export interface SwarmNode {
  readonly events: TypedEventEmitter<SwarmNodeEvents>
  start(): Promise<void>
  stop(): Promise<void>
  isStarted(): boolean
  info(): SwarmNodeInfo
  /** Runs one round, checkpoints and records metrics. */
  runRound(options?: AbortOptions): Promise<RoundMetrics>
  /** Runs rounds until `config.rounds` have been completed in total (or forever when 0); returns how many ran now. */
  run(options?: AbortOptions): Promise<number>
  /** Greedy and sampled accuracy on the fixed held-out set (`accuracy` = greedy), per family, with standard errors. */
  evaluate(options?: AbortOptions & { tasks?: number }): Promise<EvalReport & { accuracy: number }>
  /** Swarm peers currently subscribed to this node's rollout topic (0 when networking is off). */
  peerCount(): number
  /** Dials peers (used by the simulator to introduce late joiners). */
  dial(addrs: string[], options?: AbortOptions): Promise<void>
  /** Pool and network counters, read when metrics are scraped (requires a started node). */
  stats(): SwarmNodeStats
}

/** Options of `createSwarmNode`. */
export interface SwarmNodeInit {
  logger?: Logger
  /** Prebuilt components (tests, embedding); default: built from the config. */
  components?: SwarmNodeComponents
  /** Wall clock; default `Date.now`. */
  now?: () => number
  /** Metrics handed to libp2p and gossipsub when the components are built from the config. */
  netMetrics?: SwarmHostMetrics
  /**
   * This node shares its process with other nodes (`murmur sim --nodes-per-process`): its
   * trainer runs onnxruntime on the calling thread (no worker isolate per session; the process's
   * main thread is the one onnxruntime executor its nodes' training steps share) and without
   * onnxruntime's per-session memory arena. Default false.
   */
  sharedProcess?: boolean
}

/** Creates a node from a resolved config. Call `start()` before use. */
export async function createSwarmNode (config: NodeConfig, init: SwarmNodeInit = {}): Promise<SwarmNode> {
  const log = (init.logger ?? noopLogger()).child('node')
  const now = init.now ?? Date.now
  const rewardsConfig: RewardsConfig = toRewardsConfig(config)
  const sampler = wrapConfigError('taskMix', () => createNodeSampler(config))
  const components = init.components ?? await (await import('./components.js')).createComponents(config, { logger: log, needsRewardModel: needsRewardModel(rewardsConfig), sharedProcess: init.sharedProcess, netMetrics: init.netMetrics })
  // The store opens in start(): the receive step is built there, over its pool.
  let peers: PeerGroups | undefined
  const events = new TypedEventEmitter<SwarmNodeEvents>()
  let started = false
  let stopped = false
  let nextRound = 0
  let evalSet: { count: number, tasks: HeldOutTask[] } | undefined
  let resumed = false
  let state: RoundState = { hero: undefined, receivedSinceLastRound: 0 }
  const peerClock = createProducerClock()
  const pacer = publishPacer({ groupsPerSecond: config.net.groupsPerSecond, burst: config.net.burst })
  const attack = createAttack({ strategy: config.adversary.strategy, groups: config.adversary.groupsPerRound > 0 ? config.adversary.groupsPerRound : config.localGroups, groupSize: config.groupSize, sampler })

  const ensureStarted = (): void => { if (!started) throw new NotStartedError('SwarmNode') }

  const node: SwarmNode = {
    events,
    async start () {
      if (started) return
      // stop() released the policy and trainer sessions: a node is started once.
      if (stopped) throw new NotStartedError('SwarmNode (stopped; create a new node to restart from its checkpoint)')
      // Before open(): the host reports its first reachability and join results while starting.
      components.swarm?.onStatus?.(s => { events.emit('net:status', s) })
      try {
        await components.open()
      } catch (err) {
        // open() released what it opened; the sessions and workers built with the components remain.
        await components.close().catch(() => undefined)
        throw err
      }
      try {
        const checkpoint = await components.store.checkpoints.latest()
        if (checkpoint !== undefined) {
          await components.trainer.importState({ weights: checkpoint.weights, optimizer: checkpoint.optimizer, step: checkpoint.step, rng: checkpoint.rng })
          const hero = checkpoint.hero === null ? undefined : validateHeroState(checkpoint.hero)
          state = { hero, receivedSinceLastRound: 0 }
          const saved = (checkpoint.meta as { curriculum?: CurriculumState }).curriculum
          if (saved !== undefined && isCurriculumSampler(sampler)) sampler.curriculum.restore(saved)
          nextRound = checkpoint.round + 1
          resumed = true
          log('resumed from checkpoint', { round: checkpoint.round, step: checkpoint.step })
        }
        const countTokens = components.policy.countTokens ?? ((text: string) => text.length)
        // trust.enabled = false (experiments): plain verifier credit, every producer weighted alike, no cap.
        const receiver = config.trust.enabled
          ? peerGroups({ pool: components.store.pool, trust: producerTrust(config.trust), limits: { maxTokens: config.generate.maxTokens, countTokens } })
          : peerGroups({ pool: components.store.pool, trust: producerTrust({ rate: Number.MIN_VALUE, floor: 1, maxShare: 1 }), limits: 'none' })
        peers = receiver
        components.swarm?.onGroup(received => {
          receiver.receive(received).then(inserted => {
            if (!inserted) return
            state.receivedSinceLastRound++
            events.emit('group:received', { from: received.from, round: received.group.round, family: received.group.task.family })
            peerClock.observe(received.from, received.group.policyVersion ?? 0)
          }, (err: unknown) => { log.error('pool insert failed', err) })
        })
      } catch (err) {
        await components.close()
        throw err
      }
      started = true
      log('started', { peerId: components.swarm?.peerId, nextRound, config })
    },
    async stop () {
      if (!started) return
      started = false
      stopped = true
      await components.close()
    },
    isStarted: () => started,
    info () {
      ensureStarted()
      return { peerId: components.swarm?.peerId ?? 'offline', addrs: components.swarm?.addrs() ?? [], nextRound, resumed, device: components.device ?? 'cpu' }
    },
    async runRound (options = {}) {
      ensureStarted()
      const round = nextRound
      let result
      try {
        result = await runRound({ config, rewardsConfig, sampler, now, peerClock, peers: peers as PeerGroups, attack, pacer, ...components }, state, round, options)
      } catch (err) {
        if (options.signal?.aborted === true) throw err
        throw new RoundFailedError(round, (err as Error).message, { cause: err })
      }
      state = result.state
      const metrics = result.metrics
      if (isCurriculumSampler(sampler)) {
        sampler.record(metrics.families)
        metrics.difficulty = sampler.curriculum.levels()
      }
      if (round % config.checkpoint.every === 0 || (config.rounds > 0 && round === config.rounds - 1)) {
        const t = performance.now()
        const trainerState = await components.trainer.exportState()
        await components.store.checkpoints.save({
          round,
          step: trainerState.step,
          weights: trainerState.weights,
          optimizer: trainerState.optimizer,
          rng: { scheme: 'per-round-hash', seed: config.seed, trainer: (trainerState.rng ?? null) as never },
          hero: (state.hero ?? null) as never,
          config: JSON.parse(JSON.stringify(config)),
          meta: { modelId: components.policy.modelId, ...(isCurriculumSampler(sampler) ? { curriculum: sampler.curriculum.state() } : {}) }
        }, options)
        metrics.timings.checkpointMs = performance.now() - t
        events.emit('checkpoint:saved', { round, ms: metrics.timings.checkpointMs })
      }
      if (config.eval.every > 0 && (round + 1) % config.eval.every === 0) {
        const report = await node.evaluate(options)
        metrics.evalAccuracy = report.accuracy
        metrics.eval = { greedy: report.greedy, greedySE: report.greedySE, sampled: report.sampled, sampledSE: report.sampledSE, ...(report.klToBase === undefined ? {} : { klToBase: report.klToBase }) }
      }
      await components.store.metrics.put(JSON.parse(JSON.stringify(metrics)), options)
      nextRound = round + 1
      events.emit('round:completed', metrics)
      return metrics
    },
    async run (options = {}) {
      ensureStarted()
      let ran = 0
      while (config.rounds === 0 || nextRound < config.rounds) {
        if (options.signal?.aborted === true) break
        await node.runRound(options)
        ran++
      }
      return ran
    },
    async evaluate (options = {}) {
      ensureStarted()
      const mix = Object.keys(config.eval.taskMix).length > 0 ? config.eval.taskMix : config.taskMix
      const count = options.tasks ?? config.eval.tasks
      // The set is fixed by (mix, count, difficulty): built once per count (a node evaluates at start and end).
      if (evalSet?.count !== count) evalSet = { count, tasks: evaluationSet(mix, count, config.taskDifficulty) }
      const tasks = evalSet.tasks
      const report = await evaluatePolicy(async (prompts, o) => await components.policy.generate(prompts, {
        ...o, maxTokens: config.generate.maxTokens, topP: 1, topK: 0
      }), tasks, { samples: config.eval.samples, signal: options.signal, ...(components.policy.baseLogprobs === undefined ? {} : { baseLogprobs: components.policy.baseLogprobs.bind(components.policy) }) })
      return { ...report, accuracy: report.greedy }
    },
    peerCount: () => components.swarm?.peerCount() ?? 0,
    async dial (addrs, options = {}) {
      ensureStarted()
      await components.swarm?.dial(addrs, options)
    },
    stats () {
      ensureStarted()
      return { peers: components.swarm?.peerCount() ?? 0, pool: components.store.pool.stats(), swarm: components.swarm?.stats?.() }
    }
  }
  return node
}

function toRewardsConfig (config: NodeConfig): RewardsConfig {
  return wrapConfigError('rewards', () => resolveRewardsConfig(rewardsSettings(config)))
}

function wrapConfigError<T> (prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    const field = (err as { field?: unknown }).field
    throw new InvalidConfigError(typeof field === 'string' ? `${prefix}.${field}` : prefix, (err as Error).message, { cause: err })
  }
}

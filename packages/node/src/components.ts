/**
 * Builds a node's real components from its config: the level store, the policy (onnxruntime,
 * in a worker thread), the trainer, the reward model and the libp2p host, with small adapters
 * onto the round's ports. Errors from those packages are translated here, at the boundary.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from '@murmur/interface'
import { createSwarmHost, type SwarmHost, type SwarmHostMetrics } from '@murmur/net'
import {
  createPolicy, readModelFolder, weightsFromSafetensors, tokenizerFromSpec, charTokenizer,
  type Policy, type GptConfig, type Weights, type Tokenizer
} from '@murmur/policy'
import { encodeRolloutGroup } from '@murmur/protocol'
import { nodeStore } from '@murmur/store'
import { taskKey } from '@murmur/tasks'
import { createTrainer, loadRewardModel, type Trainer, type TrainerState } from '@murmur/trainer'
import type { NodeConfig } from './config/index.js'
import { InvalidConfigError } from './errors.js'
import type { SwarmNodeComponents } from './node.js'
import type { PolicyPort, RewardModelPort, SwarmPort, TrainerPort } from './ports.js'

/** Built-in model names and the files they resolve to (shipped in @murmur/policy). */
export const BUILTIN_MODELS: Readonly<Record<string, string>> = {
  'builtin:tiny': 'tiny-base.safetensors',
  'builtin:tiny-rm': 'tiny-reward.safetensors'
}

/** Resolves `builtin:<name>` to the shipped file; other values are paths, returned as given. */
export function resolveModelPath (value: string): string {
  const file = BUILTIN_MODELS[value]
  if (file === undefined) return value
  const policyEntry = fileURLToPath(import.meta.resolve('@murmur/policy'))
  return join(policyEntry, '..', '..', 'checkpoints', file)
}

interface LoadedModel { config: GptConfig, weights: Weights, tokenizer: Tokenizer, step: number }

/** Loads a policy from a safetensors file or a model folder. */
export async function loadModel (value: string): Promise<LoadedModel> {
  const path = resolveModelPath(value)
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) throw new InvalidConfigError('model', `"${value}" does not exist (${path}); use builtin:tiny, a .safetensors file or a model folder`)
  if (info.isDirectory()) {
    const folder = await readModelFolder(path)
    return { config: folder.config, weights: folder.weights, tokenizer: folder.tokenizer, step: folder.step }
  }
  const loaded = weightsFromSafetensors(new Uint8Array(await readFile(path)), path)
  const tokenizer = loaded.tokenizer !== undefined ? tokenizerFromSpec(loaded.tokenizer) : charTokenizer()
  return { config: loaded.config, weights: loaded.weights, tokenizer, step: loaded.step }
}

/** Options of `createComponents`. */
export interface CreateComponentsOptions {
  logger: Logger
  needsRewardModel: boolean
  /** Metrics for libp2p and gossipsub (none by default). */
  netMetrics?: SwarmHostMetrics
}

/** Builds the real components of a node. Nothing is opened until `open()`. */
export async function createComponents (config: NodeConfig, options: CreateComponentsOptions): Promise<SwarmNodeComponents> {
  const log = options.logger
  const model = await loadModel(config.model)
  const policy: Policy = await createPolicy({ config: model.config, weights: model.weights, tokenizer: model.tokenizer, step: model.step, threads: 1 })
  const trainer: Trainer = createTrainer({
    config: model.config,
    weights: model.weights,
    tokenizer: model.tokenizer,
    seed: config.seed,
    learningRate: config.train.lr,
    warmupSteps: config.train.warmupSteps,
    weightDecay: config.train.weightDecay,
    maxGradNorm: config.train.gradClip,
    epochs: config.train.epochs,
    minibatchSize: config.train.minibatchGroups * config.groupSize,
    epsLow: config.train.clipLow,
    epsHigh: config.train.clipHigh,
    beta: config.train.klBeta,
    aggregation: config.train.aggregation === 'constant' ? 'constant-normalizer' : config.train.aggregation,
    threads: 1
  })
  let rewardModel: RewardModelPort | undefined
  let closeRewardModel = async (): Promise<void> => {}
  if (options.needsRewardModel) {
    if (config.rewardModel === 'none') throw new InvalidConfigError('rewardModel', `shaper "${config.rewards.shaper}" needs a reward model; set rewardModel or choose rewards.shaper=verifier`)
    const path = resolveModelPath(config.rewardModel)
    const bytes = await readFile(path).catch((err: unknown) => { throw new InvalidConfigError('rewardModel', `cannot read "${path}": ${(err as Error).message}`) })
    const rm = await loadRewardModel(new Uint8Array(bytes), model.tokenizer)
    rewardModel = {
      async score (prompts, completions, opts) {
        return await rm.score(prompts.map((prompt, i) => ({ prompt, completion: completions[i] })), opts)
      }
    }
    closeRewardModel = async () => { await rm.close() }
  }

  const store = nodeStore({
    dir: join(config.dataDir, 'store'),
    pool: { maxEntries: config.pool.maxGroups, maxBytes: config.pool.maxBytes, ttlMs: config.pool.ttlSeconds * 1000 },
    checkpoints: { keep: config.checkpoint.keep }
  })
  const modelId = config.modelId !== '' ? config.modelId : `murmur-gpt-d${model.config.nEmbd}-l${model.config.nLayer}`
  const policyPort: PolicyPort = {
    modelId,
    async generate (prompts, o) {
      const out = await policy.generate(prompts, { n: o.n, maxTokens: o.maxTokens, temperature: o.temperature, topP: o.topP, topK: o.topK, seed: o.seed, signal: o.signal })
      return out.map(group => group.map(c => ({ text: c.text, tokens: c.tokenIds.length, truncated: c.finishReason === 'length' })))
    }
  }
  const trainerPort: TrainerPort = {
    async train (groups, o) {
      const stats = await trainer.train(groups, o)
      // The trainer owns the master weights; the sampling policy follows after every update.
      await policy.setWeights(trainer.weights(), { step: trainer.step })
      return { loss: stats.loss, gradNorm: stats.gradNorm, clipFraction: stats.clipFraction, kl: stats.approxKl, entropy: stats.entropy, steps: stats.steps }
    },
    async exportState () {
      return trainer.exportState()
    },
    async importState (state) {
      // The node checkpoints `{ scheme, seed, trainer: <trainer rng state> }`; unwrap it (a bare state is accepted too).
      const rng = state.rng !== null && typeof state.rng === 'object' && 'trainer' in state.rng ? state.rng.trainer : state.rng
      trainer.importState({ weights: state.weights, optimizer: state.optimizer, step: state.step, rng: rng as TrainerState['rng'] })
      await policy.setWeights(trainer.weights(), { step: trainer.step })
    }
  }

  let host: SwarmHost | undefined
  let swarm: SwarmPort | undefined
  if (config.net.enabled) {
    const psk = config.net.pskFile === '' ? undefined : new Uint8Array(await readFile(config.net.pskFile).catch((err: unknown) => { throw new InvalidConfigError('net.pskFile', `cannot read "${config.net.pskFile}": ${(err as Error).message}`) }))
    host = createSwarmHost({
      swarmId: config.net.swarmId,
      dataDir: config.dataDir,
      listen: [...config.net.listen],
      bootstrap: [...config.net.bootstrap],
      mdns: config.net.mdns,
      dht: config.net.dht ? 'server' : 'off',
      ...(psk === undefined ? {} : { psk }),
      connections: { max: config.net.maxConnections, inboundPerHostPerSecond: 100 },
      gossip: { heartbeatMs: 500 },
      rateLimit: { groupsPerSecond: config.net.peerGroupsPerSecond },
      logger: log.child('net'),
      metrics: options.netMetrics
    })
    const h = host
    const handlers: Array<Parameters<SwarmPort['onGroup']>[0]> = []
    h.on('rollout:received', e => {
      const { group, from } = e.detail
      store.pool.insert({
        origin: 'peer',
        producer: from,
        family: group.task.family,
        taskKey: taskKey(group.task),
        round: group.round,
        payload: encodeRolloutGroup(group),
        completions: group.completions
      }).then(result => {
        if (result.status === 'inserted') for (const handler of handlers) handler({ group, from })
      }, (err: unknown) => { log.error('pool insert failed', err) })
    })
    swarm = {
      get peerId () { return h.peerId() },
      addrs: () => h.multiaddrs(),
      peerCount: () => h.peers().length,
      async publish (group, o) { await h.publish(group, o) },
      onGroup (handler) { handlers.push(handler) },
      async dial (addrs, o) {
        await Promise.allSettled(addrs.map(async a => { await h.dial(a, o) }))
      },
      stats: () => ({
        meshPeers: h.libp2p?.services.pubsub.getMeshPeers(h.topic).length ?? 0,
        connections: h.libp2p?.getConnections().length ?? 0,
        net: h.stats()
      })
    }
  }

  return {
    store,
    policy: policyPort,
    trainer: trainerPort,
    rewardModel,
    swarm,
    async open () {
      await store.start()
      try {
        await host?.start()
      } catch (err) {
        await store.stop()
        throw err
      }
    },
    async close () {
      const results = await Promise.allSettled([
        host?.stop(),
        policy.close(),
        trainer.close(),
        closeRewardModel()
      ])
      await store.stop()
      const failed = results.find(r => r.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
  }
}

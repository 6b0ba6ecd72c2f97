/**
 * Builds a node's real components from its config: the level store, the policy (onnxruntime,
 * in a worker thread), the trainer, the reward model and the libp2p host, with small adapters
 * onto the round's ports. Errors from those packages are translated here, at the boundary.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ortDeviceProbe, parseDevice, resolveDevice } from '@murmur/graph'
import type { Logger } from '@murmur/interface'
import { createSwarmHost, watchHostStatus, type SwarmHost, type SwarmHostMetrics } from '@murmur/net'
import { chatTemplate, modelIdOf, type ChatTemplate, type ModelConfig, type Policy } from '@murmur/policy'
import { nodeStore } from '@murmur/store'
import { resolveTask } from '@murmur/tasks'
import { createTrainer, loadRewardModel, type Trainer, type TrainerState } from '@murmur/trainer'
import type { NodeConfig } from './config/index.js'
import { storeSettings, swarmHostSettings, trainerSettings } from './config/package-options.js'
import { InvalidConfigError } from './errors.js'
import { loadModel, openPolicy, policyPort, resolveModelPath, trainedModel } from './model.js'
import type { PolicyPort, RewardModelPort, SwarmNodeComponents, SwarmPort, TrainerPort } from './ports.js'
import { translateStartupError } from './startup-errors.js'

/** Options of `createComponents`. */
export interface CreateComponentsOptions {
  logger: Logger
  needsRewardModel: boolean
  /** Metrics for libp2p and gossipsub (none by default). */
  netMetrics?: SwarmHostMetrics
  /** The node shares its process with other nodes (see `SwarmNodeInit.sharedProcess`). */
  sharedProcess?: boolean
}

/**
 * Builds the real components of a node. Nothing is opened until `open()`. On failure, whatever
 * was already created (worker threads, sessions) is released, so a failed start cannot keep the
 * process alive; trainer and host errors come back as `InvalidConfigError`s naming the key.
 */
export async function createComponents (config: NodeConfig, options: CreateComponentsOptions): Promise<SwarmNodeComponents> {
  const created: Array<() => Promise<void>> = []
  try {
    return await buildComponents(config, options, created)
  } catch (err) {
    await Promise.allSettled(created.map(async close => { await close() }))
    throw translateStartupError(config, err)
  }
}

async function buildComponents (config: NodeConfig, options: CreateComponentsOptions, created: Array<() => Promise<void>>): Promise<SwarmNodeComponents> {
  const log = options.logger
  const model = await loadModel(config.model)
  const device = await resolveDevice(parseDevice(config.device), ortDeviceProbe())
  let chat: ChatTemplate | undefined
  if (config.chatTemplate) {
    if (model.chatTemplate === undefined) throw new InvalidConfigError('chatTemplate', `model "${config.model}" has no chat template (tokenizer_config.json chat_template); set chatTemplate=false`)
    chat = chatTemplate(model.chatTemplate, model.tokenizer.toTokenizerConfig() as Record<string, unknown>)
  }
  const trained = trainedModel(model, config)
  const policy: Policy<ModelConfig> = await openPolicy({ ...model, ...trained }, { threads: 1, device, chatTemplate: chat })
  created.push(async () => { await policy.close() })
  const trainer: Trainer = createTrainer({
    config: trained.config,
    weights: trained.weights,
    chatTemplate: chat,
    device,
    tokenizer: model.tokenizer,
    ...trainerSettings(config),
    threads: 1,
    worker: options.sharedProcess !== true,
    memoryArena: options.sharedProcess !== true
  })
  created.push(async () => { await trainer.close() })
  let rewardModel: RewardModelPort | undefined
  let closeRewardModel = async (): Promise<void> => {}
  if (options.needsRewardModel) {
    if (config.rewardModel === 'none') throw new InvalidConfigError('rewardModel', `shaper "${config.rewards.shaper}" needs a reward model; set rewardModel or choose rewards.shaper=verifier`)
    const path = resolveModelPath(config.rewardModel)
    const bytes = await readFile(path).catch((err: unknown) => { throw new InvalidConfigError('rewardModel', `cannot read "${path}": ${(err as Error).message}`) })
    const rm = await loadRewardModel(new Uint8Array(bytes), model.tokenizer, { device })
    created.push(async () => { await rm.close() })
    rewardModel = {
      async score (prompts, completions, opts) {
        return await rm.score(prompts.map((prompt, i) => ({ prompt, completion: completions[i] })), opts)
      }
    }
    closeRewardModel = async () => { await rm.close() }
  }

  const store = nodeStore({
    dir: join(config.dataDir, 'store'),
    ...storeSettings(config),
    logger: log.child('store')
  })
  let basePolicy: Promise<Policy<ModelConfig>> | undefined
  const modelId = config.modelId !== '' ? config.modelId : modelIdOf(trained.config)
  // The base policy is only needed for KL-to-base diagnostics at evaluation: started on first use.
  const baseLogprobs: NonNullable<PolicyPort['baseLogprobs']> = async (prompts, tokenIds, o) => {
    basePolicy ??= openPolicy({ ...model, ...trained }, { threads: 1, device, chatTemplate: chat })
    return await (await basePolicy).logprobs(prompts, tokenIds, o)
  }
  const trainerPort: TrainerPort = {
    version: () => trainer.step,
    async train (groups, o) {
      const stats = await trainer.train(groups, o)
      // The trainer owns the master weights; the sampling policy follows after every update.
      await policy.setWeights(await trainer.weights(), { step: trainer.step })
      return { loss: stats.loss, gradNorm: stats.gradNorm, clipFraction: stats.clipFraction, kl: stats.approxKl, entropy: stats.entropy, steps: stats.steps }
    },
    async exportState () {
      return await trainer.exportState()
    },
    async importState (state) {
      // The node checkpoints `{ scheme, seed, trainer: <trainer rng state> }`; unwrap it (a bare state is accepted too).
      const rng = state.rng !== null && typeof state.rng === 'object' && 'trainer' in state.rng ? state.rng.trainer : state.rng
      await trainer.importState({ weights: state.weights, optimizer: state.optimizer, step: state.step, rng: rng as TrainerState['rng'] })
      await policy.setWeights(await trainer.weights(), { step: trainer.step })
    }
  }

  let host: SwarmHost | undefined
  let swarm: SwarmPort | undefined
  if (config.net.enabled) {
    const psk = config.net.pskFile === '' ? undefined : new Uint8Array(await readFile(config.net.pskFile).catch((err: unknown) => { throw new InvalidConfigError('net.pskFile', `cannot read "${config.net.pskFile}": ${(err as Error).message}`) }))
    host = createSwarmHost({
      ...swarmHostSettings(config),
      ...(psk === undefined ? {} : { psk }),
      resolveTask,
      logger: log.child('net'),
      metrics: options.netMetrics
    })
    const h = host
    swarm = {
      get peerId () { return h.peerId() },
      addrs: () => h.multiaddrs(),
      peerCount: () => h.peers().length,
      gossipPeers: () => h.gossipPeers(),
      async publish (groups, o) { await h.publish(groups, o) },
      onGroup (handler) { h.on('rollout:received', e => { handler(e.detail) }) },
      async dial (addrs, o) {
        await Promise.allSettled(addrs.map(async a => { await h.dial(a, o) }))
      },
      onStatus (handler) { watchHostStatus(h, handler) },
      stats: () => ({
        meshPeers: h.libp2p?.services.pubsub.getMeshPeers(h.topic).length ?? 0,
        connections: h.libp2p?.getConnections().length ?? 0,
        net: h.stats()
      })
    }
  }

  return {
    store,
    policy: policyPort(policy, modelId, { baseLogprobs }),
    trainer: trainerPort,
    rewardModel,
    swarm,
    device,
    async open () {
      await store.start()
      try {
        await host?.start()
      } catch (err) {
        await store.stop()
        throw translateStartupError(config, err)
      }
    },
    async close () {
      const results = await Promise.allSettled([
        host?.stop(),
        policy.close(),
        basePolicy?.then(async p => { await p.close() }),
        trainer.close(),
        closeRewardModel()
      ])
      await store.stop()
      const failed = results.find(r => r.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
  }
}

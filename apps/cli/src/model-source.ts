/**
 * Where `eval` and `export` get a model: a node's data directory (its latest checkpoint), a
 * safetensors file, a murmur or Hugging Face (Llama / Qwen2 / Qwen3) model folder, or a built-in name.
 */
import { join } from 'node:path'
import { stat } from 'node:fs/promises'
import { loadModel, trainedModel } from '@murmur/node'
import { isLoraModel, mergeLora, weightsFromSafetensors, type ModelConfig, type Weights, type Tokenizer } from '@murmur/policy'
import { nodeStore } from '@murmur/store'
import { UsageError } from './errors.js'

/** A model ready to load into a policy. */
export interface ModelSource {
  /** gpt, or a Hugging Face Llama / Qwen2 / Qwen3 config. */
  config: ModelConfig
  weights: Weights
  tokenizer: Tokenizer
  step: number
  /** Human-readable origin, for reports. */
  origin: string
}

/** Loads from `--data-dir` (latest checkpoint) when given, else from `--model`. */
export async function loadModelSource (flags: { model?: string, dataDir?: string }): Promise<ModelSource> {
  if (flags.dataDir !== undefined) {
    const storeDir = join(flags.dataDir, 'store')
    if (await stat(storeDir).then(() => false, () => true)) throw new UsageError(`--data-dir ${flags.dataDir}: no node store there (expected ${storeDir})`)
    const store = nodeStore({ dir: storeDir })
    await store.start()
    try {
      const checkpoint = await store.checkpoints.latest()
      if (checkpoint === undefined) throw new UsageError(`--data-dir ${flags.dataDir}: the node has no checkpoint yet`)
      const nodeConfig = checkpoint.config as { model?: string, seed?: number, train?: { loraRank?: number, loraTargets?: string[] } }
      const base = await loadModel(flags.model ?? nodeConfig.model ?? 'builtin:tiny')
      // A LoRA node checkpoints adapters: read them against its adapted model, then fold them into the base.
      const trained = trainedModel(base, { seed: nodeConfig.seed ?? 0, train: { loraRank: nodeConfig.train?.loraRank ?? 0, loraTargets: nodeConfig.train?.loraTargets ?? [] } })
      const loaded = weightsFromSafetensors(checkpoint.weights, `${storeDir} checkpoint of round ${checkpoint.round}`, trained.config)
      const weights = isLoraModel(trained.config) ? mergeLora(trained.config.base, trained.config.lora, base.weights, loaded.weights) : loaded.weights
      return { config: base.config, weights, tokenizer: base.tokenizer, step: checkpoint.step, origin: `${flags.dataDir} (checkpoint of round ${checkpoint.round})` }
    } finally {
      await store.stop()
    }
  }
  const model = flags.model ?? 'builtin:tiny'
  const loaded = await loadModel(model)
  return { ...loaded, origin: model }
}

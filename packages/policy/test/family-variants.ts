import type { FamilyFixtureOptions } from '../src/families/fixture.js'

/** The family variants the graph must reproduce: every flag and rope scaling at least once. */
export const VARIANTS: Array<[string, FamilyFixtureOptions]> = [
  ['llama untied, GQA 4/2', { modelType: 'llama', seed: 1 }],
  ['llama with biases and llama3 rope', { modelType: 'llama', seed: 2, configExtra: { attention_bias: true, mlp_bias: true, rope_theta: 500_000, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 } } }],
  ['qwen2 tied, qkv bias, linear rope', { modelType: 'qwen2', seed: 3, configExtra: { rope_scaling: { type: 'linear', factor: 2 } } }],
  ['qwen3 q/k norm, head_dim ≠ hidden/heads, yarn', { modelType: 'qwen3', seed: 4, headDim: 16, nKvHead: 1, configExtra: { rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 8 } } }]
]

import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { familyConfigFromJson, ropeFrequencies } from '../src/families/config.js'
import { writeFamilyFixture } from '../src/families/fixture.js'
import { readFamilyFolder, isFamilyFolder } from '../src/families/folder.js'
import { InvalidModelFolderError } from '../src/errors.js'
import { readSafetensors, writeSafetensors } from '../src/safetensors.js'

const root = mkdtempSync(join(tmpdir(), 'murmur-families-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const base = { vocab_size: 128, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64 }

describe('family config.json', () => {
  it('reads the family flags: qkv bias for qwen2, q/k norm for qwen3, attention_bias for llama', () => {
    const q2 = familyConfigFromJson({ ...base, model_type: 'qwen2', num_key_value_heads: 2 })
    expect(q2).toMatchObject({ qkvBias: true, oBias: false, qkNorm: false, nKvHead: 2, headDim: 8, tiedEmbeddings: false })
    const q3 = familyConfigFromJson({ ...base, model_type: 'qwen3', head_dim: 16, tie_word_embeddings: true })
    expect(q3).toMatchObject({ qkvBias: false, qkNorm: true, headDim: 16, nKvHead: 4, tiedEmbeddings: true })
    const ll = familyConfigFromJson({ ...base, model_type: 'llama', attention_bias: true, mlp_bias: true })
    expect(ll).toMatchObject({ qkvBias: true, oBias: true, mlpBias: true, qkNorm: false })
  })

  it('rejects an unknown model_type and bad sizes with the key named', () => {
    const e1 = catchErr(() => familyConfigFromJson({ ...base, model_type: 'mistral' }))
    expect(e1).toMatchObject({ name: 'InvalidModelFolderError', file: 'config.json', problem: 'unsupported-model' })
    const e2 = catchErr(() => familyConfigFromJson({ ...base, model_type: 'llama', num_key_value_heads: 3 }))
    expect(e2).toMatchObject({ problem: 'bad-config' })
    expect((e2 as Error).message).toContain('num_key_value_heads')
    const e3 = catchErr(() => familyConfigFromJson({ ...base, model_type: 'llama', rope_scaling: { rope_type: 'longrope', factor: 2 } }))
    expect((e3 as Error).message).toContain('rope_scaling.rope_type')
  })

  it('scales rotary frequencies: linear divides all, llama3 keeps high and divides low frequencies', () => {
    const c = familyConfigFromJson({ ...base, model_type: 'llama', head_dim: 64, rope_theta: 500_000 })
    const plain = ropeFrequencies(c).invFreq
    const lin = ropeFrequencies({ ...c, ropeScaling: { type: 'linear', factor: 4 } }).invFreq
    expect(lin[5]).toBeCloseTo(plain[5] / 4, 15)
    const l3 = ropeFrequencies(familyConfigFromJson({ ...base, model_type: 'llama', head_dim: 64, rope_theta: 500_000, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } })).invFreq
    expect(l3[0]).toBe(plain[0])
    expect(l3[31]).toBeCloseTo(plain[31] / 8, 15)
    const yarn = ropeFrequencies(familyConfigFromJson({ ...base, model_type: 'qwen2', head_dim: 64, rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 32 } }))
    expect(yarn.attentionFactor).toBeCloseTo(0.1 * Math.log(4) + 1, 12)
    const plainQ = ropeFrequencies(familyConfigFromJson({ ...base, model_type: 'qwen2', head_dim: 64 })).invFreq
    expect(yarn.invFreq[0]).toBe(plainQ[0])
    expect(yarn.invFreq[31]).toBeCloseTo(plainQ[31] / 4, 15)
  })
})

describe('family folders', () => {
  for (const [modelType, dtype, shards] of [['llama', 'F32', 1], ['qwen2', 'BF16', 3], ['qwen3', 'F16', 2]] as const) {
    it(`reads back a ${modelType} folder stored as ${dtype} in ${shards} shard(s)`, async () => {
      const dir = join(root, `${modelType}-${dtype}`)
      const written = await writeFamilyFixture(dir, { modelType, dtype, shards, seed: 3 })
      expect(await isFamilyFolder(dir)).toBe(true)
      const folder = await readFamilyFolder(dir)
      expect(folder.config).toEqual(written.config)
      expect(Object.keys(folder.weights).sort()).toEqual(Object.keys(written.weights).sort())
      for (const [name, t] of Object.entries(written.weights)) expect(folder.weights[name]).toEqual(t)
      expect(folder.tokenizer.decode(folder.tokenizer.encode('12+34='))).toBe('12+34=')
      expect(folder.chatTemplate).toContain('add_generation_prompt')
    })
  }

  async function broken (name: string, modelType: 'llama' | 'qwen2' | 'qwen3' = 'qwen2'): Promise<string> {
    const dir = join(root, name)
    await writeFamilyFixture(dir, { modelType, seed: 1 })
    return dir
  }

  it('names the file and tensor when a tensor is missing', async () => {
    const dir = await broken('missing-tensor')
    const f = readSafetensors(readFileSync(join(dir, 'model.safetensors')))
    delete f.tensors['model.layers.1.self_attn.k_proj.bias']
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(f.tensors))
    const err = await readFamilyFolder(dir).catch(e => e)
    expect(err).toBeInstanceOf(InvalidModelFolderError)
    expect(err).toMatchObject({ file: 'model.safetensors', problem: 'missing-tensor' })
    expect(err.message).toContain('model.layers.1.self_attn.k_proj.bias')
  })

  it('names the tensor whose shape disagrees with config.json', async () => {
    const dir = await broken('bad-shape', 'llama')
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
    cfg.intermediate_size += 1
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg))
    const err = await readFamilyFolder(dir).catch(e => e)
    expect(err).toMatchObject({ name: 'InvalidModelFolderError', file: 'model.safetensors', problem: 'wrong-shape' })
    expect(err.message).toMatch(/model\.layers\.0\.mlp\.(gate|up|down)_proj\.weight/)
  })

  it('reports a truncated safetensors file', async () => {
    const dir = await broken('truncated')
    const path = join(dir, 'model.safetensors')
    truncateSync(path, statSync(path).size - 100)
    expect(await readFamilyFolder(dir).catch(e => e)).toMatchObject({ name: 'InvalidModelFolderError', file: 'model.safetensors', problem: 'out-of-range' })
  })

  it('reports a tensor stored in an unsupported dtype', async () => {
    const dir = await broken('dtype')
    const bytes = readFileSync(join(dir, 'model.safetensors'))
    const n = Number(bytes.readBigUInt64LE(0))
    const header = bytes.subarray(8, 8 + n).toString('utf8').replace('"dtype":"F32"', '"dtype":"I32"')
    writeFileSync(join(dir, 'model.safetensors'), Buffer.concat([bytes.subarray(0, 8), Buffer.from(header), bytes.subarray(8 + n)]))
    expect(await readFamilyFolder(dir).catch(e => e)).toMatchObject({ name: 'InvalidModelFolderError', file: 'model.safetensors', problem: 'unsupported-dtype' })
  })

  it('reports a missing tokenizer.json and a missing shard', async () => {
    const dir = await broken('no-tokenizer')
    unlinkSync(join(dir, 'tokenizer.json'))
    expect(await readFamilyFolder(dir).catch(e => e)).toMatchObject({ name: 'InvalidModelFolderError', file: 'tokenizer.json', problem: 'missing' })
    const sharded = join(root, 'no-shard')
    await writeFamilyFixture(sharded, { modelType: 'qwen3', shards: 2 })
    unlinkSync(join(sharded, 'model-00002-of-00002.safetensors'))
    expect(await readFamilyFolder(sharded).catch(e => e)).toMatchObject({ name: 'InvalidModelFolderError', file: 'model-00002-of-00002.safetensors', problem: 'missing' })
  })
})

function catchErr (fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

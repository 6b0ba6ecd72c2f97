import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gptConfigs, resolveGptConfig } from '../src/config.js'
import { exportModelFolder, loadPolicy, readModelFolder } from '../src/model-folder.js'
import { createPolicy, type Policy } from '../src/policy.js'
import { createRng } from '@murmur/interface'
import { initWeights } from '../src/weights.js'
import { readSafetensors, writeSafetensors } from '../src/safetensors.js'

const root = mkdtempSync(join(tmpdir(), 'murmur-models-'))
const config = resolveGptConfig(gptConfigs.tiny)
let policy: Policy

beforeAll(async () => {
  const w = initWeights(config, 21)
  const rng = createRng(21)
  for (const t of Object.values(w)) for (let i = 0; i < t.length; i++) t[i] += rng.normal() * 0.15
  policy = await createPolicy({ config, weights: w, step: 42 })
  await exportModelFolder(policy, join(root, 'tiny'))
})
afterAll(async () => {
  await policy.close()
  rmSync(root, { recursive: true, force: true })
})

describe('model folder', () => {
  it('writes the Hugging Face layout', () => {
    const cfg = JSON.parse(readFileSync(join(root, 'tiny', 'config.json'), 'utf8')) as Record<string, unknown>
    expect(cfg).toMatchObject({ model_type: 'gpt2', n_layer: 2, n_head: 4, n_embd: 64, vocab_size: 101, n_positions: 64, eos_token_id: 2 })
    for (const f of ['onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors']) {
      expect(readFileSync(join(root, 'tiny', f)).length).toBeGreaterThan(10)
    }
  })

  it('loads back to identical weights, tokenizer and step, and generates the same', async () => {
    const folder = await readModelFolder(join(root, 'tiny'))
    expect(folder.step).toBe(42)
    expect(folder.config).toEqual(config)
    for (const [name, t] of Object.entries(policy.getWeights())) {
      expect(Buffer.from(folder.weights[name].buffer).equals(Buffer.from(t.buffer))).toBe(true)
    }
    const again = await loadPolicy(join(root, 'tiny'))
    try {
      const a = await policy.generate(['12+34=', 'q'], { n: 2, maxTokens: 6, seed: 3 })
      const b = await again.generate(['12+34=', 'q'], { n: 2, maxTokens: 6, seed: 3 })
      expect(b).toEqual(a)
    } finally {
      await again.close()
    }
  })

  it('loads a policy from the single model.safetensors checkpoint', async () => {
    const again = await loadPolicy(join(root, 'tiny', 'model.safetensors'))
    try {
      expect(again.step).toBe(42)
      expect(again.config).toEqual(config)
      expect(await again.generate(['7+7='], { maxTokens: 5, temperature: 0 })).toEqual(await policy.generate(['7+7='], { maxTokens: 5, temperature: 0 }))
    } finally {
      await again.close()
    }
  })

  it('transformers.js loads the folder offline and generates the same greedy tokens', async () => {
    env.allowRemoteModels = false
    env.localModelPath = root
    const tok = await AutoTokenizer.from_pretrained('tiny')
    const model = await AutoModelForCausalLM.from_pretrained('tiny', { dtype: 'fp32' })
    try {
      const prompts = ['12+34=', 'ab', 'sort: 3 1 2 ->']
      const enc = tok(prompts, { padding: true })
      const out = (await model.generate({ ...enc, max_new_tokens: 10, do_sample: false }) as { tolist: () => bigint[][] }).tolist()
      const width = (enc.input_ids as { dims: number[] }).dims[1]
      const ours = await policy.generate(prompts, { maxTokens: 10, temperature: 0 })
      let compared = 0
      for (let i = 0; i < prompts.length; i++) {
        const theirs = out[i].slice(width).map(Number)
        const mine = ours[i][0].tokenIds
        expect(theirs.slice(0, mine.length)).toEqual(mine)
        compared += mine.length
      }
      expect(compared).toBeGreaterThan(10)
    } finally {
      await model.dispose()
    }
  })
})

describe('rotary model folder', () => {
  it('exports and runs in transformers.js with the same greedy tokens', async () => {
    const rotary = resolveGptConfig({ ...gptConfigs.tiny, positions: 'rotary', tiedEmbeddings: false })
    const w = initWeights(rotary, 5)
    const rng = createRng(5)
    for (const t of Object.values(w)) for (let i = 0; i < t.length; i++) t[i] += rng.normal() * 0.15
    const p = await createPolicy({ config: rotary, weights: w })
    try {
      await exportModelFolder(p, join(root, 'rotary'))
      const loaded = await readModelFolder(join(root, 'rotary'))
      expect(loaded.config).toEqual(rotary)
      env.allowRemoteModels = false
      env.localModelPath = root
      const tok = await AutoTokenizer.from_pretrained('rotary')
      const model = await AutoModelForCausalLM.from_pretrained('rotary', { dtype: 'fp32' })
      const enc = tok(['3+4=', 'hello there'], { padding: true })
      const out = (await model.generate({ ...enc, max_new_tokens: 8, do_sample: false }) as { tolist: () => bigint[][] }).tolist()
      await model.dispose()
      const width = (enc.input_ids as { dims: number[] }).dims[1]
      const ours = await p.generate(['3+4=', 'hello there'], { maxTokens: 8, temperature: 0 })
      for (let i = 0; i < 2; i++) expect(out[i].slice(width).map(Number).slice(0, ours[i][0].tokenIds.length)).toEqual(ours[i][0].tokenIds)
    } finally {
      await p.close()
    }
  })
})

describe('bad model folders', () => {
  const broken = (name: string, mutate: (dir: string) => void): string => {
    const dir = join(root, name)
    cpSync(join(root, 'tiny'), dir, { recursive: true })
    mutate(dir)
    return dir
  }
  const cases: Array<[string, (dir: string) => void, string, string]> = [
    ['missing config', d => { unlinkSync(join(d, 'config.json')) }, 'config.json', 'missing'],
    ['broken config JSON', d => { writeFileSync(join(d, 'config.json'), '{"model_type": ') }, 'config.json', 'bad-json'],
    ['bad config values', d => { writeFileSync(join(d, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_layer: 2, n_embd: 64, n_head: 5, vocab_size: 101, n_positions: 64 })) }, 'config.json', 'bad-config'],
    ['unknown model type', d => { writeFileSync(join(d, 'config.json'), JSON.stringify({ model_type: 'llama' })) }, 'config.json', 'unsupported-model'],
    ['missing weights', d => { unlinkSync(join(d, 'model.safetensors')) }, 'model.safetensors', 'missing'],
    ['truncated weights', d => { const b = readFileSync(join(d, 'model.safetensors')); writeFileSync(join(d, 'model.safetensors'), b.subarray(0, b.length - 100)) }, 'model.safetensors', 'out-of-range'],
    ['wrong shape', d => rewriteTensor(d, 'transformer.ln_f.bias', t => ({ ...t, shape: [8, 8] })), 'model.safetensors', 'wrong-shape'],
    ['missing tensor', d => rewriteTensor(d, 'transformer.h.1.mlp.c_fc.bias', undefined), 'model.safetensors', 'missing-tensor'],
    ['wrong dtype', d => { corruptDtype(d) }, 'model.safetensors', 'wrong-dtype'],
    ['missing tokenizer', d => { unlinkSync(join(d, 'tokenizer.json')) }, 'tokenizer.json', 'missing'],
    ['vocab larger than the model', d => { writeFileSync(join(d, 'tokenizer_config.json'), JSON.stringify({ murmur_tokenizer: { kind: 'char', alphabet: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()_+-=[]{};:,.<>/?~`|ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ' } })) }, 'tokenizer.json', 'vocab-mismatch']
  ]
  for (const [what, mutate, file, problem] of cases) {
    it(`${what} → InvalidModelFolderError(${file}, ${problem})`, async () => {
      const dir = broken(what.replace(/\W+/g, '-'), mutate)
      await expect(readModelFolder(dir)).rejects.toMatchObject({ code: 'ERR_INVALID_MODEL_FOLDER', file, problem })
    })
  }
})

function rewriteTensor (dir: string, name: string, change: ((t: ReturnType<typeof readSafetensors>['tensors'][string]) => ReturnType<typeof readSafetensors>['tensors'][string]) | undefined): void {
  const path = join(dir, 'model.safetensors')
  const file = readSafetensors(new Uint8Array(readFileSync(path)))
  if (change === undefined) delete file.tensors[name]
  else {
    const t = change(file.tensors[name])
    file.tensors[name] = { ...t, data: new Float32Array(t.shape.reduce((a, b) => a * b, 1)) }
  }
  writeFileSync(path, writeSafetensors(file.tensors, file.metadata))
}

/** Rewrites one tensor's dtype in the header to I32 (same byte size, so only the dtype is wrong). */
function corruptDtype (dir: string): void {
  const path = join(dir, 'model.safetensors')
  const bytes = readFileSync(path)
  const n = Number(bytes.readBigUInt64LE(0))
  const header = bytes.subarray(8, 8 + n).toString('utf8').replace('"dtype":"F32"', '"dtype":"I32"')
  bytes.write(header, 8, 'utf8')
  writeFileSync(path, bytes)
}

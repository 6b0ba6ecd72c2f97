/**
 * The trainer on Hugging Face family models (Llama / Qwen2 / Qwen3 through policy's
 * `buildModelForward`): the GRPO step's float64 gradient against central differences, and
 * whole Trainer rounds moving log-probs the way the advantages say, then the same weights
 * sampling through a family policy.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSession, tensor, type TensorMap } from '@murmur/graph'
import { createRng } from '@murmur/interface'
import { charTokenizer, chatTemplate, createModelPolicy, familyReferenceForward, FIXTURE_CHAT_TEMPLATE, initLoraWeights, loraModel, resolveLoraConfig, modelParamSpecs, writeFamilyFixture, type FamilyConfig, type Weights } from '@murmur/policy'
import { afterAll, describe, expect, it } from 'vitest'
import { buildStepGraph } from '../src/step-graph.js'
import { createTrainer } from '../src/trainer.js'
import { expectMovedByAdvantage, expectPolicyScores, groups, pairs, policyScores, sum } from './groups-fixture.js'

const root = mkdtempSync(join(tmpdir(), 'murmur-trainfam-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const tokenizer = charTokenizer()

async function fixture (name: string, modelType: 'llama' | 'qwen2' | 'qwen3'): Promise<{ config: FamilyConfig, weights: Weights }> {
  return await writeFamilyFixture(join(root, name), { modelType, seed: 5, nLayer: 1, hiddenSize: 16, nHead: 4, nKvHead: 2, intermediateSize: 24, maxPositions: 32 })
}

describe('trainer on family models', () => {
  it('the GRPO step gradient of a Qwen3 model matches central differences in float64', async () => {
    const { config, weights } = await fixture('grad', 'qwen3')
    const B = 2
    const T = 5
    const session = await createSession(buildStepGraph(config, { kind: 'policy', rows: B, steps: T, optimizer: false, dtype: 'float64' }))
    try {
      const params = Object.fromEntries(modelParamSpecs(config).map(s => [s.name, Float64Array.from(weights[s.name])]))
      const mask = [0, 1, 1, 1, 0, 0, 1, 1, 1, 0]
      const extra: TensorMap = {
        input_ids: tensor('int64', [B, T], [1, 4, 20, 60, 3, 1, 5, 50, 22, 0]),
        targets: tensor('int64', [B, T], [4, 20, 60, 3, 0, 5, 50, 22, 0, 0]),
        mask: tensor('float64', [B, T], mask),
        weights: tensor('float64', [B, T], mask.map(m => m / 6)),
        advantages: tensor('float64', [B], [0.7, -1.3]),
        old_logp: tensor('float64', [B, T], mask.map((m, i) => -4 + 0.3 * ((i % 3) - 1))),
        token_weights: tensor('float64', [B, T], new Float64Array(B * T).fill(1))
      }
      const feeds = (p: Record<string, Float64Array>): TensorMap => ({ ...extra, ...Object.fromEntries(modelParamSpecs(config).map(s => [s.name, tensor('float64', s.shape, p[s.name])])) })
      const out = await session.run(feeds(params))
      const rng = createRng(2)
      const dir = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.map(() => rng.normal())]))
      let analytic = 0
      for (const [k, d] of Object.entries(dir)) {
        const g = out[`grad.${k}`].data as Float64Array
        d.forEach((x, i) => { analytic += x * g[i] })
      }
      const h = 1e-6
      const at = async (sign: number): Promise<number> => ((await session.run(feeds(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.map((x, i) => x + sign * h * dir[k][i])]))), { fetches: ['loss'] })).loss.data as Float64Array)[0]
      const numeric = (await at(1) - await at(-1)) / (2 * h)
      expect(Math.abs(analytic)).toBeGreaterThan(1e-4)
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-6 * Math.max(1, Math.abs(analytic)))
    } finally {
      await session.close()
    }
  })

  it('Trainer rounds on a Qwen2 model raise positive-advantage completions, and the trained weights sample through a family policy', async () => {
    const { config, weights } = await fixture('trainer', 'qwen2')
    const trainer = createTrainer({ config, weights, tokenizer, seed: 3, learningRate: 3e-3, minibatchSize: 8 })
    try {
      const before = (await trainer.logprobs(pairs)).map(sum)
      // π_old of the first pair (completion + EOS, as the trainer scores it) equals the float64 reference forward
      const ids = [tokenizer.bosId as number, ...tokenizer.encode(pairs[0].prompt)]
      const comp = [...tokenizer.encode(pairs[0].completion), tokenizer.eosId as number]
      const logits = familyReferenceForward(config, weights, [...ids, ...comp])
      let ref = 0
      comp.forEach((tok, t) => {
        const row = logits.subarray((ids.length - 1 + t) * config.vocabSize, (ids.length + t) * config.vocabSize)
        const max = Math.max(...row)
        ref += row[tok] - max - Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0))
      })
      expect(before[0]).toBeCloseTo(ref, 4)
      for (let i = 0; i < 5; i++) await trainer.train(groups)
      const after = (await trainer.logprobs(pairs)).map(sum)
      expectMovedByAdvantage(before, after)
      await expectPolicyScores(await createModelPolicy(config, await trainer.weights(), tokenizer, { threads: 1 }), after)
    } finally {
      await trainer.close()
    }
  })

  it('with a chat template, the trainer scores exactly the tokens the policy samples and scores', async () => {
    const { config, weights } = await fixture('chat', 'llama')
    const chat = chatTemplate(FIXTURE_CHAT_TEMPLATE)
    const trainer = createTrainer({ config, weights, tokenizer, chatTemplate: chat })
    const policy = await createModelPolicy(config, weights, tokenizer, { chatTemplate: chat })
    try {
      expect(tokenizer.decode(policy.encodePrompt('1+1='))).toBe('user: 1+1=\nassistant: ')
      const fromTrainer = (await trainer.logprobs(pairs)).map(sum)
      const fromPolicy = await policyScores(policy)
      fromPolicy.forEach((v, i) => expect(v).toBeCloseTo(fromTrainer[i], 4))
      const unwrapped = createTrainer({ config, weights, tokenizer })
      const plain = (await unwrapped.logprobs(pairs)).map(sum)
      await unwrapped.close()
      expect(plain[0]).not.toBeCloseTo(fromTrainer[0], 2)
    } finally {
      await policy.close()
      await trainer.close()
    }
  })

  it('a LoRA model trains only its adapters through the same Trainer, and the policy samples from the merged weights', async () => {
    const { config, weights } = await fixture('lora', 'qwen3')
    const model = loraModel(config, weights, resolveLoraConfig({ rank: 2, targets: ['q_proj', 'v_proj', 'up_proj'] }))
    const adapters = initLoraWeights(model.base, model.lora, 1)
    // float64 gradient of the GRPO step with respect to the adapters
    const B = 1
    const T = 4
    const session = await createSession(buildStepGraph(model, { kind: 'policy', rows: B, steps: T, optimizer: false, dtype: 'float64' }))
    try {
      const names = modelParamSpecs(model).map(s => s.name)
      expect(names.every(n => n.includes('.lora_'))).toBe(true)
      const rng = createRng(4)
      const values = Object.fromEntries(modelParamSpecs(model).map(s => [s.name, Float64Array.from(adapters[s.name], x => x + 0.1 * rng.normal())]))
      const extra: TensorMap = {
        input_ids: tensor('int64', [B, T], [1, 20, 40, 7]),
        targets: tensor('int64', [B, T], [20, 40, 7, 2]),
        mask: tensor('float64', [B, T], [0, 1, 1, 1]),
        weights: tensor('float64', [B, T], [0, 1 / 3, 1 / 3, 1 / 3]),
        advantages: tensor('float64', [B], [0.9]),
        old_logp: tensor('float64', [B, T], [-4, -4.2, -3.9, -4.1]),
        token_weights: tensor('float64', [B, T], [1, 1, 1, 1])
      }
      const feeds = (v: Record<string, Float64Array>): TensorMap => ({ ...extra, ...Object.fromEntries(modelParamSpecs(model).map(s => [s.name, tensor('float64', s.shape, v[s.name])])) })
      const out = await session.run(feeds(values))
      const dir = Object.fromEntries(names.map(n => [n, values[n].map(() => rng.normal())]))
      let analytic = 0
      for (const n of names) (out[`grad.${n}`].data as Float64Array).forEach((g, i) => { analytic += g * dir[n][i] })
      const h = 1e-6
      const at = async (sign: number): Promise<number> => ((await session.run(feeds(Object.fromEntries(names.map(n => [n, values[n].map((x, i) => x + sign * h * dir[n][i])]))), { fetches: ['loss'] })).loss.data as Float64Array)[0]
      const numeric = (await at(1) - await at(-1)) / (2 * h)
      expect(Math.abs(analytic)).toBeGreaterThan(1e-4)
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-6 * Math.max(1, Math.abs(analytic)))
    } finally {
      await session.close()
    }
    const trainer = createTrainer({ config: model, weights: adapters, tokenizer, seed: 3, learningRate: 1e-2, minibatchSize: 8 })
    try {
      const before = (await trainer.logprobs(pairs)).map(sum)
      for (let i = 0; i < 5; i++) await trainer.train(groups)
      const after = (await trainer.logprobs(pairs)).map(sum)
      expectMovedByAdvantage(before, after)
      const state = await trainer.exportState()
      expect(Object.keys(await trainer.weights()).sort()).toEqual(modelParamSpecs(model).map(s => s.name).sort())
      // the checkpoint holds adapters and their AdamW moments only (a full one: 3 × the base weights)
      const baseBytes = Object.values(weights).reduce((n, w) => n + 4 * w.length, 0)
      expect(state.weights.length + state.optimizer.length).toBeLessThan(baseBytes / 2)
      await expectPolicyScores(await createModelPolicy(model, await trainer.weights(), tokenizer), after)
    } finally {
      await trainer.close()
    }
  })
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSession, grad, graphBuilder, tensor, type TensorMap, type Value } from '@murmur/graph'
import { createRng } from '@murmur/interface'
import { afterAll, describe, expect, it } from 'vitest'
import { familyParamSpecs, type FamilyConfig } from '../src/families/config.js'
import { writeFamilyFixture } from '../src/families/fixture.js'
import type { FamilyWeights } from '../src/families/folder.js'
import { buildFamilyForward } from '../src/families/graph.js'
import { modelParamInputs } from '../src/model-def.js'
import { initLoraWeights, loraSpecs, resolveLoraConfig, withLora, type LoraConfig } from '../src/families/lora.js'
import { VARIANTS } from './family-variants.js'

const root = mkdtempSync(join(tmpdir(), 'murmur-famtrain-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const B = 2
const T = 6
const IDS = [5, 17, 40, 3, 77, 12, 9, 60, 31, 2, 44, 8]
const TARGETS = [17, 40, 3, 77, 12, 0, 60, 31, 2, 44, 8, 0]
const MASK = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0]
const batch = (dtype: 'float32' | 'float64'): TensorMap => ({
  input_ids: tensor('int64', [B, T], IDS),
  targets: tensor('int64', [B, T], TARGETS),
  mask: tensor(dtype, [B, T], MASK)
})

/** Float64 SFT loss graph with `trainable` tensors as inputs and their gradients as outputs. */
function gradGraph (c: FamilyConfig, weights: FamilyWeights, lora?: LoraConfig): { model: Uint8Array, names: string[], shapes: number[][] } {
  const b = graphBuilder({ name: 'gradcheck' })
  const ids = b.input('input_ids', 'int64', [B, T])
  const targets = b.input('targets', 'int64', [B, T])
  const mask = b.input('mask', 'float64', [B, T])
  let params: Record<string, Value> = {}
  let trainable: Value[] = []
  if (lora === undefined) {
    params = modelParamInputs(b, c, 'float64')
    trainable = Object.values(params)
  } else {
    // base weights are constants; only the adapters are differentiated
    for (const s of familyParamSpecs(c)) params[s.name] = b.constant(tensor('float64', s.shape, Float64Array.from(weights[s.name])), s.name)
    const adapters: Record<string, Value> = {}
    for (const s of loraSpecs(c, lora)) for (const t of [s.a, s.b]) adapters[t.name] = b.input(t.name, 'float64', t.shape)
    params = withLora(b, c, lora, params, adapters)
    trainable = Object.values(adapters)
  }
  const positions = b.constant(tensor('int64', [1, T], [...Array(T).keys()]), 'position_ids')
  const { logits } = buildFamilyForward(b, c, params, { inputIds: ids, positionIds: positions })
  const loss = b.div(b.reduceSum(b.mul(b.crossEntropy(logits, targets), mask)), b.reduceSum(mask))
  b.output('loss', loss)
  const grads = grad(b, loss, trainable)
  trainable.forEach((v, i) => b.output(`grad.${v.name}`, grads[i]))
  return { model: b.toModelProto(), names: trainable.map(v => v.name), shapes: trainable.map(v => v.shape as number[]) }
}

async function directionalCheck (model: Uint8Array, names: string[], shapes: number[][], values: Record<string, Float64Array>): Promise<void> {
  const session = await createSession(model)
  const rng = createRng(3)
  const feeds = (v: Record<string, Float64Array>): TensorMap => {
    const f: TensorMap = batch('float64')
    names.forEach((n, i) => { f[n] = tensor('float64', shapes[i], v[n]) })
    return f
  }
  try {
    const out = await session.run(feeds(values))
    for (let trial = 0; trial < 2; trial++) {
      const dir: Record<string, Float64Array> = {}
      let analytic = 0
      for (const n of names) {
        dir[n] = Float64Array.from(values[n], () => rng.normal())
        const g = out[`grad.${n}`].data as Float64Array
        for (let i = 0; i < g.length; i++) analytic += g[i] * dir[n][i]
      }
      const h = 1e-6
      const at = async (sign: number): Promise<number> => {
        const v = Object.fromEntries(names.map(n => [n, values[n].map((x, i) => x + sign * h * dir[n][i])]))
        return ((await session.run(feeds(v), { fetches: ['loss'] })).loss.data as Float64Array)[0]
      }
      const numeric = (await at(1) - await at(-1)) / (2 * h)
      expect(Math.abs(analytic)).toBeGreaterThan(1e-4)
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-6 * Math.max(1, Math.abs(analytic)))
    }
  } finally {
    await session.close()
  }
}

describe('family training', () => {
  for (const [label, opts] of [VARIANTS[1], VARIANTS[3]]) {
    it(`${label}: float64 gradients of the SFT loss match central differences (every weight)`, async () => {
      const { config, weights } = await writeFamilyFixture(join(root, label.replace(/\W+/g, '-')), { ...opts, nLayer: 1 })
      const g = gradGraph(config, weights)
      await directionalCheck(g.model, g.names, g.shapes, Object.fromEntries(g.names.map(n => [n, Float64Array.from(weights[n])])))
    })
  }

  it('LoRA adapter gradients match central differences', async () => {
    const { config, weights } = await writeFamilyFixture(join(root, 'lora-grad'), { modelType: 'qwen2', seed: 9, nLayer: 1 })
    const lora = resolveLoraConfig({ rank: 2, targets: ['q_proj', 'v_proj', 'down_proj'] })
    const adapters = initLoraWeights(config, lora, 1)
    // B starts at zero; give it values so both A and B get non-trivial gradients
    const rng = createRng(2)
    for (const [n, t] of Object.entries(adapters)) if (n.includes('lora_B')) t.forEach((_, i) => { t[i] = 0.1 * rng.normal() })
    const g = gradGraph(config, weights, lora)
    expect(g.names.every(n => n.includes('.lora_'))).toBe(true)
    await directionalCheck(g.model, g.names, g.shapes, Object.fromEntries(g.names.map(n => [n, Float64Array.from(adapters[n])])))
  })
})

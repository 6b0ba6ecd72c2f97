import { describe, expect, it } from 'vitest'
import { createSession, tensor, type Session, type TensorMap } from '@murmur/graph'
import { paramSpecs, resolveGptConfig, type GptConfig, type GptConfigInit, initWeights } from '@murmur/policy'
import { buildStepGraph } from '../src/step-graph.js'
import { createRng } from '@murmur/interface'

// Whole-model gradient check of the autodiff train step (graph's `grad` over the one gpt
// forward) against a central difference of the same graph's float64 loss along random
// directions. (Before the hand-written reverse pass was deleted, the two agreed to a relative
// L2 of ≤ 2.7e-15 per parameter on these cases: commit 5a61ee7.)
const base: GptConfigInit = { nLayer: 2, nEmbd: 8, nHead: 2, vocabSize: 7, nCtx: 6 }
const B = 2
const T = 5

function feedsFor (config: GptConfig, params: Record<string, Float64Array>, extra: TensorMap): TensorMap {
  const feeds: TensorMap = { ...extra }
  for (const s of paramSpecs(config)) feeds[s.name] = tensor('float64', s.shape, params[s.name])
  return feeds
}

async function lossAt (config: GptConfig, session: Session, params: Record<string, Float64Array>, extra: TensorMap): Promise<number> {
  const out = await session.run(feedsFor(config, params, extra), { fetches: ['loss'] })
  return (out.loss.data as Float64Array)[0]
}

interface Case { kind: 'policy' | 'sft', beta: number, config?: Partial<GptConfigInit>, tokenWeights?: number[] }

async function check ({ kind, beta, config: over = {}, tokenWeights }: Case): Promise<void> {
  const config = resolveGptConfig({ ...base, ...over })
  const rng = createRng(11)
  const w = initWeights(config, 5)
  const params: Record<string, Float64Array> = {}
  for (const s of paramSpecs(config)) {
    params[s.name] = Float64Array.from(w[s.name], x => s.init === 'ones' ? 1 + 0.3 * rng.normal() : s.init === 'zeros' ? 0.1 * rng.normal() : x * 25)
  }
  const ids = [1, 4, 2, 6, 3, 1, 5, 5, 2, 0]
  const targets = [4, 2, 6, 3, 0, 5, 5, 2, 0, 0]
  const mask = [0, 1, 1, 1, 0, 0, 1, 1, 1, 0]
  const msum = mask.reduce((a, b) => a + b, 0)
  const extra: TensorMap = {
    input_ids: tensor('int64', [B, T], ids),
    targets: tensor('int64', [B, T], targets),
    mask: tensor('float64', [B, T], mask),
    weights: tensor('float64', [B, T], mask.map(m => m / msum))
  }
  const session = await createSession(buildStepGraph(config, { kind, rows: B, steps: T, beta, optimizer: false, dtype: 'float64' }))
  if (kind === 'policy') {
    extra.advantages = tensor('float64', [B], [0.7, -1.3])
    extra.old_logp = tensor('float64', [B, T], new Float64Array(B * T))
    extra.token_weights = tensor('float64', [B, T], tokenWeights ?? new Array<number>(B * T).fill(1))
    if (beta > 0) extra.ref_logp = tensor('float64', [B, T], new Float64Array(B * T))
    const first = await session.run(feedsFor(config, params, extra), { fetches: ['logp'] })
    const logp = first.logp.data as Float64Array
    // Old log-probs around the current ones: some ratios land outside [0.8, 1.28] (clipped).
    extra.old_logp = tensor('float64', [B, T], logp.map((x, i) => x + [0.5, -0.5, 0.1, -0.05, 0.3][i % 5]))
    if (beta > 0) extra.ref_logp = tensor('float64', [B, T], logp.map((x, i) => x - 0.2 + 0.1 * (i % 3)))
  }
  const out = await session.run(feedsFor(config, params, extra))
  for (let trial = 0; trial < 3; trial++) {
    const dir: Record<string, Float64Array> = {}
    let analytic = 0
    for (const s of paramSpecs(config)) {
      dir[s.name] = Float64Array.from(params[s.name], () => rng.normal())
      const gr = out[`grad.${s.name}`].data as Float64Array
      for (let i = 0; i < gr.length; i++) analytic += gr[i] * dir[s.name][i]
    }
    const h = 1e-6
    const shifted = (sign: number): Record<string, Float64Array> => Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, v.map((x, i) => x + sign * h * dir[k][i])]))
    const numeric = (await lossAt(config, session, shifted(1), extra) - await lossAt(config, session, shifted(-1), extra)) / (2 * h)
    expect(Math.abs(numeric - analytic)).toBeLessThan(1e-7 * Math.max(1, Math.abs(analytic)))
    expect(Math.abs(analytic)).toBeGreaterThan(1e-4)
  }
  if (kind === 'policy') expect((out.clip_fraction.data as Float64Array)[0]).toBeGreaterThan(0)
  await session.close()
}

describe('train-step gradients (float64 directional derivative, whole model)', () => {
  it('policy loss with clipping', async () => { await check({ kind: 'policy', beta: 0 }) })
  it('policy loss with the k3 KL term', async () => { await check({ kind: 'policy', beta: 0.3 }) })
  it('policy loss with per-token importance weights', async () => { await check({ kind: 'policy', beta: 0, tokenWeights: [1, 0.5, 2, 1.5, 1, 1, 0.25, 1, 1.75, 1] }) })
  it('SFT cross-entropy', async () => { await check({ kind: 'sft', beta: 0 }) })
  it('SFT with rotary positions and untied embeddings', async () => { await check({ kind: 'sft', beta: 0, config: { positions: 'rotary', tiedEmbeddings: false } }) })
  it('policy loss with rotary positions', async () => { await check({ kind: 'policy', beta: 0.3, config: { positions: 'rotary' } }) })
})

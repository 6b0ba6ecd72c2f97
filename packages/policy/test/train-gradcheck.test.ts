import { describe, expect, it } from 'vitest'
import { createSession, tensor, type Session, type TensorMap } from '@murmur/graph'
import { paramSpecs, resolveGptConfig } from '../src/config.js'
import { initWeights } from '../src/weights.js'
import { buildStepGraph } from '../src/train/step-graphs.js'
import { createRng } from '../src/train/rng.js'

// Whole-model gradient check: the hand-written reverse pass against a central difference of
// the same graph's float64 loss along random directions.
const config = resolveGptConfig({ nLayer: 2, nEmbd: 8, nHead: 2, vocabSize: 7, nCtx: 6 })
const B = 2
const T = 5

function feedsFor (params: Record<string, Float64Array>, extra: TensorMap): TensorMap {
  const feeds: TensorMap = { ...extra }
  for (const s of paramSpecs(config)) feeds[s.name] = tensor('float64', s.shape, params[s.name])
  return feeds
}

async function lossAt (session: Session, params: Record<string, Float64Array>, extra: TensorMap): Promise<number> {
  const out = await session.run(feedsFor(params, extra), { fetches: ['loss'] })
  return (out.loss.data as Float64Array)[0]
}

async function check (kind: 'policy' | 'sft', beta: number): Promise<void> {
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
    if (beta > 0) extra.ref_logp = tensor('float64', [B, T], new Float64Array(B * T))
    const first = await session.run(feedsFor(params, extra), { fetches: ['logp'] })
    const logp = first.logp.data as Float64Array
    // Old log-probs around the current ones: some ratios land outside [0.8, 1.28] (clipped).
    extra.old_logp = tensor('float64', [B, T], logp.map((x, i) => x + [0.5, -0.5, 0.1, -0.05, 0.3][i % 5]))
    if (beta > 0) extra.ref_logp = tensor('float64', [B, T], logp.map((x, i) => x - 0.2 + 0.1 * (i % 3)))
  }
  const out = await session.run(feedsFor(params, extra))
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
    const numeric = (await lossAt(session, shifted(1), extra) - await lossAt(session, shifted(-1), extra)) / (2 * h)
    expect(Math.abs(numeric - analytic)).toBeLessThan(1e-6 * Math.max(1, Math.abs(analytic)))
    expect(Math.abs(analytic)).toBeGreaterThan(1e-4)
  }
  if (kind === 'policy') expect((out.clip_fraction.data as Float64Array)[0]).toBeGreaterThan(0)
  await session.close()
}

describe('train-step gradients (float64 directional derivative, whole model)', () => {
  it('policy loss with clipping', async () => { await check('policy', 0) })
  it('policy loss with the k3 KL term', async () => { await check('policy', 0.3) })
  it('SFT cross-entropy', async () => { await check('sft', 0) })
})

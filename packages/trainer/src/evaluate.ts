/**
 * Sampled evaluation for pretraining: full-sequence decoding (no KV cache: answers are a few
 * tokens) over the training forward graph, so it needs nothing beyond the weights. Seeded.
 */
import { createSession, tensor, type Session, type TensorMap } from '@murmur/graph'
import { modelParamSpecs, type ModelConfig, type Tokenizer, type Weights } from '@murmur/policy'
import { bucketSteps } from './batch.js'
import { buildLogitsGraph } from './graphs.js'
import { createRng } from '@murmur/interface'

/** Options of a `Sampler.sample` call. */
export interface SampleOptions {
  /** 0 = greedy. Default 1. */
  temperature?: number
  /** Most new tokens per completion (EOS included). Default 12. */
  maxTokens?: number
  seed?: number
}

/** Decodes completions for prompts with given weights. */
export interface Sampler {
  sample(weights: Weights, prompts: readonly string[], options?: SampleOptions): Promise<string[]>
  close(): Promise<void>
}

/** Creates a sampler for `config`; sessions are cached per (rows × steps) bucket. */
export function createSampler (config: ModelConfig, tokenizer: Tokenizer, rows = 64): Sampler {
  const sessions = new Map<number, Promise<Session>>()
  const sessionFor = async (steps: number): Promise<Session> => {
    let s = sessions.get(steps)
    if (s === undefined) {
      s = createSession(buildLogitsGraph(config, rows, steps))
      sessions.set(steps, s)
    }
    return await s
  }
  return {
    async sample (weights, prompts, options = {}) {
      const temperature = options.temperature ?? 1
      const maxTokens = options.maxTokens ?? 12
      const rng = createRng(options.seed ?? 0)
      const V = config.vocabSize
      const out: string[] = []
      for (let start = 0; start < prompts.length; start += rows) {
        const part = prompts.slice(start, start + rows)
        const seqs = part.map(p => [...(tokenizer.bosId === undefined ? [] : [tokenizer.bosId]), ...tokenizer.encode(p)].slice(-(config.nCtx - maxTokens)))
        const gen: number[][] = part.map(() => [])
        const done = part.map(() => false)
        const steps = bucketSteps(Math.max(...seqs.map(s => s.length)) + maxTokens, config.nCtx)
        const session = await sessionFor(steps)
        const feeds: TensorMap = {}
        for (const s of modelParamSpecs(config)) feeds[s.name] = tensor('float32', s.shape, weights[s.name])
        for (let k = 0; k < maxTokens && done.some(d => !d); k++) {
          const ids = new BigInt64Array(rows * steps).fill(BigInt(tokenizer.padId))
          seqs.forEach((s, r) => { s.forEach((id, t) => { ids[r * steps + t] = BigInt(id) }) })
          feeds.input_ids = tensor('int64', [rows, steps], ids)
          const logits = (await session.run(feeds)).logits.data as Float32Array
          seqs.forEach((s, r) => {
            if (done[r]) return
            const off = (r * steps + s.length - 1) * V
            const tok = pick(logits, off, V, temperature, rng.nextFloat())
            if (tok === tokenizer.eosId || s.length + 1 >= steps) done[r] = true
            if (tok !== tokenizer.eosId) {
              s.push(tok)
              gen[r].push(tok)
            }
          })
        }
        out.push(...gen.map(g => tokenizer.decode(g)))
      }
      return out
    },
    async close () {
      const all = [...sessions.values()]
      sessions.clear()
      for (const s of all) await (await s).close()
    }
  }
}

function pick (logits: Float32Array, off: number, V: number, temperature: number, u: number): number {
  let best = 0
  for (let i = 1; i < V; i++) if (logits[off + i] > logits[off + best]) best = i
  if (temperature === 0) return best
  let z = 0
  const p = new Float64Array(V)
  for (let i = 0; i < V; i++) {
    p[i] = Math.exp((logits[off + i] - logits[off + best]) / temperature)
    z += p[i]
  }
  let acc = 0
  for (let i = 0; i < V; i++) {
    acc += p[i] / z
    if (u < acc) return i
  }
  return V - 1
}

/**
 * A policy: a gpt model, its tokenizer and an onnxruntime session of the decode graph living
 * in a worker thread. `generate` samples batched completions with a KV cache; `logprobs`
 * scores given texts teacher-forced. Weights are onnxruntime initializers (fastest decoding:
 * constant folding and pre-packed MatMul weights); `setWeights` rebuilds the graph and swaps
 * the session in the worker, which for the default sizes costs a few tens of milliseconds.
 */
import type { ResolvedDevice } from '@murmur/graph'
import { InvalidArgumentError, type AbortOptions } from '@murmur/interface'
import { headDim, resolveGptConfig, gptConfigs, type GptConfig, type GptConfigInit } from './config.js'
import { DEFAULT_MAX_TOKENS, MAX_COMPLETIONS_PER_PROMPT } from './constants.js'
import type { EngineCompletion, EngineDims, EngineStats, FinishReason } from './engine.js'
import { ContextOverflowError, InvalidModelConfigError, PolicyClosedError } from './errors.js'
import { buildDecodeModel, type DecodeModelOptions } from './model-graph.js'
import { resolveSampling, type SamplingOptions } from './sampling.js'
import { charTokenizer } from './tokenizer/char.js'
import { encodePromptIds, type ChatTemplate } from './tokenizer/chat.js'
import type { Tokenizer } from './tokenizer/types.js'
import { initWeights, validateWeights, type Weights } from './weights.js'
import { startWorker, type WorkerClient } from './worker-client.js'
import type { PolicyWorkerReply } from './worker-protocol.js'

/** Options of `createPolicy`. */
export interface PolicyInit {
  /** Model config; default `gptConfigs.tiny` (vocabSize must cover the tokenizer). */
  config?: GptConfigInit
  /** Initialization seed when `weights` is absent; default 0. */
  seed?: number
  /** Starting weights (validated against the config); default seeded init. */
  weights?: Weights
  /** Default: the char tokenizer. */
  tokenizer?: Tokenizer
  /** onnxruntime intra-op threads of the worker's session; default 1 (decoding tiny models is latency-bound). */
  threads?: number
  /** Training step the weights come from (recorded in exports). */
  step?: number
  /** Wrap every prompt as one user turn of this chat template before encoding (instruct models, text-format tasks). */
  chatTemplate?: ChatTemplate
  /** Where the decode session runs (resolve `auto` with graph's `resolveDevice` first). Default cpu. */
  device?: ResolvedDevice
}

/** Options of `generate`. */
export interface GenerateOptions extends SamplingOptions, AbortOptions {
  /** Completions per prompt; default 1. */
  n?: number
  /** Generated tokens per completion at most (EOS included); default 16. */
  maxTokens?: number
  /** Generation stops once the text contains one of these; the text is cut before it. */
  stop?: string[]
  /** Seed of the sampling streams; completion j of prompt i uses stream (seed, i, j). Default 0. */
  seed?: number
}

/** One sampled completion. */
export interface Completion {
  text: string
  /** Sampled token ids (the EOS token included when it ended the completion). */
  tokenIds: number[]
  /** Log-probability of each sampled token under softmax(logits / temperature) (the full vocabulary). */
  logprobs: number[]
  /**
   * Log-probability of each sampled token under the distribution it was drawn from: after
   * temperature, top-k and top-p renormalization; 0 for greedy (the behaviour log-prob μ_t of
   * docs/spec/algorithms.md §1.1).
   */
  sampleLogprobs: number[]
  /** `eos`: the model ended it; `stop`: a stop string; `length`: maxTokens or the context ran out. */
  finishReason: FinishReason
}

/** Options of `logprobs`. */
export interface LogprobsOptions extends AbortOptions {
  /** Also score the end-of-sequence token after each completion (all, or per completion). Default false. */
  eos?: boolean | boolean[]
  /** Scores under softmax(logits / temperature); default 1. */
  temperature?: number
  /** Sequences per onnxruntime run; default 32. */
  batchSize?: number
}

/** A loaded policy. Call `close()` to stop its worker. `C` is the model family's config (gpt by default). */
export interface Policy<C = GptConfig> {
  readonly config: C
  readonly tokenizer: Tokenizer
  /** Training step of the current weights (informational). */
  step: number
  /** Samples `n` completions for every prompt; result[i][j] is completion j of prompt i. */
  generate(prompts: string[], options?: GenerateOptions): Promise<Completion[][]>
  /** Teacher-forced log-probabilities of each completion's tokens after its prompt. */
  logprobs(prompts: string[], completions: Array<string | number[]>, options?: LogprobsOptions): Promise<number[][]>
  /** The prompt's token ids as the model sees them (chat-wrapped when a template is set; BOS first when the tokenizer has one). */
  encodePrompt(prompt: string): number[]
  /** The chat template prompts are wrapped in, if any. */
  readonly chatTemplate: ChatTemplate | undefined
  /** A copy of the current weights. */
  getWeights(): Weights
  /** Replaces the weights (validated) and refreshes the onnxruntime session. */
  setWeights(weights: Weights, options?: { step?: number }): Promise<void>
  /** Counters of the last `generate` call (onnxruntime time, steps, tokens). */
  lastStats(): EngineStats | undefined
  /** The decode graph (HF causal-LM I/O) with the current weights. */
  toOnnx(): Uint8Array
  /** Stops the worker; idempotent. */
  close(): Promise<void>
}

/**
 * What the policy needs of a model family: its config, the shape facts of its decode graph,
 * the graph builder and the weights check. The gpt family and the Hugging Face families
 * (families/) each provide one.
 */
export interface PolicyModel<C> {
  readonly config: C
  readonly dims: EngineDims
  /** The HF causal-LM decode graph with `weights` as initializers (with `generation`: the worker's graph, see `DecodeModelOptions`). */
  buildDecode(weights: Weights, options?: Pick<DecodeModelOptions, 'generation'>): Uint8Array
  /** Checks names and sizes; returns a copy in canonical order when `copy`. */
  validate(weights: Weights, copy: boolean): Weights
}

/** The worker's graph: the export's plus the generation outputs. */
const GENERATION = { generation: true } as const

/** Creates a policy from a config and seed (or weights) and starts its worker. */
export async function createPolicy (init: PolicyInit = {}): Promise<Policy> {
  const config = resolveGptConfig(init.config ?? gptConfigs.tiny)
  const weights = init.weights ?? initWeights(config, init.seed ?? 0)
  const model: PolicyModel<GptConfig> = {
    config,
    dims: { nLayer: config.nLayer, nHead: config.nHead, headDim: headDim(config), vocabSize: config.vocabSize, nCtx: config.nCtx },
    buildDecode: (w, options) => buildDecodeModel(config, w, options),
    validate: (w, copy) => validateWeights(config, w, copy)
  }
  return await startPolicy(model, weights, init)
}

/** Starts a policy of any family: validates the weights, builds the decode graph and starts the worker. */
export async function startPolicy<C> (model: PolicyModel<C>, initialWeights: Weights, init: Omit<PolicyInit, 'config' | 'weights' | 'seed'> = {}): Promise<Policy<C>> {
  const { config, dims } = model
  const tokenizer = init.tokenizer ?? charTokenizer()
  if (tokenizer.vocabSize > dims.vocabSize) {
    throw new InvalidModelConfigError('vocabSize', `${dims.vocabSize} is smaller than the tokenizer's ${tokenizer.vocabSize} ids`)
  }
  const threads = init.threads ?? 1
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError('threads', `expected an integer ≥ 1, got ${threads}`)
  let weights = model.validate(initialWeights, true)
  const worker: WorkerClient = await startWorker({ model: model.buildDecode(weights, GENERATION), dims, tokenizer: tokenizer.spec, threads, device: init.device })
  let closed = false
  let stats: EngineStats | undefined
  const live = (): void => { if (closed) throw new PolicyClosedError() }
  const chat = init.chatTemplate
  const encodePrompt = (prompt: string): number[] => encodePromptIds(tokenizer, prompt, chat)

  const policy: Policy<C> = {
    config,
    tokenizer,
    step: init.step ?? 0,
    encodePrompt,
    chatTemplate: chat,
    async generate (prompts, options = {}) {
      live()
      checkPrompts(prompts)
      const n = options.n ?? 1
      if (!Number.isInteger(n) || n < 1 || n > MAX_COMPLETIONS_PER_PROMPT) throw new InvalidArgumentError('n', `expected an integer in [1, ${MAX_COMPLETIONS_PER_PROMPT}], got ${n}`)
      const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS
      if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new InvalidArgumentError('maxTokens', `expected an integer ≥ 0, got ${maxTokens}`)
      const stop = options.stop ?? []
      if (!Array.isArray(stop) || stop.some(s => typeof s !== 'string' || s === '')) throw new InvalidArgumentError('stop', 'expected an array of non-empty strings')
      const seed = options.seed ?? 0
      if (!Number.isInteger(seed)) throw new InvalidArgumentError('seed', `expected an integer, got ${seed}`)
      const sampling = resolveSampling(options)
      const encoded = prompts.map((p, i) => {
        const ids = encodePrompt(p)
        if (ids.length === 0) throw new InvalidArgumentError(`prompts[${i}]`, 'encodes to no tokens and the tokenizer has no BOS')
        if (ids.length > dims.nCtx) throw new ContextOverflowError(`prompts[${i}] is ${ids.length} tokens; the context holds ${dims.nCtx}`)
        return ids
      })
      const reply = await worker.call<Extract<PolicyWorkerReply, { type: 'generated' }>>({
        type: 'generate',
        req: { prompts: encoded, n, maxTokens, sampling, seed, stop, eosId: tokenizer.eosId, padId: tokenizer.padId }
      }, options.signal)
      stats = reply.stats
      return reply.completions.map(group => group.map((c: EngineCompletion): Completion => ({ text: c.text, tokenIds: c.tokenIds, logprobs: c.logprobs, sampleLogprobs: c.sampleLogprobs, finishReason: c.finishReason })))
    },
    async logprobs (prompts, completions, options = {}) {
      live()
      checkPrompts(prompts)
      if (!Array.isArray(completions) || completions.length !== prompts.length) {
        throw new InvalidArgumentError('completions', `expected ${prompts.length} completions (one per prompt), got ${Array.isArray(completions) ? completions.length : typeof completions}`)
      }
      const temperature = options.temperature ?? 1
      if (!(temperature > 0) || !Number.isFinite(temperature)) throw new InvalidArgumentError('temperature', `expected a finite number > 0, got ${temperature}`)
      const batchSize = options.batchSize ?? 32
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError('batchSize', `expected an integer ≥ 1, got ${batchSize}`)
      const eos = options.eos ?? false
      const items = prompts.map((p, i) => {
        const c = completions[i]
        const ids = typeof c === 'string' ? tokenizer.encode(c) : [...c]
        if (ids.some(t => !Number.isInteger(t) || t < 0 || t >= dims.vocabSize)) throw new InvalidArgumentError(`completions[${i}]`, 'has token ids outside the vocabulary')
        if (Array.isArray(eos) ? eos[i] === true : eos) {
          if (tokenizer.eosId === undefined) throw new InvalidArgumentError('eos', 'the tokenizer has no end-of-sequence token')
          ids.push(tokenizer.eosId)
        }
        const prompt = encodePrompt(p)
        if (prompt.length === 0) throw new InvalidArgumentError(`prompts[${i}]`, 'encodes to no tokens and the tokenizer has no BOS')
        if (prompt.length + ids.length > dims.nCtx) throw new ContextOverflowError(`prompt ${i} + completion is ${prompt.length + ids.length} tokens; the context holds ${dims.nCtx}`)
        return { prompt, completion: ids }
      })
      const reply = await worker.call<Extract<PolicyWorkerReply, { type: 'scored' }>>({ type: 'logprobs', items, temperature, batchSize }, options.signal)
      return reply.logprobs
    },
    getWeights: () => model.validate(weights, true),
    async setWeights (next, options = {}) {
      live()
      const checked = model.validate(next, true)
      await worker.call({ type: 'load', model: model.buildDecode(checked, GENERATION) })
      weights = checked
      if (options.step !== undefined) policy.step = options.step
    },
    lastStats: () => stats,
    toOnnx: () => model.buildDecode(weights),
    async close () {
      if (closed) return
      closed = true
      await worker.close()
    }
  }
  return policy
}

function checkPrompts (prompts: unknown): asserts prompts is string[] {
  if (!Array.isArray(prompts) || prompts.some(p => typeof p !== 'string')) throw new InvalidArgumentError('prompts', 'expected an array of strings')
}

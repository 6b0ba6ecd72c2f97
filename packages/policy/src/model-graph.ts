/**
 * The gpt forward pass as an ONNX graph, built with @murmur/graph: the one definition of the
 * model. `buildGptForward` serves inference (KV cache, left padding, symbolic shapes) and
 * training (no cache, static shapes, parameters as graph inputs, gradients by `grad`, float32
 * or float64); `buildDecodeModel` wraps it in Hugging Face's causal-LM I/O so the exported
 * `model.onnx` loads in transformers.js and murmur's generator alike.
 */
import { graphBuilder, tensor, type Dim, type GraphBuilder, type Value } from '@murmur/graph'
import { headDim, paramSpecs, type GptConfig } from './config.js'
import { MASK_VALUE, OPSET } from './constants.js'
import { generationOutputs } from './generation-graph.js'
import type { Weights } from './weights.js'

/** Graph values of the parameters, by HF GPT-2 name (see `paramSpecs`). */
export type GptParams = Record<string, Value>

/** One layer's key/value cache, each [batch, nHead, time, headDim]. */
export interface KvPair {
  key: Value
  value: Value
}

/** Inputs of `buildGptForward`. */
export interface GptForwardInputs {
  /** int64 [batch, seq]. */
  inputIds: Value
  /** int64 [batch, seq]: each token's position (for left padding: cumsum(mask) − 1). */
  positionIds: Value
  /** int64 [batch, past + seq], 1 = attend; absent: every key is real (causal mask only). */
  attentionMask?: Value
  /** Per-layer cache of earlier tokens; absent: no cache (past length 0, no `present`). */
  past?: KvPair[]
  /** Name of the `past + seq` dim of the concatenated cache (default `total_sequence_length`). */
  totalDim?: Dim
  /** int64 scalar: logits only for the last this many positions of each row (0 = all, transformers' `num_logits_to_keep`); absent: all. */
  logitsToKeep?: Value
}

/** Outputs of `gptTrunk`. */
export interface GptTrunkOutputs {
  /** Final hidden states after `ln_f`, flattened: [batch·seq, nEmbd]. */
  hidden: Value
  /** Per-layer keys/values over past + seq (the new cache). */
  present: KvPair[]
}

/** Outputs of `buildGptForward`. */
export interface GptForwardOutputs extends GptTrunkOutputs {
  /** [batch, seq, vocab] (with `logitsToKeep`: [batch, kept, vocab]). */
  logits: Value
  /** With `logitsToKeep`: the same logits as the head's Gemm wrote them, [batch·kept, vocab] (a graph output without Reshape's copy). */
  logitsFlat?: Value
}

/**
 * Declares each parameter of `specs` on `b` (initializers, or graph inputs when the builder was
 * made with `paramsAs: 'input'`), initialized from `weights`.
 */
export function declareParams (b: GraphBuilder, specs: ReadonlyArray<{ name: string, shape: readonly number[] }>, weights: Weights): GptParams {
  return Object.fromEntries(specs.map(s => [s.name, b.param(s.name, tensor('float32', [...s.shape], weights[s.name]))]))
}

/** Declares each parameter of `specs` as a graph input of `dtype` (train steps feed them each call). */
export function paramInputs (b: GraphBuilder, specs: ReadonlyArray<{ name: string, shape: readonly number[] }>, dtype: 'float32' | 'float64' = 'float32'): GptParams {
  return Object.fromEntries(specs.map(s => [s.name, b.input(s.name, dtype, s.shape)]))
}

/** Positions 0..steps−1 as an int64 constant [1, steps] (right-padded training rows). */
export function trainPositions (b: GraphBuilder, steps: number): Value {
  return b.constant(tensor('int64', [1, steps], Array.from({ length: steps }, (_, i) => i)), 'position_ids')
}

/** Builds the forward pass on `b` and returns logits, the final hidden states and the new KV cache. */
export function buildGptForward (b: GraphBuilder, config: GptConfig, params: GptParams, inputs: GptForwardInputs): GptForwardOutputs {
  const trunk = gptTrunk(b, config, params, inputs)
  const w = config.tiedEmbeddings ? params['transformer.wte.weight'] : params['lm_head.weight']
  return { ...trunk, ...b.scope('lm_head', () => lmHead(b, trunk.hidden, w, inputs, config.vocabSize)) }
}

/**
 * The transformer without its output head. Activations stay 2-D ([batch·seq, width]) outside
 * attention so every projection is one Gemm with its bias fused: fewer, larger kernels, which
 * is what decoding tiny models is bound by (and one flattened weight gradient in training).
 * `positionIds` may be [1, seq] (broadcast over the batch). The dtype is the parameters'.
 */
export function gptTrunk (b: GraphBuilder, config: GptConfig, params: GptParams, inputs: GptForwardInputs): GptTrunkOutputs {
  const c = config
  const d = c.nEmbd
  const hd = headDim(c)
  const p = (name: string): Value => params[name]
  const { inputIds, positionIds } = inputs
  const [batchDim, seqDim] = inputIds.shape
  const dtype = p('transformer.wte.weight').dtype as 'float32' | 'float64'
  // Training shapes (static length, no cache, no padding mask) take a constant additive causal
  // mask: its gradient is free, where a Where would cost one more pass over the scores.
  const causalBias = inputs.attentionMask === undefined && inputs.past === undefined && typeof seqDim === 'number'
    ? b.scope('mask', () => causalMaskBias(b, seqDim, dtype))
    : undefined
  const allowed = causalBias === undefined ? b.scope('mask', () => attentionAllowed(b, inputs)) : undefined
  // Static shapes (training) reshape to constants; symbolic ones (inference) to runtime shapes.
  const qkvShape = typeof batchDim === 'number' && typeof seqDim === 'number'
    ? [batchDim, seqDim, 3 * c.nHead, hd]
    : b.scope('shape', () => b.concat([b.shapeOf(inputIds), b.ints([3 * c.nHead, hd], 'qkv_tail')], 0))
  let x = b.scope('transformer', () => {
    const tok = b.gather(p('transformer.wte.weight'), inputIds, 0)
    const emb = c.positions === 'learned' ? b.add(tok, b.gather(p('transformer.wpe.weight'), positionIds, 0)) : tok
    return b.reshape(emb, [-1, d])
  })
  const rotary = c.positions === 'rotary' ? b.scope('rotary', () => rotaryTables(b, c, positionIds, dtype)) : undefined
  const present: KvPair[] = []
  for (let l = 0; l < c.nLayer; l++) {
    const pre = `transformer.h.${l}.`
    const linear = (name: string, v: Value): Value => b.scope(name.split('.').at(-1) as string, () => b.gemm(v, p(pre + name + '.weight'), p(pre + name + '.bias')))
    x = b.scope('transformer', () => b.scope('h', () => b.scope(l, () => {
      const h = b.scope('ln_1', () => b.layerNorm(x, p(pre + 'ln_1.weight'), p(pre + 'ln_1.bias'), { epsilon: c.layerNormEps }))
      const attn = b.scope('attn', () => {
        const qkv = linear('attn.c_attn', h)
        // [b·t, 3d] → [b, t, 3h, hd] → [b, 3h, t, hd] → q, k, v each [b, h, t, hd]
        const heads = b.transpose(b.reshape(qkv, qkvShape, [batchDim, seqDim, 3 * c.nHead, hd]), [0, 2, 1, 3])
        let [q, k, v] = b.split(heads, 1, 3)
        if (rotary !== undefined) {
          q = b.scope('q', () => applyRotary(b, q, rotary))
          k = b.scope('k', () => applyRotary(b, k, rotary))
        }
        const kv = appendPast(b, inputs, l, k, v, present)
        k = kv.key
        v = kv.value
        const scores = b.mul(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hd))
        const probs = b.softmax(allowed === undefined ? b.add(scores, causalBias as Value) : b.where(allowed, scores, MASK_VALUE), -1)
        const y = b.reshape(b.transpose(b.matmul(probs, v), [0, 2, 1, 3]), [-1, d])
        return linear('attn.c_proj', y)
      })
      const x1 = b.add(x, attn)
      const h2 = b.scope('ln_2', () => b.layerNorm(x1, p(pre + 'ln_2.weight'), p(pre + 'ln_2.bias'), { epsilon: c.layerNormEps }))
      const mlp = b.scope('mlp', () => linear('mlp.c_proj', b.gelu(linear('mlp.c_fc', h2), 'tanh')))
      return b.add(x1, mlp)
    })))
  }
  const hidden = b.scope('lm_head', () => b.layerNorm(x, p('transformer.ln_f.weight'), p('transformer.ln_f.bias'), { epsilon: c.layerNormEps }))
  return { hidden, present }
}

/**
 * The output head: hidden [batch·seq, d] → logits [batch, seq, vocab], or only each row's last
 * `inputs.logitsToKeep` positions (the prefill of generation needs one: the head over a large
 * vocabulary is then computed once per row, not once per prompt token).
 */
export function lmHead (b: GraphBuilder, hidden: Value, weight: Value, inputs: GptForwardInputs, vocab: number): Pick<GptForwardOutputs, 'logits' | 'logitsFlat'> {
  const [batchDim, seqDim] = inputs.inputIds.shape
  const keep = inputs.logitsToKeep
  if (keep === undefined) {
    const flat = b.gemm(hidden, weight, undefined, { transB: true })
    if (typeof batchDim === 'number' && typeof seqDim === 'number') return { logits: b.reshape(flat, [batchDim, seqDim, vocab]) }
    const outShape = b.concat([b.shapeOf(inputs.inputIds), b.ints([vocab], 'vocab')], 0)
    return { logits: b.reshape(flat, outShape, [batchDim, seqDim, vocab]) }
  }
  const d = hidden.shape[1]
  const rows = b.reshape(hidden, b.concat([b.shapeOf(inputs.inputIds), b.ints([d as number], 'width')], 0), [batchDim, seqDim, d])
  const kept = b.slice(rows, b.unsqueeze(b.neg(keep), [0]), [Infinity], [1], undefined, [batchDim, 'logits_length', d])
  const flat = b.gemm(b.reshape(kept, [-1, d as number]), weight, undefined, { transB: true })
  return { logits: b.reshape(flat, b.concat([b.shapeOf(kept, 0, 2), b.ints([vocab], 'vocab')], 0), [batchDim, 'logits_length', vocab]), logitsFlat: flat }
}

/** [seq, seq] of 0 on and below the diagonal and MASK_VALUE above it. */
function causalMaskBias (b: GraphBuilder, seq: number, dtype: 'float32' | 'float64'): Value {
  const data = new Float64Array(seq * seq)
  for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) data[i * seq + j] = MASK_VALUE
  return b.constant(tensor(dtype, [seq, seq], dtype === 'float32' ? Float32Array.from(data) : data), 'causal')
}

/** bool [batch, 1, seq, total]: causal (key index ≤ query's absolute index) and key is real. */
export function attentionAllowed (b: GraphBuilder, inputs: GptForwardInputs): Value {
  const seqDim = inputs.inputIds.shape[1]
  const mask = inputs.attentionMask
  const totalDim = mask?.shape[1] ?? seqDim
  const T = b.squeeze(b.shapeOf(inputs.inputIds, 1, 2), [0])
  const S = mask === undefined ? T : b.squeeze(b.shapeOf(mask, 1, 2), [0])
  const qpos = b.range(b.sub(S, T), S, b.scalar(1n, 'int64'), 'int64', seqDim)
  const kpos = b.range(b.scalar(0n, 'int64'), S, b.scalar(1n, 'int64'), 'int64', totalDim)
  const causal = b.not(b.greater(b.unsqueeze(kpos, [0]), b.unsqueeze(qpos, [1])))
  if (mask === undefined) return b.unsqueeze(causal, [0, 1])
  const real = b.unsqueeze(b.cast(mask, 'bool'), [1, 2])
  return b.and(b.unsqueeze(causal, [0, 1]), real)
}

/** Per-token rotary cos/sin tables, [batch, 1, seq, hd/2] each. */
export interface RotaryTables { cos: Value, sin: Value }

/** cos/sin of position·θ^(−2i/hd) in `dtype`, gathered per token: [batch, 1, seq, hd/2] each. */
function rotaryTables (b: GraphBuilder, c: GptConfig, positionIds: Value, dtype: 'float32' | 'float64'): RotaryTables {
  const hd = headDim(c)
  const invFreq = Float64Array.from({ length: hd / 2 }, (_, i) => c.ropeTheta ** (-2 * i / hd))
  return rotaryTablesFrom(b, c.nCtx, invFreq, 1, positionIds, dtype)
}

/** cos/sin of position·invFreq[i], times `attentionFactor`, for positions 0…nCtx−1, gathered at `positionIds`. */
export function rotaryTablesFrom (b: GraphBuilder, nCtx: number, invFreq: ArrayLike<number>, attentionFactor: number, positionIds: Value, dtype: 'float32' | 'float64'): RotaryTables {
  const half = invFreq.length
  const cos = new Float64Array(nCtx * half)
  const sin = new Float64Array(nCtx * half)
  for (let pos = 0; pos < nCtx; pos++) {
    for (let i = 0; i < half; i++) {
      cos[pos * half + i] = Math.cos(pos * invFreq[i]) * attentionFactor
      sin[pos * half + i] = Math.sin(pos * invFreq[i]) * attentionFactor
    }
  }
  const table = (data: Float64Array, name: string): Value =>
    b.unsqueeze(b.gather(b.constant(tensor(dtype, [nCtx, half], dtype === 'float32' ? Float32Array.from(data) : data), name), positionIds, 0), [1])
  return { cos: table(cos, 'cos'), sin: table(sin, 'sin') }
}

/** Rotates pairs (i, i + hd/2) of `x` [batch, heads, seq, hd] (transformers' `rotate_half`). */
export function applyRotary (b: GraphBuilder, x: Value, t: RotaryTables): Value {
  const [x1, x2] = b.split(x, -1, 2)
  return b.concat([b.sub(b.mul(x1, t.cos), b.mul(x2, t.sin)), b.add(b.mul(x2, t.cos), b.mul(x1, t.sin))], -1)
}

/** Options of `buildDecodeModel`. */
export interface DecodeModelOptions {
  /** `initializer` (default; fastest inference, what the export uses) or `input` (weights fed per run). */
  paramsAs?: 'initializer' | 'input'
  /**
   * The policy worker's graph, not the export: `logits` flat as the head's Gemm wrote them,
   * [batch_size·logits_length, vocab] (a Reshape into a graph output is a copy, 10 MB per step
   * for 16 rows of a 151,936 vocabulary), and the outputs of `generationOutputs` for every kept
   * position (one more input, `sample_u`). Greedy decoding fetches two numbers per row instead
   * of a row of logits; teacher-forced scoring at temperature 1 gets each position's
   * log-normalizer (logit of the argmax − its log-prob) without a pass over the vocabulary in
   * JavaScript; plain sampling at temperature 1 feeds each draw's uniform and fetches the chosen
   * block's logits only.
   */
  generation?: boolean
}

/**
 * The Hugging Face causal-LM decode graph: inputs `input_ids`, `attention_mask`, `position_ids`,
 * `past_key_values.{i}.key|value` [batch_size, nHead, past_sequence_length, headDim] and
 * `num_logits_to_keep` (int64 scalar, 0 = all); outputs `logits` [batch_size, logits_length,
 * vocab] and `present.{i}.key|value`. A prefill is the same graph with past length 0. Returns
 * serialized ModelProto bytes (deterministic).
 */
export function buildDecodeModel (config: GptConfig, weights: Weights, options: DecodeModelOptions = {}): Uint8Array {
  const b = graphBuilder({ name: 'murmur-gpt', opset: OPSET, paramsAs: options.paramsAs ?? 'initializer' })
  const hd = headDim(config)
  const inputs = decodeGraphInputs(b, config.nLayer, config.nHead, hd)
  const params = declareParams(b, paramSpecs(config), weights)
  const out = buildGptForward(b, config, params, inputs)
  return decodeGraphProto(b, out, options)
}

/** Prepends layer `l`'s cached keys/values (if any) to this step's and records the result as its `present`. */
export function appendPast (b: GraphBuilder, inputs: GptForwardInputs, l: number, k: Value, v: Value, present: KvPair[]): KvPair {
  const past = inputs.past?.[l]
  const total = inputs.totalDim ?? 'total_sequence_length'
  const kv = past === undefined ? { key: k, value: v } : { key: b.concat([past.key, k], 2, total), value: b.concat([past.value, v], 2, total) }
  present.push(kv)
  return kv
}

/**
 * Names a forward's outputs as Hugging Face decoders do (`logits`, `present.{i}.key|value`),
 * adds the generation outputs when asked (see `DecodeModelOptions`) and serializes the graph.
 */
export function decodeGraphProto (b: GraphBuilder, out: GptForwardOutputs, options: Pick<DecodeModelOptions, 'generation'> = {}): ReturnType<GraphBuilder['toModelProto']> {
  const generation = options.generation === true
  const logits = generation ? out.logitsFlat ?? b.reshape(out.logits, [-1, out.logits.shape[2] as number]) : out.logits
  b.output('logits', logits)
  out.present.forEach((kv, i) => {
    b.output(`present.${i}.key`, kv.key)
    b.output(`present.${i}.value`, kv.value)
  })
  if (generation) generationOutputs(b, logits)
  return b.toModelProto()
}

/** The Hugging Face decoder inputs: ids, mask, positions, each layer's `past_key_values` [batch_size, kvHeads, past_sequence_length, headDim] and `num_logits_to_keep`. */
export function decodeGraphInputs (b: GraphBuilder, nLayer: number, kvHeads: number, headDim: number): Pick<GptForwardInputs, 'inputIds' | 'attentionMask' | 'positionIds' | 'logitsToKeep'> & { past: KvPair[] } {
  const inputIds = b.input('input_ids', 'int64', ['batch_size', 'sequence_length'])
  const attentionMask = b.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length'])
  const positionIds = b.input('position_ids', 'int64', ['batch_size', 'sequence_length'])
  const logitsToKeep = b.input('num_logits_to_keep', 'int64', [])
  const past: KvPair[] = []
  for (let i = 0; i < nLayer; i++) {
    past.push({
      key: b.input(`past_key_values.${i}.key`, 'float32', ['batch_size', kvHeads, 'past_sequence_length', headDim]),
      value: b.input(`past_key_values.${i}.value`, 'float32', ['batch_size', kvHeads, 'past_sequence_length', headDim])
    })
  }
  return { inputIds, attentionMask, positionIds, past, logitsToKeep }
}

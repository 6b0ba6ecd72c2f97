/**
 * The Llama / Qwen2 / Qwen3 forward pass as an ONNX graph, written once for inference (KV
 * cache, left padding, symbolic shapes, weights as initializers) and training (no cache,
 * static shapes, parameters as graph inputs, gradients by graph's `grad`, float32 or float64).
 * It takes and returns the same structures as the gpt forward (`GptForwardInputs`,
 * `GptForwardOutputs`), so generation and the train step can use either family.
 *
 * Only primitive ops with gradient rules are used: RMSNorm is x·(mean(x²)+ε)^−½·w (in decode
 * graphs x / √(mean(x²)+ε)·w, which onnxruntime fuses into one kernel), SwiGLU is
 * g·σ(g)·u, grouped-query attention broadcasts each key/value head over its query group in a
 * 5-D MatMul (no copies of the cache). q/k/v and gate/up are each one Gemm over concatenated
 * weights where the weights are initializers (onnxruntime folds the concatenation once at load),
 * a Gemm per projection where they are fed per step (train graphs).
 */
import { graphBuilder, type GraphBuilder, type Value } from '@murmur/graph'
import { MASK_VALUE, OPSET } from '../constants.js'
import { appendPast, applyRotary, attentionAllowed, declareParams, decodeGraphInputs, decodeGraphProto, lmHead, rotaryTablesFrom, type DecodeModelOptions, type RotaryTables, type GptForwardInputs, type GptForwardOutputs, type GptParams, type KvPair } from '../model-graph.js'
import { familyParamSpecs, ropeFrequencies, type FamilyConfig } from './config.js'
import type { FamilyWeights } from './folder.js'

/** Options of `buildFamilyForward`. */
export interface FamilyForwardOptions {
  /**
   * An inference graph (never differentiated): RMSNorm is written x / √(mean(x²) + ε)·w with
   * Pow and Div, the form onnxruntime fuses into one SimplifiedLayerNormalization kernel.
   * Training graphs keep x·(mean(x²) + ε)^−½·w, whose gradient is cheaper. Default false.
   */
  inference?: boolean
}

/** Builds the family forward on `b`: logits [batch, seq, vocab], final hidden states and the new cache. */
export function buildFamilyForward (b: GraphBuilder, c: FamilyConfig, params: GptParams, inputs: GptForwardInputs, options: FamilyForwardOptions = {}): GptForwardOutputs {
  const p = (name: string): Value => {
    const v = params[name]
    if (v === undefined) throw new Error(`family forward: parameter ${name} was not declared`)
    return v
  }
  const opt = (name: string): Value | undefined => params[name]
  const rmsNorm = options.inference === true ? fusedRmsNorm : primitiveRmsNorm
  const hd = c.headDim
  const rep = c.nHead / c.nKvHead
  const { inputIds, positionIds } = inputs
  const [batchDim, seqDim] = inputIds.shape
  const embed = p('model.embed_tokens.weight')
  const fed = new Set(b.inputs())
  const folded = new Set(b.params().filter(q => !fed.has(q.value)).map(q => q.value))
  const dtype = embed.dtype as 'float32' | 'float64'
  const allowed = b.scope('mask', () => attentionAllowed(b, inputs))
  const idsShape = b.scope('shape', () => b.shapeOf(inputIds))
  const heads = c.nHead + 2 * c.nKvHead
  // [batch, seq, n, hd] per head count n, made once each
  const shapes = new Map<number, Value>()
  const headsShape = (n: number): Value => {
    const hit = shapes.get(n)
    if (hit !== undefined) return hit
    const made = b.scope('shape', () => b.concat([idsShape, b.ints([n, hd], 'qkv_tail')], 0))
    shapes.set(n, made)
    return made
  }
  // Made here, before the rotary tables, as it always was: inference graphs (one concatenated
  // q/k/v) keep their node order and stay byte-identical to those exported before.
  headsShape(heads)
  const rotary = b.scope('rotary', () => rotaryTables(b, c, positionIds, dtype))
  let x = b.scope('model', () => b.reshape(b.gather(embed, inputIds, 0), [-1, c.hiddenSize]))
  const present: KvPair[] = []
  for (let l = 0; l < c.nLayer; l++) {
    const pre = `model.layers.${l}.`
    x = b.scope('model', () => b.scope('layers', () => b.scope(l, () => {
      const h = b.scope('input_layernorm', () => rmsNorm(b, x, p(pre + 'input_layernorm.weight'), c.rmsEps))
      const attn = b.scope('self_attn', () => {
        const proj = projections(b, h, ['q_proj', 'k_proj', 'v_proj'].map(n => pre + 'self_attn.' + n), p, folded, c.qkvBias, 'qkv')
        // [b·t, n·hd] → [b, n, t, hd]: q [b, h, t, hd], k and v [b, kv, t, hd]
        const toHeads = (y: Value, n: number): Value => b.transpose(b.reshape(y, headsShape(n), [batchDim, seqDim, n, hd]), [0, 2, 1, 3])
        const sizes = [c.nHead, c.nKvHead, c.nKvHead]
        let [q, k, v] = proj.length === 1 ? b.split(toHeads(proj[0], heads), 1, sizes) : proj.map((y, i) => toHeads(y, sizes[i]))
        if (c.qkNorm) {
          q = b.scope('q_norm', () => rmsNorm(b, q, p(pre + 'self_attn.q_norm.weight'), c.rmsEps))
          k = b.scope('k_norm', () => rmsNorm(b, k, p(pre + 'self_attn.k_norm.weight'), c.rmsEps))
        }
        q = b.scope('q', () => applyRotary(b, q, rotary))
        k = b.scope('k', () => applyRotary(b, k, rotary))
        const kv = appendPast(b, inputs, l, k, v, present)
        k = kv.key
        v = kv.value
        const y = groupedAttention(b, q, k, v, allowed, rep, hd)
        return b.scope('o_proj', () => b.gemm(y, p(pre + 'self_attn.o_proj.weight'), opt(pre + 'self_attn.o_proj.bias'), { transB: true }))
      })
      const x1 = b.add(x, attn)
      const h2 = b.scope('post_attention_layernorm', () => rmsNorm(b, x1, p(pre + 'post_attention_layernorm.weight'), c.rmsEps))
      const mlp = b.scope('mlp', () => {
        const proj = projections(b, h2, [pre + 'mlp.gate_proj', pre + 'mlp.up_proj'], p, folded, c.mlpBias)
        const [gate, up] = proj.length === 1 ? b.split(proj[0], 1, 2) : proj
        const act = b.mul(b.mul(gate, b.sigmoid(gate)), up)
        return b.scope('down_proj', () => b.gemm(act, p(pre + 'mlp.down_proj.weight'), opt(pre + 'mlp.down_proj.bias'), { transB: true }))
      })
      return b.add(x1, mlp)
    })))
  }
  const hidden = b.scope('model', () => b.scope('norm', () => rmsNorm(b, x, p('model.norm.weight'), c.rmsEps)))
  const head = b.scope('lm_head', () => lmHead(b, hidden, c.tiedEmbeddings ? embed : p('lm_head.weight'), inputs, c.vocabSize))
  return { ...head, hidden, present }
}

/**
 * x·Wᵢᵀ (+ bᵢ) for the projections `names` sharing input `x`. Weights that are initializers
 * (`folded`: inference, LoRA's frozen base) make one Gemm over their concatenation, which
 * onnxruntime folds at load: returns that one output. Weights fed per step (train graphs) get a
 * Gemm each, one output per name: concatenating them would copy every weight forward and split
 * every weight gradient backward, each step.
 */
function projections (b: GraphBuilder, x: Value, names: readonly string[], p: (name: string) => Value, folded: ReadonlySet<Value>, bias: boolean, scope?: string): Value[] {
  const ws = names.map(n => p(n + '.weight'))
  const bs = bias ? names.map(n => p(n + '.bias')) : undefined
  if ([...ws, ...(bs ?? [])].every(v => folded.has(v))) {
    const cat = (vs: Value[]): Value => scope === undefined ? b.concat(vs, 0) : b.scope(scope, () => b.concat(vs, 0))
    const w = cat(ws)
    return [b.gemm(x, w, bs === undefined ? undefined : cat(bs), { transB: true })]
  }
  return ws.map((w, i) => b.scope(names[i].split('.').at(-1) as string, () => b.gemm(x, w, bs?.[i], { transB: true })))
}

/** x·(mean(x²) + ε)^−½·w over the last axis (transformers' RMSNorm). */
function primitiveRmsNorm (b: GraphBuilder, x: Value, weight: Value, eps: number): Value {
  const ms = b.reduceMean(b.mul(x, x), [x.rank - 1], true)
  return b.mul(b.mul(x, b.reciprocal(b.sqrt(b.add(ms, eps)))), weight)
}

/** The same as x / √(mean(x²) + ε)·w: Pow, ReduceMean, Add, Sqrt, Div, Mul, which onnxruntime fuses into one kernel. */
function fusedRmsNorm (b: GraphBuilder, x: Value, weight: Value, eps: number): Value {
  const ms = b.reduceMean(b.pow(x, 2), [x.rank - 1], true)
  return b.mul(b.div(x, b.sqrt(b.add(ms, eps))), weight)
}

/**
 * Causal attention of q [b, h, t, hd] over k, v [b, kv, s, hd]; query head j reads key/value
 * head ⌊j / rep⌋ (transformers' `repeat_kv`). Returns [b·t, h·hd].
 */
function groupedAttention (b: GraphBuilder, q: Value, k: Value, v: Value, allowed: Value, rep: number, hd: number): Value {
  const scale = 1 / Math.sqrt(hd)
  const nHead = q.shape[1] as number
  if (rep === 1) {
    const scores = b.mul(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), scale)
    const probs = b.softmax(b.where(allowed, scores, MASK_VALUE), -1)
    return b.reshape(b.transpose(b.matmul(probs, v), [0, 2, 1, 3]), [-1, nHead * hd])
  }
  const kv = k.shape[1] as number
  const q5 = b.reshape(q, [0, kv, rep, -1, hd])
  const k5 = b.unsqueeze(k, [2])
  const v5 = b.unsqueeze(v, [2])
  const scores = b.mul(b.matmul(q5, b.transpose(k5, [0, 1, 2, 4, 3])), scale)
  const probs = b.softmax(b.where(b.unsqueeze(allowed, [2]), scores, MASK_VALUE), -1)
  const y = b.reshape(b.matmul(probs, v5), [0, nHead, -1, hd])
  return b.reshape(b.transpose(y, [0, 2, 1, 3]), [-1, nHead * hd])
}

/** cos/sin (times the rope attention factor) per token: [batch, 1, seq, hd/2] each, in `dtype`. */
function rotaryTables (b: GraphBuilder, c: FamilyConfig, positionIds: Value, dtype: 'float32' | 'float64'): RotaryTables {
  const { invFreq, attentionFactor } = ropeFrequencies(c)
  return rotaryTablesFrom(b, c.nCtx, invFreq, attentionFactor, positionIds, dtype)
}

/**
 * The Hugging Face causal-LM decode graph of a family model, as transformers.js expects for
 * llama / qwen2 / qwen3: inputs `input_ids`, `attention_mask`, `position_ids`,
 * `past_key_values.{i}.key|value` [batch_size, kvHeads, past_sequence_length, headDim],
 * `num_logits_to_keep`; outputs `logits` and `present.{i}.key|value` (plus the generation
 * outputs with `options.generation`). Returns deterministic ModelProto bytes.
 */
export function buildFamilyDecodeModel (config: FamilyConfig, weights: FamilyWeights, options: DecodeModelOptions = {}): Uint8Array {
  const b = graphBuilder({ name: `murmur-${config.modelType}`, opset: OPSET, paramsAs: options.paramsAs ?? 'initializer' })
  const inputs = decodeGraphInputs(b, config.nLayer, config.nKvHead, config.headDim)
  const params = declareParams(b, familyParamSpecs(config), weights)
  const out = buildFamilyForward(b, config, params, inputs, { inference: true })
  return decodeGraphProto(b, out, options)
}

/**
 * Assembles a whole training step into one ONNX model: forward, loss, backward, optional
 * global-norm clipping and the optimizer update. Parameters, optimizer state and the step
 * counter flow in as inputs and out as `<name>.next` outputs, so each step's outputs are the
 * next step's inputs.
 */
import { InvalidArgumentError } from '@murmur/interface'
import { graphBuilder, type GraphBuilder } from './builder.js'
import type { Value } from './core.js'
import { grad } from './autodiff.js'
import { FUSED_UPDATE_MAX_ELEMENTS, NEXT_SUFFIX } from './constants.js'
import { InvalidGraphError } from './errors.js'
import { adamw, clipScale, globalNorm, type Optimizer } from './optim.js'
import type { TensorMap } from './session.js'
import { isFloat, numel, scalar, tensor, type DType, type Tensor } from './tensor.js'

/** What the forward function returns. */
export interface ForwardResult {
  /** Scalar loss to minimize. */
  loss: Value
  /** Extra outputs (accuracy, entropy, KL, ...), by output name. */
  stats?: Record<string, Value>
}

/** Options of `trainStep`. */
export interface TrainStepInit {
  /**
   * Builds the forward pass and loss: declare batch tensors with `b.input()` and parameters
   * with `b.param()` (trainable ones become graph inputs; `trainable: false` stay frozen
   * initializers).
   */
  forward: (b: GraphBuilder) => ForwardResult
  /** Default `adamw()`. */
  optimizer?: Optimizer
  /** Clip gradients to this global norm (default: no clipping). */
  clipNorm?: number
  /** Graph name. Default `train_step`. */
  name?: string
  /** Opset. Default 21. */
  opset?: number
}

/** A built train step and how to drive it. */
export interface TrainStep {
  /** ONNX model bytes. */
  readonly model: Uint8Array
  /** Trainable parameters in order, with their initial values. */
  readonly params: ReadonlyArray<{ name: string, init: Tensor }>
  /** Inputs carried from step to step: parameters, optimizer state, `step`. */
  readonly stateNames: readonly string[]
  /** Batch inputs the caller feeds each step (the forward's `b.input()`s). */
  readonly batchNames: readonly string[]
  /** Names of the scalar outputs: `loss`, `grad_norm` and the stats. */
  readonly metricNames: readonly string[]
  /** Name of the learning-rate input (a scalar of the parameters' dtype). */
  readonly lrName: string
  /** Parameters from their initial values, zero optimizer state, `step` = 1. */
  initialState(): TensorMap
  /** The state to feed next: each state input's `<name>.next` output. */
  nextState(outputs: TensorMap): TensorMap
  /** The learning-rate feed for `lr`. */
  lr(value: number): TensorMap
}

/** Name of the optimizer state input for `slot` of `param`. */
export function stateName (slot: string, param: string): string {
  return `opt.${slot}.${param}`
}

/** Every parameter in one flat graph input, and each parameter as a view of it. */
export interface FlatParams {
  /** The flat input, [Σ numel]. */
  input: Value
  /** The parameters, in order, shaped as declared. */
  params: Value[]
}

/**
 * Declares one flat input `name` holding the parameters of `specs` back to back and returns each
 * as a view (Split + Reshape). With `appendUpdate`'s `flat`, the optimizer state is flat too:
 * a step then feeds and returns three buffers instead of three per parameter.
 */
export function flatParamInput (b: GraphBuilder, name: string, specs: ReadonlyArray<{ name: string, shape: readonly number[] }>, dtype: DType): FlatParams {
  if (specs.length === 0) throw new InvalidArgumentError('specs', 'needs at least one parameter')
  const sizes = specs.map(s => numel([...s.shape]))
  const input = b.input(name, dtype, [sizes.reduce((a, n) => a + n, 0)])
  const parts = specs.length === 1 ? [input] : b.scope(name, () => b.split(input, 0, sizes))
  const params = parts.map((v, i) => specs[i].shape.length === 1 ? v : b.scope(name, () => b.reshape(v, [...specs[i].shape])))
  return { input, params }
}

/** Options of `appendUpdate`. */
export interface UpdateInit {
  /** Default `adamw()`. */
  optimizer?: Optimizer
  /** Clip gradients to this global norm (default: no clipping). */
  clipNorm?: number
  /**
   * The parameters came from `flatParamInput` (then `params` must be its `params`): the update
   * runs once over the flat buffer, state inputs are `opt.<slot>.<flat name>` and outputs
   * `<flat name>.next` / `opt.<slot>.<flat name>.next`. Needs an elementwise optimizer.
   */
  flat?: FlatParams
}

/**
 * Appends the backward pass of `loss` (`grad`), global-norm clipping and the optimizer update
 * for `params` (graph inputs of one float dtype) to `b`. Declares inputs `lr` (a scalar of the
 * parameters' dtype), `step` (int64, 1-based) and `opt.<slot>.<param>`; emits outputs
 * `grad_norm`, `<param>.next`, `opt.<slot>.<param>.next` and `step.next`. Returns the state
 * names, parameters first (each state input `x` has the output `x.next`).
 */
export function appendUpdate (b: GraphBuilder, loss: Value, params: readonly Value[], init: UpdateInit = {}): string[] {
  const optimizer = init.optimizer ?? adamw()
  if (loss.rank !== 0 || !isFloat(loss.dtype)) throw new InvalidGraphError(`the loss must be a float scalar, got ${loss.dtype} [${loss.shape.join(', ')}]`)
  if (params.length === 0) throw new InvalidArgumentError('params', 'needs at least one trainable parameter')
  const dtype: DType = params[0].dtype
  for (const p of params) {
    if (p.dtype !== dtype) throw new InvalidGraphError(`all trainable parameters must share one dtype; '${p.name}' is ${p.dtype}, not ${dtype}`)
  }
  const lr = b.input('lr', dtype, [])
  const step = b.input('step', 'int64', [])
  if (init.flat !== undefined) return appendFlatUpdate(b, loss, init.flat, params, optimizer, init.clipNorm, lr, step)
  const stateInputs = params.map(p => Object.fromEntries(optimizer.slots.map(s => [s, b.input(stateName(s, p.name), dtype, p.shape)])))
  const rawGrads = grad(b, loss, params)
  const sizes = params.map(p => p.shape.every((d): d is number => typeof d === 'number') ? numel(p.shape as number[]) : undefined)
  // Fused: one update over all parameters concatenated (flat copies in, split back out) — for
  // small models, where hundreds of tiny kernels cost more than the copies; large ones would
  // double their optimizer memory, so they update parameter by parameter.
  const total = sizes.reduce<number>((a, n) => a + (n ?? Infinity), 0)
  const fuse = optimizer.elementwise && params.length > 1 && total <= FUSED_UPDATE_MAX_ELEMENTS
  const flat = (vs: readonly Value[], name: string): Value => b.scope(name, () => b.concat(vs.map(v => v.rank === 1 ? v : b.reshape(v, [-1])), 0))
  const gradsIn = fuse ? [flat(rawGrads, 'flat_grads')] : rawGrads
  // Clipping scales the gradients through the optimizer's coefficients (no pass of its own).
  const norm = globalNorm(b, gradsIn)
  const gradScale = init.clipNorm === undefined ? undefined : clipScale(b, norm, init.clipNorm)
  const slots = fuse
    ? [{ name: 'params', param: flat(params, 'flat_params'), grad: gradsIn[0], state: Object.fromEntries(optimizer.slots.map(s => [s, flat(stateInputs.map(st => st[s]), `flat_${s}`)])) }]
    : params.map((p, i) => ({ name: p.name, param: p, grad: gradsIn[i], state: stateInputs[i] }))
  const applied = optimizer.apply(b, slots, { lr, step: b.cast(step, dtype), gradScale })
  const unflat = (v: Value, name: string): Value[] => b.scope(name, () => b.split(v, 0, sizes as number[]).map((part, i) => params[i].rank === 1 ? part : b.reshape(part, params[i].shape as number[])))
  const updates = fuse
    ? ((): Array<{ param: Value, state: Record<string, Value> }> => {
        const ps = unflat(applied[0].param, 'unflat_params')
        const st = Object.fromEntries(optimizer.slots.map(s => [s, unflat(applied[0].state[s], `unflat_${s}`)]))
        return ps.map((param, i) => ({ param, state: Object.fromEntries(optimizer.slots.map(s => [s, st[s][i]])) }))
      })()
    : applied
  b.output('grad_norm', norm)
  const stateNames: string[] = []
  params.forEach((p, i) => {
    b.output(p.name + NEXT_SUFFIX, updates[i].param)
    stateNames.push(p.name)
  })
  params.forEach((p, i) => {
    for (const s of optimizer.slots) {
      const n = stateName(s, p.name)
      b.output(n + NEXT_SUFFIX, updates[i].state[s])
      stateNames.push(n)
    }
  })
  b.output('step' + NEXT_SUFFIX, b.add(step, 1))
  stateNames.push('step')
  return stateNames
}

function appendFlatUpdate (b: GraphBuilder, loss: Value, flat: FlatParams, params: readonly Value[], optimizer: Optimizer, clipNorm: number | undefined, lr: Value, step: Value): string[] {
  if (!optimizer.elementwise) throw new InvalidArgumentError('flat', `needs an elementwise optimizer; ${optimizer.kind} is not`)
  if (params.length !== flat.params.length || params.some((p, i) => p !== flat.params[i])) throw new InvalidArgumentError('params', 'must be the flat input\'s params, in order')
  const p = flat.input
  const state = Object.fromEntries(optimizer.slots.map(s => [s, b.input(stateName(s, p.name), p.dtype, p.shape)]))
  const grads = grad(b, loss, params)
  const g = b.scope('flat_grads', () => b.concat(grads.map(v => v.rank === 1 ? v : b.reshape(v, [-1])), 0))
  const norm = globalNorm(b, [g])
  const gradScale = clipNorm === undefined ? undefined : clipScale(b, norm, clipNorm)
  const [applied] = optimizer.apply(b, [{ name: p.name, param: p, grad: g, state }], { lr, step: b.cast(step, p.dtype), gradScale })
  b.output('grad_norm', norm)
  b.output(p.name + NEXT_SUFFIX, applied.param)
  for (const s of optimizer.slots) b.output(stateName(s, p.name) + NEXT_SUFFIX, applied.state[s])
  b.output('step' + NEXT_SUFFIX, b.add(step, 1))
  return [p.name, ...optimizer.slots.map(s => stateName(s, p.name)), 'step']
}

/** Builds the train-step model. */
export function trainStep (init: TrainStepInit): TrainStep {
  const optimizer = init.optimizer ?? adamw()
  const b = graphBuilder({ name: init.name ?? 'train_step', opset: init.opset, paramsAs: 'input' })
  const { loss, stats = {} } = init.forward(b)
  if (loss.rank !== 0 || !isFloat(loss.dtype)) throw new InvalidGraphError(`the loss must be a float scalar, got ${loss.dtype} [${loss.shape.join(', ')}]`)
  const params = b.params().filter(p => p.trainable)
  if (params.length === 0) throw new InvalidArgumentError('forward', 'declares no trainable parameters (b.param)')
  const batchNames = b.inputs().map(v => v.name).filter(n => !params.some(p => p.value.name === n))
  const dtype: DType = params[0].value.dtype
  b.output('loss', loss)
  const stateNames = appendUpdate(b, loss, params.map(p => p.value), { optimizer, clipNorm: init.clipNorm })
  for (const [name, v] of Object.entries(stats)) b.output(name, v)
  const model = b.toModelProto()
  const paramList = params.map(p => ({ name: p.value.name, init: p.init }))

  return {
    model,
    params: paramList,
    stateNames,
    batchNames,
    metricNames: ['loss', 'grad_norm', ...Object.keys(stats)],
    lrName: 'lr',
    initialState () {
      const st: TensorMap = {}
      for (const p of paramList) {
        st[p.name] = tensor(p.init.dtype, p.init.dims, p.init.data.slice())
        for (const s of optimizer.slots) st[stateName(s, p.name)] = tensor(p.init.dtype, p.init.dims)
      }
      st.step = scalar('int64', 1n)
      return st
    },
    nextState (outputs) {
      const st: TensorMap = {}
      for (const n of stateNames) {
        const t = outputs[n + NEXT_SUFFIX]
        if (t === undefined) throw new InvalidArgumentError('outputs', `missing '${n}${NEXT_SUFFIX}'`)
        st[n] = t
      }
      return st
    },
    lr: (value: number) => ({ lr: scalar(dtype, value) })
  }
}

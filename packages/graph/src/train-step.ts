/**
 * A training step inside one ONNX model: `appendUpdate` adds the backward pass, global-norm
 * clipping and the optimizer update to a forward and loss, with parameters, optimizer state and
 * the step counter flowing in as inputs and out as `<name>.next` outputs, so each step's outputs
 * are the next step's inputs.
 */
import { InvalidArgumentError } from '@murmur/interface'
import type { GraphBuilder } from './builder.js'
import type { Value } from './core.js'
import { grad } from './autodiff.js'
import { FUSED_UPDATE_MAX_ELEMENTS, NEXT_SUFFIX } from './constants.js'
import { InvalidGraphError } from './errors.js'
import { adamw, clipScale, globalNorm, type Optimizer } from './optim.js'
import { isFloat, numel, type DType } from './tensor.js'

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
   * `<flat name>.next` / `opt.<slot>.<flat name>.next`.
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
  const { flat } = init
  if (loss.rank !== 0 || !isFloat(loss.dtype)) throw new InvalidGraphError(`the loss must be a float scalar, got ${loss.dtype} [${loss.shape.join(', ')}]`)
  if (params.length === 0) throw new InvalidArgumentError('params', 'needs at least one trainable parameter')
  if (flat !== undefined && (params.length !== flat.params.length || params.some((p, i) => p !== flat.params[i]))) throw new InvalidArgumentError('params', 'must be the flat input\'s params, in order')
  const dtype: DType = params[0].dtype
  for (const p of params) {
    if (p.dtype !== dtype) throw new InvalidGraphError(`all trainable parameters must share one dtype; '${p.name}' is ${p.dtype}, not ${dtype}`)
  }
  const lr = b.input('lr', dtype, [])
  const step = b.input('step', 'int64', [])
  // The values carried from step to step: each parameter, or the one flat buffer.
  const owners = flat === undefined ? params : [flat.input]
  const stateInputs = owners.map(p => Object.fromEntries(optimizer.slots.map(s => [s, b.input(stateName(s, p.name), dtype, p.shape)])))
  const rawGrads = grad(b, loss, params)
  const sizes = params.map(p => p.shape.every((d): d is number => typeof d === 'number') ? numel(p.shape as number[]) : undefined)
  // Fused: one update over all parameters concatenated (flat copies in, split back out) — for
  // small models, where hundreds of tiny kernels cost more than the copies; large ones would
  // double their optimizer memory, so they update parameter by parameter. A flat input needs no copies.
  const total = sizes.reduce<number>((a, n) => a + (n ?? Infinity), 0)
  const fuse = flat === undefined && params.length > 1 && total <= FUSED_UPDATE_MAX_ELEMENTS
  const concat = (vs: readonly Value[], name: string): Value => b.scope(name, () => b.concat(vs.map(v => v.rank === 1 ? v : b.reshape(v, [-1])), 0))
  const gradsIn = fuse || flat !== undefined ? [concat(rawGrads, 'flat_grads')] : rawGrads
  // Clipping scales the gradients through the optimizer's coefficients (no pass of its own).
  const norm = globalNorm(b, gradsIn)
  const gradScale = init.clipNorm === undefined ? undefined : clipScale(b, norm, init.clipNorm)
  const slots = fuse
    ? [{ name: 'params', param: concat(params, 'flat_params'), grad: gradsIn[0], state: Object.fromEntries(optimizer.slots.map(s => [s, concat(stateInputs.map(st => st[s]), `flat_${s}`)])) }]
    : owners.map((p, i) => ({ name: p.name, param: p, grad: gradsIn[i], state: stateInputs[i] }))
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
  owners.forEach((p, i) => {
    b.output(p.name + NEXT_SUFFIX, updates[i].param)
    stateNames.push(p.name)
  })
  owners.forEach((p, i) => {
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

/**
 * Reverse-mode autodiff over the builder's node list. Gradient rules are a table keyed by op
 * type (grad-rules*.ts); only nodes on a path from a requested parameter to the loss get a
 * backward, gradients of values used several times are summed, `stopGradient` nodes and
 * non-float values block the flow, and a node without a rule throws `MissingGradientError`.
 */
import type { GraphBuilder } from './builder.js'
import type { NodeRecord, Value, ValueImpl } from './core.js'
import { InvalidGraphError, MissingGradientError } from './errors.js'
import { ELEMENTWISE_RULES } from './grad-rules.js'
import { SHAPE_RULES } from './grad-rules-shape.js'
import { isFloat } from './tensor.js'
import type { GradRule } from './grad-util.js'

/** The gradient rule table: op type → rule. */
export const GRAD_RULES: Readonly<Record<string, GradRule>> = { ...ELEMENTWISE_RULES, ...SHAPE_RULES }

/**
 * Emits the backward subgraph of `loss` (of its sum, for a non-scalar loss), named under the
 * scope `grad`, and returns d loss / d `wrt[i]` for each value (a zero tensor when `wrt[i]`
 * does not reach the loss).
 */
export function grad (b: GraphBuilder, loss: Value, wrt: readonly Value[]): Value[] {
  const lossV = b.own(loss, 'loss')
  if (!isFloat(lossV.dtype)) throw new InvalidGraphError(`loss '${loss.name}' must be float, got ${lossV.dtype}`)
  const targets = wrt.map(w => b.own(w, 'gradient target'))
  const nodes = b.nodeList.slice()

  // Forward: values that depend on a target through float, gradient-carrying nodes.
  const reach = new Set<ValueImpl>(targets)
  const onForward = new Set<NodeRecord>()
  for (const n of nodes) {
    if (n.stopGradient || !n.inputs.some(i => i !== undefined && reach.has(i))) continue
    onForward.add(n)
    for (const o of n.outputs) if (isFloat(o.dtype)) reach.add(o)
  }
  // Backward: of those nodes, the ones whose outputs reach the loss.
  const live = new Set<ValueImpl>([lossV])
  const active: NodeRecord[] = []
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]
    if (!onForward.has(n) || !n.outputs.some(o => live.has(o))) continue
    active.push(n)
    for (const inp of n.inputs) if (inp !== undefined && reach.has(inp)) live.add(inp)
  }

  const grads = new Map<ValueImpl, Value>()
  const accumulate = (v: ValueImpl, g: Value): void => {
    const prev = grads.get(v)
    grads.set(v, prev === undefined ? g : b.add(prev, g))
  }
  b.scope('grad', () => {
    if (reach.has(lossV)) {
      const seed = (lossV.rank === 0 ? b.scalar(1, lossV.dtype) : b.constantOfShape(b.shapeOf(lossV), 1, lossV.dtype, lossV.shape))
      accumulate(lossV, seed)
    }
    for (const n of active) {
      const outGrads = n.outputs.map(o => grads.get(o))
      if (outGrads.every(g => g === undefined)) continue
      const rule = GRAD_RULES[n.opType]
      if (rule === undefined) throw new MissingGradientError(n.opType, n.name)
      const needs = n.inputs.map(i => i !== undefined && live.has(i) && reach.has(i))
      const run = (): Array<Value | undefined> => rule({ b, node: n, grads: outGrads, needs })
      const inGrads = n.path === '' ? run() : b.scope(n.path, run)
      n.inputs.forEach((inp, i) => {
        const g = inGrads[i]
        if (inp !== undefined && needs[i] && g !== undefined) accumulate(inp, g)
      })
    }
  })
  return targets.map(t => grads.get(t) ?? b.scope('grad', () => b.zerosLike(t)))
}

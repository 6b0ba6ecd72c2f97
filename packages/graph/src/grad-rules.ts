/** Gradient rules of elementwise, reduction and normalization ops. */
import type { Value } from './core.js'
import { intAttr } from './core.js'
import { MissingGradientError } from './errors.js'
import { isStatic } from './shape.js'
import { countOf, gradOf, input, reduceAxes, sumToShape, when, type GradContext, type GradRule } from './grad-util.js'

const out = (ctx: GradContext, i = 0): Value => ctx.node.outputs[i]

/** Rules for elementwise ops, reductions, softmaxes, GELU and layer norm. */
export const ELEMENTWISE_RULES: Record<string, GradRule> = {
  Add: (c) => {
    const g = gradOf(c)
    return [when(c, 0, () => sumToShape(c.b, g, input(c, 0).shape)), when(c, 1, () => sumToShape(c.b, g, input(c, 1).shape))]
  },
  Sub: (c) => {
    const g = gradOf(c)
    return [when(c, 0, () => sumToShape(c.b, g, input(c, 0).shape)), when(c, 1, () => sumToShape(c.b, c.b.neg(g), input(c, 1).shape))]
  },
  Mul: (c) => {
    const [g, a, b] = [gradOf(c), input(c, 0), input(c, 1)]
    return [when(c, 0, () => sumToShape(c.b, c.b.mul(g, b), a.shape)), when(c, 1, () => sumToShape(c.b, c.b.mul(g, a), b.shape))]
  },
  Div: (c) => {
    const [g, a, b, y] = [gradOf(c), input(c, 0), input(c, 1), out(c)]
    return [when(c, 0, () => sumToShape(c.b, c.b.div(g, b), a.shape)), when(c, 1, () => sumToShape(c.b, c.b.neg(c.b.div(c.b.mul(g, y), b)), b.shape))]
  },
  Pow: (c) => {
    const [g, a, e, y] = [gradOf(c), input(c, 0), input(c, 1), out(c)]
    return [
      when(c, 0, () => sumToShape(c.b, c.b.mul(g, c.b.mul(e, c.b.pow(a, c.b.sub(e, 1)))), a.shape)),
      when(c, 1, () => sumToShape(c.b, c.b.mul(g, c.b.mul(y, c.b.log(a))), e.shape))
    ]
  },
  Neg: (c) => [c.b.neg(gradOf(c))],
  Identity: (c) => [gradOf(c)],
  Exp: (c) => [c.b.mul(gradOf(c), out(c))],
  Log: (c) => [c.b.div(gradOf(c), input(c, 0))],
  Sqrt: (c) => [c.b.div(gradOf(c), c.b.mul(out(c), 2))],
  Reciprocal: (c) => [c.b.neg(c.b.mul(gradOf(c), c.b.mul(out(c), out(c))))],
  Tanh: (c) => [c.b.mul(gradOf(c), c.b.sub(1, c.b.mul(out(c), out(c))))],
  Sigmoid: (c) => [c.b.mul(gradOf(c), c.b.mul(out(c), c.b.sub(1, out(c))))],
  Relu: (c) => [c.b.where(c.b.greater(input(c, 0), 0), gradOf(c), 0)],
  Abs: (c) => [c.b.mul(gradOf(c), c.b.sign(input(c, 0)))],
  Sign: () => [undefined],
  Erf: (c) => {
    const x = input(c, 0)
    return [c.b.mul(gradOf(c), c.b.mul(c.b.exp(c.b.neg(c.b.mul(x, x))), 2 / Math.sqrt(Math.PI)))]
  },
  Gelu: (ctx) => {
    const [b, x, g] = [ctx.b, input(ctx, 0), gradOf(ctx)]
    const a = ctx.node.attrs.approximate
    if (a !== undefined && a.kind === 'string' && a.value === 'tanh') {
      // y = x·(1 + tanh u)/2 = x·s, s = σ(2u), u = k(x + c·x³): dy/dx = s + x·s·(1 − s)·2u′
      // = s + (y − y·s)·2u′ with the forward's y: 12 full-size ops.
      const k = Math.sqrt(2 / Math.PI)
      const c = 0.044715
      const y = out(ctx)
      const x2 = b.mul(x, x)
      const s = b.sigmoid(b.mul(x, b.add(b.mul(x2, 2 * k * c), 2 * k)))
      const du2 = b.add(b.mul(x2, 6 * k * c), 2 * k)
      return [b.mul(g, b.add(b.mul(b.sub(y, b.mul(y, s)), du2), s))]
    }
    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
    const cdf = b.mul(b.add(b.erf(b.mul(x, Math.SQRT1_2)), 1), 0.5)
    const pdf = b.mul(b.exp(b.mul(b.mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI))
    return [b.mul(g, b.add(cdf, b.mul(x, pdf)))]
  },
  Softmax: (c) => {
    const [b, y, g] = [c.b, out(c), gradOf(c)]
    const axis = intAttr(c.node.attrs, 'axis', -1)
    return [b.mul(y, b.sub(g, b.reduceSum(b.mul(g, y), [axis], true)))]
  },
  LogSoftmax: (c) => {
    const [b, y, g] = [c.b, out(c), gradOf(c)]
    const axis = intAttr(c.node.attrs, 'axis', -1)
    return [b.sub(g, b.mul(b.exp(y), b.reduceSum(g, [axis], true)))]
  },
  ReduceSum: (c) => [broadcastBack(c, gradOf(c))],
  ReduceSumSquare: (c) => [c.b.mul(broadcastBack(c, gradOf(c)), c.b.mul(input(c, 0), 2))],
  ReduceMean: (c) => [c.b.div(broadcastBack(c, gradOf(c)), countOf(c.b, input(c, 0), reduceAxes(c)))],
  ReduceMax: (c) => {
    const [b, x] = [c.b, input(c, 0)]
    const axes = reduceAxes(c)
    const keep = intAttr(c.node.attrs, 'keepdims', 1) === 1
    const y = keep ? out(c) : b.unsqueeze(out(c), axes)
    const g = keep ? gradOf(c) : b.unsqueeze(gradOf(c), axes)
    // Ties share the gradient equally.
    const mask = b.cast(b.equal(x, y), x.dtype)
    return [b.mul(mask, b.div(g, b.reduceSum(mask, axes, true)))]
  },
  Clip: (c) => {
    const [b, x, lo, hi] = [c.b, input(c, 0), c.node.inputs[1], c.node.inputs[2]]
    let g = gradOf(c)
    if (lo !== undefined) g = b.where(b.less(x, lo), 0, g)
    if (hi !== undefined) g = b.where(b.greater(x, hi), 0, g)
    return [g]
  },
  Max: (c) => minMax(c, true),
  Min: (c) => minMax(c, false),
  Where: (c) => {
    const [b, cond, g] = [c.b, input(c, 0), gradOf(c)]
    return [undefined, when(c, 1, () => sumToShape(b, b.where(cond, g, 0), input(c, 1).shape)), when(c, 2, () => sumToShape(b, b.where(cond, 0, g), input(c, 2).shape))]
  },
  Cast: (c) => {
    const x = input(c, 0)
    return [x.dtype === 'float32' || x.dtype === 'float64' ? c.b.cast(gradOf(c), x.dtype) : undefined]
  },
  CumSum: (c) => {
    const axis = Number((input(c, 1) as { constant?: { data: BigInt64Array } }).constant?.data[0] ?? NaN)
    if (Number.isNaN(axis)) throw new MissingGradientError('CumSum', c.node.name, 'axis must be a constant')
    const exclusive = intAttr(c.node.attrs, 'exclusive', 0) === 1
    const reverse = intAttr(c.node.attrs, 'reverse', 0) === 1
    return [c.b.cumsum(gradOf(c), axis, { exclusive, reverse: !reverse })]
  },
  LayerNormalization: (c) => {
    if (c.grads[1] !== undefined || c.grads[2] !== undefined) throw new MissingGradientError('LayerNormalization', c.node.name, 'gradients through Mean/InvStdDev outputs are not supported')
    const [b, x, scale, g] = [c.b, input(c, 0), input(c, 1), gradOf(c)]
    const bias = c.node.inputs[2]
    const axis = intAttr(c.node.attrs, 'axis', -1)
    const a = axis < 0 ? axis + x.rank : axis
    const axes = x.shape.map((_, i) => i).filter(i => i >= a)
    const mean = out(c, 1).dtype === x.dtype ? out(c, 1) : b.cast(out(c, 1), x.dtype)
    const inv = out(c, 2).dtype === x.dtype ? out(c, 2) : b.cast(out(c, 2), x.dtype)
    const xhat = b.mul(b.sub(x, mean), inv)
    const dxhat = b.mul(g, scale)
    const dx = when(c, 0, () => b.mul(inv, b.sub(b.sub(dxhat, b.reduceMean(dxhat, axes, true)), b.mul(xhat, b.reduceMean(b.mul(dxhat, xhat), axes, true)))))
    return [dx, when(c, 1, () => sumToShape(b, b.mul(g, xhat), scale.shape)), bias === undefined ? undefined : when(c, 2, () => sumToShape(b, g, bias.shape))]
  }
}

function broadcastBack (c: GradContext, g: Value): Value {
  const [b, x] = [c.b, input(c, 0)]
  const keep = intAttr(c.node.attrs, 'keepdims', 1) === 1
  const gk = keep ? g : b.unsqueeze(g, reduceAxes(c))
  return isStatic(x.shape) ? b.expand(gk, x.shape as number[]) : b.expand(gk, b.shapeOf(x), x.shape)
}

function minMax (c: GradContext, isMax: boolean): Array<Value | undefined> {
  const [b, x, y, g] = [c.b, input(c, 0), input(c, 1), gradOf(c)]
  // Ties go to the first operand.
  const first = isMax ? b.not(b.less(x, y)) : b.not(b.greater(x, y))
  return [when(c, 0, () => sumToShape(b, b.where(first, g, 0), x.shape)), when(c, 1, () => sumToShape(b, b.where(first, 0, g), y.shape))]
}

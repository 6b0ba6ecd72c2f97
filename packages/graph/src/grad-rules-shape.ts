/** Gradient rules of matrix products and shape/indexing ops. */
import type { Value } from './core.js'
import { intAttr } from './core.js'
import { MissingGradientError } from './errors.js'
import { constInts, gradOf, input, sumToShape, when, type GradContext, type GradRule } from './grad-util.js'
import { isStatic, type Dim } from './shape.js'
import { ONE_HOT_GATHER_MAX_ROWS } from './constants.js'
import { tensor } from './tensor.js'

function swapLast (c: GradContext, v: Value): Value {
  const perm = v.shape.map((_, i) => i)
  perm[v.rank - 2] = v.rank - 1
  perm[v.rank - 1] = v.rank - 2
  return c.b.transpose(v, perm)
}

/** Rules for MatMul, Gemm and the shape/indexing ops. */
export const SHAPE_RULES: Record<string, GradRule> = {
  MatMul: (c) => {
    const [b, x, w, g] = [c.b, input(c, 0), input(c, 1), gradOf(c)]
    if (x.rank < 2 || w.rank < 2) throw new MissingGradientError('MatMul', c.node.name, '1-D operands are not supported; reshape to 2-D')
    // A shared [K, N] weight under batched activations: one flattened Gemm(transA) instead of
    // a batched MatMul and a ReduceSum over the batch axes.
    const shared = w.rank === 2 && x.rank > 2 && typeof x.shape[x.rank - 1] === 'number' && typeof g.shape[g.rank - 1] === 'number'
    const dw = shared
      ? (): Value => b.gemm(b.reshape(x, [-1, x.shape[x.rank - 1] as number]), b.reshape(g, [-1, g.shape[g.rank - 1] as number]), undefined, { transA: true })
      : (): Value => sumToShape(b, b.matmul(untransposed(c, x), g), w.shape)
    return [when(c, 0, () => sumToShape(b, b.matmul(g, untransposed(c, w)), x.shape)), when(c, 1, dw)]
  },
  Gemm: (c) => {
    const [b, x, w, g] = [c.b, input(c, 0), input(c, 1), gradOf(c)]
    const bias = c.node.inputs[2]
    const ta = intAttr(c.node.attrs, 'transA', 0) === 1
    const tb = intAttr(c.node.attrs, 'transB', 0) === 1
    const alphaA = c.node.attrs.alpha
    const betaA = c.node.attrs.beta
    const alpha = alphaA?.kind === 'float' ? alphaA.value : 1
    const beta = betaA?.kind === 'float' ? betaA.value : 1
    // Y = α·op(X)·op(W): every operand gradient is one Gemm with transpose flags, no Transpose node.
    const gx = when(c, 0, () => ta ? b.gemm(w, g, undefined, { transA: tb, transB: true, alpha }) : b.gemm(g, w, undefined, { transB: !tb, alpha }))
    const gw = when(c, 1, () => tb ? b.gemm(g, x, undefined, { transA: true, transB: ta, alpha }) : b.gemm(x, g, undefined, { transA: !ta, alpha }))
    const gb = bias === undefined ? undefined : when(c, 2, () => sumToShape(b, beta === 1 ? g : b.mul(g, beta), bias.shape))
    return [gx, gw, gb]
  },
  Reshape: (c) => [reshapeTo(c, gradOf(c), input(c, 0))],
  Unsqueeze: (c) => [reshapeTo(c, gradOf(c), input(c, 0))],
  Squeeze: (c) => [reshapeTo(c, gradOf(c), input(c, 0))],
  Expand: (c) => [sumToShape(c.b, gradOf(c), input(c, 0).shape)],
  Transpose: (c) => {
    const a = c.node.attrs.perm
    const x = input(c, 0)
    const perm = a?.kind === 'ints' ? a.value.map(Number) : x.shape.map((_, i) => x.rank - 1 - i)
    const inv = perm.map((_, i) => perm.indexOf(i))
    const g = c.b.own(gradOf(c))
    // The gradient of Xᵀ in a product (keys in attention) is a MatMul A·B: emit (A·B)ᵀ = Bᵀ·Aᵀ,
    // whose transposes onnxruntime folds into the product, instead of transposing its result.
    const mm = g.producer
    if (x.rank >= 2 && isSwapLast(inv) && mm?.opType === 'MatMul' && mm.inputs.every(v => v !== undefined && v.rank >= 2)) {
      const [l, r] = mm.inputs as readonly Value[]
      return [c.b.matmul(untransposed(c, r), untransposed(c, l))]
    }
    return [c.b.transpose(g, inv)]
  },
  Concat: (c) => {
    const [b, g] = [c.b, gradOf(c)]
    const axis = intAttr(c.node.attrs, 'axis', 0)
    const ins = c.node.inputs.map((_, i) => input(c, i))
    const sizes = ins.map(v => v.shape[axis])
    const outs = ins.map(v => ({ dtype: g.dtype, shape: v.shape }))
    const split = sizes.every((d): d is number => typeof d === 'number')
      ? b.ints(sizes, 'split')
      : b.concat(ins.map(v => b.shapeOf(v, axis, axis + 1)), 0)
    return b.node('Split', [g, split], { axis: { kind: 'int', value: axis } }, outs)
  },
  Split: (c) => {
    const [b, x] = [c.b, input(c, 0)]
    const axis = intAttr(c.node.attrs, 'axis', 0)
    const parts = c.node.outputs.map((o, i) => c.grads[i] ?? b.zerosLike(o))
    return [b.concat(parts, axis, x.shape[axis])]
  },
  Slice: (c) => [sliceGrad(c)],
  Gather: (c) => {
    const [b, data, idx, g] = [c.b, input(c, 0), input(c, 1), gradOf(c)]
    const axis = intAttr(c.node.attrs, 'axis', 0)
    const rows = data.shape[0]
    const width = data.shape[1]
    if (axis === 0 && data.rank === 2 && typeof rows === 'number' && typeof width === 'number' && rows <= ONE_HOT_GATHER_MAX_ROWS) {
      // A small table (embeddings of a small vocabulary, positions): onehot(idx)ᵀ·g as one Gemm
      // is faster than a ScatterND accumulation into zeros.
      const table = b.constant(tensor('int64', [1, rows], Array.from({ length: rows }, (_, i) => i)), 'rows')
      const onehot = b.cast(b.equal(b.reshape(idx, [-1, 1]), table), g.dtype)
      return [b.gemm(onehot, b.reshape(g, [-1, width]), undefined, { transA: true }), undefined]
    }
    if (axis === 0) return [b.scatterND(b.zerosLike(data), b.unsqueeze(idx, [-1]), g, 'add'), undefined]
    // Move the gathered axis to the front, scatter there, move it back.
    const q = idx.rank
    const dataPerm = [axis, ...data.shape.map((_, i) => i).filter(i => i !== axis)]
    const gPerm = [...range(axis, axis + q), ...range(0, axis), ...range(axis + q, g.rank)]
    const zeros = b.zerosLike(b.transpose(data, dataPerm))
    const scattered = b.scatterND(zeros, b.unsqueeze(idx, [-1]), b.transpose(g, gPerm), 'add')
    return [b.transpose(scattered, dataPerm.map((_, i) => dataPerm.indexOf(i))), undefined]
  },
  GatherElements: (c) => {
    const [b, data, idx] = [c.b, input(c, 0), input(c, 1)]
    return [b.scatterElements(b.zerosLike(data), idx, gradOf(c), intAttr(c.node.attrs, 'axis', 0), 'add'), undefined]
  },
  GatherND: (c) => {
    const [b, data, idx] = [c.b, input(c, 0), input(c, 1)]
    return [b.scatterND(b.zerosLike(data), idx, gradOf(c), 'add'), undefined]
  },
  ScatterND: (c) => {
    const [b, idx, upd, g] = [c.b, input(c, 1), input(c, 2), gradOf(c)]
    const add = c.node.attrs.reduction?.kind === 'string' && c.node.attrs.reduction.value === 'add'
    return [when(c, 0, () => add ? g : b.scatterND(g, idx, b.zerosLike(upd))), undefined, when(c, 2, () => b.gatherND(g, idx))]
  },
  ScatterElements: (c) => {
    const [b, idx, upd, g] = [c.b, input(c, 1), input(c, 2), gradOf(c)]
    const axis = intAttr(c.node.attrs, 'axis', 0)
    const add = c.node.attrs.reduction?.kind === 'string' && c.node.attrs.reduction.value === 'add'
    return [when(c, 0, () => add ? g : b.scatterElements(g, idx, b.zerosLike(upd), axis)), undefined, when(c, 2, () => b.gatherElements(g, idx, axis))]
  },
  Trilu: (c) => [c.b.trilu(gradOf(c), intAttr(c.node.attrs, 'upper', 1) === 1, c.node.inputs[1] ?? 0), undefined],
  TopK: (c) => {
    const [b, x] = [c.b, input(c, 0)]
    const g = c.grads[0]
    if (g === undefined) return [undefined]
    return [b.scatterElements(b.zerosLike(x), c.node.outputs[1], g, intAttr(c.node.attrs, 'axis', -1), 'add'), undefined]
  }
}

function isSwapLast (perm: readonly number[]): boolean {
  const n = perm.length
  return n >= 2 && perm[n - 2] === n - 1 && perm[n - 1] === n - 2 && perm.slice(0, -2).every((p, i) => p === i)
}

/** vᵀ over the last two axes, reusing the input of a Transpose that produced v. */
function untransposed (c: GradContext, v: Value): Value {
  const t = c.b.own(v).producer
  const p = t?.attrs.perm
  if (t?.opType === 'Transpose' && p?.kind === 'ints' && isSwapLast(p.value.map(Number)) && t.inputs[0] !== undefined) return t.inputs[0]
  return swapLast(c, v)
}

function range (a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i)
}

function reshapeTo (c: GradContext, g: Value, x: Value): Value {
  return isStatic(x.shape) ? c.b.reshape(g, x.shape as number[]) : c.b.reshape(g, c.b.shapeOf(x), x.shape)
}

/** Slice with unit steps: pad the gradient back to the input's extent (pads computed at run time when dims are symbolic). */
function sliceGrad (c: GradContext): Value {
  const [b, x, g] = [c.b, input(c, 0), gradOf(c)]
  const axes = constInts(c, 3) ?? x.shape.map((_, i) => i)
  const steps = constInts(c, 4) ?? axes.map(() => 1)
  if (steps.some(s => s !== 1)) throw new MissingGradientError('Slice', c.node.name, 'only unit steps are differentiable')
  const ax = axes.map(a => a < 0 ? a + x.rank : a)
  const starts = constInts(c, 1)
  const ends = constInts(c, 2)
  const staticDims = ax.map(a => x.shape[a]).every((d): d is number => typeof d === 'number')
  if (starts !== undefined && ends !== undefined && staticDims) {
    const before: number[] = []
    const after: number[] = []
    ax.forEach((a, i) => {
      const d = x.shape[a] as number
      const s = Math.min(Math.max(starts[i] < 0 ? starts[i] + d : starts[i], 0), d)
      const e = Math.min(Math.max(ends[i] < 0 ? ends[i] + d : ends[i], 0), d)
      before.push(s)
      after.push(d - Math.max(e, s))
    })
    return b.pad(g, [...before, ...after], ax, 0, x.shape)
  }
  // Runtime pads: clamp(start), dim - clamp(end) per sliced axis.
  const d = b.gather(b.shapeOf(x), b.ints(ax, 'axes'))
  const norm = (v: Value): Value => b.max(b.min(b.where(b.less(v, 0), b.add(v, d), v), d), b.scalar(0n, 'int64'))
  const s = norm(input(c, 1))
  const e = b.max(norm(input(c, 2)), s)
  const pads = b.concat([s, b.sub(d, e)], 0)
  return b.pad(g, pads, ax, 0, x.shape as Dim[])
}

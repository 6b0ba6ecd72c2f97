/** Elementwise, broadcasting and reduction ops. */
import { GraphCore, attr, type Value, type ValueLike } from './core.js'
import { DTypeMismatchError } from './errors.js'
import { broadcastShapes, formatShape, normAxis, type Dim, type Shape } from './shape.js'
import { isFloat, ONNX_DTYPE, type DType } from './tensor.js'

const FLOATS: readonly DType[] = ['float32', 'float64']
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int64']

/** @internal elementwise and reduction ops. */
export class ElementwiseOps extends GraphCore {
  /** @internal broadcasting n-ary op with shape and dtype checks. */
  protected broadcastOp (op: string, args: readonly ValueLike[], out: DType | 'same', allowed: readonly DType[] = NUMERIC, attrs = {}): Value {
    const like = args.find((a): a is Value => typeof a !== 'number')
    const vals = args.map(a => this.lift(a, like?.dtype ?? 'float32'))
    const dt = this.sameDType(op, vals, allowed)
    let shape: Shape = vals[0].shape
    for (const v of vals.slice(1)) {
      const b = broadcastShapes(shape, v.shape)
      if (b === undefined) this.shapeError(op, `cannot broadcast ${vals.map(x => formatShape(x.shape)).join(' with ')}`)
      shape = b
    }
    return this.node(op, vals, attrs, [{ dtype: out === 'same' ? dt : out, shape }])[0]
  }

  /** @internal unary op keeping shape and dtype. */
  protected unaryOp (op: string, x: Value, allowed: readonly DType[] = FLOATS, attrs = {}): Value {
    this.sameDType(op, [x], allowed)
    return this.node(op, [x], attrs, [{ dtype: x.dtype, shape: x.shape }])[0]
  }

  /** a + b (broadcasting). */
  add (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Add', [a, b], 'same') }
  /** a - b (broadcasting). */
  sub (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Sub', [a, b], 'same') }
  /** a * b (broadcasting). */
  mul (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Mul', [a, b], 'same') }
  /** a / b (broadcasting). */
  div (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Div', [a, b], 'same') }
  /** a ** b (broadcasting; both operands share a float dtype). */
  pow (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Pow', [a, b], 'same', FLOATS) }
  /** Elementwise minimum (broadcasting). */
  min (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Min', [a, b], 'same') }
  /** Elementwise maximum (broadcasting). */
  max (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Max', [a, b], 'same') }
  /** a == b → bool (broadcasting). */
  equal (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Equal', [a, b], 'bool', ['float32', 'float64', 'int64', 'bool']) }
  /** a < b → bool (broadcasting). */
  less (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Less', [a, b], 'bool') }
  /** a > b → bool (broadcasting). */
  greater (a: ValueLike, b: ValueLike): Value { return this.broadcastOp('Greater', [a, b], 'bool') }
  /** Logical and of bools. */
  and (a: Value, b: Value): Value { return this.broadcastOp('And', [a, b], 'bool', ['bool']) }
  /** Logical not of a bool. */
  not (a: Value): Value { return this.unaryOp('Not', a, ['bool']) }

  /** cond ? x : y (broadcasting all three; `cond` is bool). */
  where (cond: Value, x: ValueLike, y: ValueLike): Value {
    if (cond.dtype !== 'bool') throw new DTypeMismatchError('Where', this.path, `condition must be bool, got ${cond.dtype}`)
    const like = typeof x !== 'number' ? x.dtype : typeof y !== 'number' ? y.dtype : 'float32'
    const xv = this.lift(x, like)
    const yv = this.lift(y, like)
    this.sameDType('Where', [xv, yv])
    let shape = broadcastShapes(cond.shape, xv.shape)
    shape = shape === undefined ? undefined : broadcastShapes(shape, yv.shape)
    if (shape === undefined) this.shapeError('Where', `cannot broadcast ${formatShape(cond.shape)}, ${formatShape(xv.shape)}, ${formatShape(yv.shape)}`)
    return this.node('Where', [cond, xv, yv], {}, [{ dtype: xv.dtype, shape }])[0]
  }

  /** -x. */
  neg (x: Value): Value { return this.unaryOp('Neg', x, NUMERIC) }
  /** |x|. */
  abs (x: Value): Value { return this.unaryOp('Abs', x, NUMERIC) }
  /** e^x. */
  exp (x: Value): Value { return this.unaryOp('Exp', x) }
  /** Natural log. */
  log (x: Value): Value { return this.unaryOp('Log', x) }
  /** Square root. */
  sqrt (x: Value): Value { return this.unaryOp('Sqrt', x) }
  /** 1 / x. */
  reciprocal (x: Value): Value { return this.unaryOp('Reciprocal', x) }
  /** tanh. */
  tanh (x: Value): Value { return this.unaryOp('Tanh', x) }
  /** Logistic sigmoid. */
  sigmoid (x: Value): Value { return this.unaryOp('Sigmoid', x) }
  /** max(x, 0). */
  relu (x: Value): Value { return this.unaryOp('Relu', x) }
  /** Sign of x (-1, 0, 1). */
  sign (x: Value): Value { return this.unaryOp('Sign', x, NUMERIC) }
  /** Error function (onnxruntime has no float64 kernel: float64 uses a composite form). */
  erf (x: Value): Value {
    if (x.dtype === 'float64') return this.erfComposite(x)
    return this.unaryOp('Erf', x, ['float32'])
  }

  /**
   * erf from primitives (Numerical Recipes' erfc Chebyshev fit, fractional error < 1.2e-7):
   * used for float64 where onnxruntime lacks the kernel; differentiable through its parts.
   */
  erfComposite (x: Value): Value {
    return this.scope('erf', () => {
      const z = this.abs(x)
      const t = this.reciprocal(this.add(this.mul(z, 0.5), 1))
      const coeffs = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277]
      let poly: Value = this.mul(t, coeffs[9])
      for (let i = 8; i >= 1; i--) poly = this.mul(this.add(poly, coeffs[i]), t)
      poly = this.add(poly, coeffs[0])
      const erfc = this.mul(t, this.exp(this.sub(poly, this.mul(z, z))))
      return this.mul(this.sign(x), this.sub(1, erfc))
    })
  }

  /** Identity (a new name for the same data). */
  identity (x: Value): Value { return this.unaryOp('Identity', x, ['float32', 'float64', 'int64', 'bool']) }

  /** Identity through which autodiff passes no gradient. */
  stopGradient (x: Value): Value {
    return this.node('Identity', [x], {}, [{ dtype: x.dtype, shape: x.shape }], { stem: 'StopGradient', stopGradient: true })[0]
  }

  /** Converts to `to`. */
  cast (x: Value, to: DType): Value {
    return this.node('Cast', [x], { to: attr.int(ONNX_DTYPE[to]) }, [{ dtype: to, shape: x.shape }])[0]
  }

  /** Clamps to [min, max] (either bound optional; scalars). */
  clip (x: Value, min?: ValueLike, max?: ValueLike): Value {
    const lo = min === undefined ? undefined : this.lift(min, x.dtype)
    const hi = max === undefined ? undefined : this.lift(max, x.dtype)
    for (const b of [lo, hi]) {
      if (b !== undefined && b.rank !== 0) this.shapeError('Clip', `bounds must be scalars, got ${formatShape(b.shape)}`)
    }
    this.sameDType('Clip', [x, ...[lo, hi].filter((b): b is Value => b !== undefined)], NUMERIC)
    return this.node('Clip', [x, lo, hi], {}, [{ dtype: x.dtype, shape: x.shape }])[0]
  }

  /** @internal normalized, sorted, unique axes. */
  protected axesOf (op: string, x: Value, axes: readonly number[] | undefined): number[] {
    if (axes === undefined) return x.shape.map((_, i) => i)
    const out = axes.map(a => {
      const n = normAxis(a, x.rank)
      if (n === undefined) this.shapeError(op, `axis ${a} out of range for ${formatShape(x.shape)}`)
      return n
    })
    if (new Set(out).size !== out.length) this.shapeError(op, `repeated axes [${axes.join(', ')}]`)
    return out.sort((a, b) => a - b)
  }

  private reduce (op: string, x: Value, axes: readonly number[] | undefined, keepdims: boolean): Value {
    this.sameDType(op, [x], NUMERIC)
    const ax = this.axesOf(op, x, axes)
    const shape: Dim[] = []
    x.shape.forEach((d, i) => {
      if (!ax.includes(i)) shape.push(d)
      else if (keepdims) shape.push(1)
    })
    const keep = attr.int(keepdims ? 1 : 0)
    const out = [{ dtype: x.dtype, shape }]
    // ReduceSum takes axes as an input since opset 13, the others since opset 18.
    if (op === 'ReduceSum' || this.opset >= 18) return this.node(op, [x, this.ints(ax, 'axes')], { keepdims: keep }, out)[0]
    return this.node(op, [x], { keepdims: keep, axes: attr.ints(ax) }, out)[0]
  }

  /** Sum over `axes` (all when omitted). */
  reduceSum (x: Value, axes?: readonly number[], keepdims = false): Value { return this.reduce('ReduceSum', x, axes, keepdims) }
  /** Σx² over `axes` (all when omitted): one read pass, no x² tensor. */
  reduceSumSquare (x: Value, axes?: readonly number[], keepdims = false): Value { return this.reduce('ReduceSumSquare', x, axes, keepdims) }
  /** Mean over `axes` (all when omitted). */
  reduceMean (x: Value, axes?: readonly number[], keepdims = false): Value { return this.reduce('ReduceMean', x, axes, keepdims) }
  /** Max over `axes` (all when omitted). */
  reduceMax (x: Value, axes?: readonly number[], keepdims = false): Value { return this.reduce('ReduceMax', x, axes, keepdims) }

  /** Index of the max along `axis` (int64). */
  argMax (x: Value, axis = -1, keepdims = false): Value {
    const [a] = this.axesOf('ArgMax', x, [axis])
    const shape = x.shape.flatMap((d, i) => i !== a ? [d] : keepdims ? [1] : [])
    return this.node('ArgMax', [x], { axis: attr.int(a), keepdims: attr.int(keepdims ? 1 : 0) }, [{ dtype: 'int64', shape }])[0]
  }

  /** Softmax along `axis` (default last). */
  softmax (x: Value, axis = -1): Value {
    const [a] = this.axesOf('Softmax', x, [axis])
    return this.unaryOp('Softmax', x, FLOATS, { axis: attr.int(a) })
  }

  /** Log-softmax along `axis` (default last). */
  logSoftmax (x: Value, axis = -1): Value {
    const [a] = this.axesOf('LogSoftmax', x, [axis])
    return this.unaryOp('LogSoftmax', x, FLOATS, { axis: attr.int(a) })
  }

  /**
   * GELU, exact (`none`) or `tanh` approximation. Uses the Gelu op (opset ≥ 20, float32);
   * below opset 20 or in float64 it is composed from primitives.
   */
  gelu (x: Value, approximate: 'none' | 'tanh' = 'none'): Value {
    if (!isFloat(x.dtype)) throw new DTypeMismatchError('Gelu', this.path, `needs a float input, got ${x.dtype}`)
    if (this.opset >= 20 && x.dtype === 'float32') return this.unaryOp('Gelu', x, ['float32'], { approximate: attr.string(approximate) })
    return this.scope('gelu', () => {
      if (approximate === 'tanh') {
        const inner = this.mul(this.add(x, this.mul(this.mul(this.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI))
        return this.mul(this.mul(x, 0.5), this.add(this.tanh(inner), 1))
      }
      return this.mul(this.mul(x, 0.5), this.add(this.erf(this.mul(x, Math.SQRT1_2)), 1))
    })
  }
}

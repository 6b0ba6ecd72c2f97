/** Matrix products and shape/indexing ops. */
import { attr, type Value, type ValueLike } from './core.js'
import { ElementwiseOps } from './elementwise.js'
import { DTypeMismatchError } from './errors.js'
import { broadcastShapes, formatShape, normAxis, type Dim, type Shape } from './shape.js'
import { divide, product, sum } from './symbolic.js'
import { INT64_MAX, MAX_NODE_PARTS } from './constants.js'
import { tensor, type DType } from './tensor.js'

/** Static list or runtime int64 tensor. */
export type IntsLike = readonly number[] | Value

function dimsCompatible (a: Dim, b: Dim): boolean {
  return a === b || (typeof a !== typeof b)
}

function toI64 (n: number): bigint {
  if (n === Infinity) return INT64_MAX
  if (n === -Infinity) return -INT64_MAX
  return BigInt(n)
}

/** @internal shape and indexing ops. */
export class ShapeOps extends ElementwiseOps {
  /** @internal a constant's int values, if `v` is a known int64 tensor. */
  protected knownInts (v: Value): number[] | undefined {
    const c = this.own(v).constant
    if (c === undefined || c.dtype !== 'int64') return undefined
    return Array.from(c.data as BigInt64Array, x => x >= INT64_MAX / 2n ? Infinity : x <= -INT64_MAX / 2n ? -Infinity : Number(x))
  }

  private intsInput (v: IntsLike, name: string): Value {
    if (!Array.isArray(v)) return v as Value
    return this.constant(tensor('int64', [(v as number[]).length], (v as number[]).map(toI64)), name)
  }

  /** Matrix product with numpy semantics (batch dims broadcast). */
  matmul (a: Value, b: Value): Value {
    this.sameDType('MatMul', [a, b], ['float32', 'float64'])
    if (a.rank === 0 || b.rank === 0) this.shapeError('MatMul', `operands must have rank >= 1, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`)
    const as = a.rank === 1 ? [1, a.shape[0]] : a.shape
    const bs = b.rank === 1 ? [b.shape[0], 1] : b.shape
    const k1 = as[as.length - 1]
    const k2 = bs[bs.length - 2]
    if (!dimsCompatible(k1, k2)) this.shapeError('MatMul', `inner dims differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`)
    const batch = broadcastShapes(as.slice(0, -2), bs.slice(0, -2))
    if (batch === undefined) this.shapeError('MatMul', `batch dims do not broadcast: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`)
    const shape: Dim[] = [...batch]
    if (a.rank > 1) shape.push(as[as.length - 2])
    if (b.rank > 1) shape.push(bs[bs.length - 1])
    return this.node('MatMul', [a, b], {}, [{ dtype: a.dtype, shape }])[0]
  }

  /** alpha·op(A)·op(B) + beta·C for 2-D A, B; C broadcasts to the result. */
  gemm (a: Value, b: Value, c?: Value, options: { transA?: boolean, transB?: boolean, alpha?: number, beta?: number } = {}): Value {
    this.sameDType('Gemm', c === undefined ? [a, b] : [a, b, c], ['float32', 'float64'])
    if (a.rank !== 2 || b.rank !== 2) this.shapeError('Gemm', `A and B must be 2-D, got ${formatShape(a.shape)}, ${formatShape(b.shape)}`)
    const [m, k1] = options.transA === true ? [a.shape[1], a.shape[0]] : a.shape
    const [k2, n] = options.transB === true ? [b.shape[1], b.shape[0]] : b.shape
    if (!dimsCompatible(k1, k2)) this.shapeError('Gemm', `inner dims differ: ${formatShape(a.shape)}, ${formatShape(b.shape)} (transA ${options.transA === true}, transB ${options.transB === true})`)
    if (c !== undefined) {
      const bc = broadcastShapes([m, n], c.shape)
      if (bc === undefined || bc.length !== 2 || !dimsCompatible(bc[0], m) || !dimsCompatible(bc[1], n)) this.shapeError('Gemm', `C ${formatShape(c.shape)} does not broadcast to [${m}, ${n}]`)
    }
    const attrs = {
      alpha: attr.float(options.alpha ?? 1),
      beta: attr.float(options.beta ?? 1),
      transA: attr.int(options.transA === true ? 1 : 0),
      transB: attr.int(options.transB === true ? 1 : 0)
    }
    return this.node('Gemm', c === undefined ? [a, b] : [a, b, c], attrs, [{ dtype: a.dtype, shape: [m, n] }])[0]
  }

  /**
   * Reshape. A static target (`0` copies the input dim, one `-1` is inferred, symbolic dims
   * included) infers the output shape; a runtime shape tensor needs `declared`.
   */
  reshape (x: Value, shape: IntsLike, declared?: Shape): Value {
    const target = Array.isArray(shape) ? shape as number[] : this.knownInts(shape as Value)
    let out: Dim[] | undefined
    if (target !== undefined) {
      out = target.map((d, i) => d === 0 ? x.shape[i] : d)
      if (out.some(d => d === undefined)) this.shapeError('Reshape', `0 copies an input dim that ${formatShape(x.shape)} lacks: target [${target.join(', ')}]`)
      const holes = out.filter(d => d === -1).length
      if (holes > 1 || out.some(d => typeof d === 'number' && d < -1)) this.shapeError('Reshape', `bad target [${target.join(', ')}]`)
      const known = out.filter(d => d !== -1)
      if (holes === 1) {
        const inferred = divide(product(x.shape), product(known))
        if (inferred === undefined) this.shapeError('Reshape', `cannot reshape ${formatShape(x.shape)} to [${target.join(', ')}]`)
        out = out.map(d => d === -1 ? inferred : d)
      } else {
        const a = product(x.shape)
        const b = product(out)
        const sameSyms = [...a.syms].sort().join('*') === [...b.syms].sort().join('*')
        if (sameSyms && a.coef !== b.coef) this.shapeError('Reshape', `cannot reshape ${formatShape(x.shape)} to [${target.join(', ')}]`)
      }
    }
    if (declared !== undefined) out = [...declared]
    if (out === undefined) this.shapeError('Reshape', `runtime target shape for ${formatShape(x.shape)}: pass the declared output shape`)
    return this.node('Reshape', [x, this.intsInput(shape, 'shape')], {}, [{ dtype: x.dtype, shape: out }])[0]
  }

  /** Permutes axes (default: reverse them). */
  transpose (x: Value, perm?: readonly number[]): Value {
    const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i)
    if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) this.shapeError('Transpose', `perm [${p.join(', ')}] is not a permutation of ${x.rank} axes`)
    return this.node('Transpose', [x], { perm: attr.ints(p) }, [{ dtype: x.dtype, shape: p.map(i => x.shape[i]) }])[0]
  }

  /** Concatenates along `axis`; other dims must agree. `dim` names a symbolic result size. */
  concat (values: readonly Value[], axis: number, dim?: Dim): Value {
    if (values.length === 0) this.shapeError('Concat', 'needs at least one input')
    const first = values[0]
    this.sameDType('Concat', values, ['float32', 'float64', 'int64', 'bool'])
    const a = normAxis(axis, first.rank)
    if (a === undefined) this.shapeError('Concat', `axis ${axis} out of range for ${formatShape(first.shape)}`)
    for (const v of values) {
      if (v.rank !== first.rank || v.shape.some((d, i) => i !== a && !dimsCompatible(d, first.shape[i]))) {
        this.shapeError('Concat', `shapes differ off axis ${a}: ${values.map(x => formatShape(x.shape)).join(', ')}`)
      }
    }
    if (values.length > MAX_NODE_PARTS) {
      const chunks: Value[] = []
      for (let i = 0; i < values.length; i += MAX_NODE_PARTS) {
        const part = values.slice(i, i + MAX_NODE_PARTS)
        chunks.push(part.length === 1 ? part[0] : this.concat(part, a))
      }
      return this.concat(chunks, a, dim)
    }
    const shape = [...first.shape]
    shape[a] = dim ?? sum(values.map(v => v.shape[a]))
    return this.node('Concat', values, { axis: attr.int(a) }, [{ dtype: first.dtype, shape }])[0]
  }

  /** Splits along `axis` into `parts` equal pieces or pieces of the given sizes. */
  split (x: Value, axis: number, parts: number | readonly number[]): Value[] {
    const a = normAxis(axis, x.rank)
    if (a === undefined) this.shapeError('Split', `axis ${axis} out of range for ${formatShape(x.shape)}`)
    const d = x.shape[a]
    let sizes: number[]
    if (typeof parts === 'number') {
      if (typeof d !== 'number' || d % parts !== 0) this.shapeError('Split', `dim ${d} of ${formatShape(x.shape)} does not split into ${parts} equal parts`)
      sizes = new Array<number>(parts).fill(d / parts)
    } else {
      sizes = [...parts]
      if (typeof d === 'number' && sizes.reduce((s, v) => s + v, 0) !== d) this.shapeError('Split', `sizes [${sizes.join(', ')}] do not sum to dim ${d} of ${formatShape(x.shape)}`)
    }
    if (sizes.length > MAX_NODE_PARTS) {
      const groups: number[][] = []
      for (let i = 0; i < sizes.length; i += MAX_NODE_PARTS) groups.push(sizes.slice(i, i + MAX_NODE_PARTS))
      const chunks = this.split(x, a, groups.map(g => sum(g) as number))
      return chunks.flatMap((c, i) => groups[i].length === 1 ? [c] : this.split(c, a, groups[i]))
    }
    const outs = sizes.map(s => ({ dtype: x.dtype, shape: x.shape.map((v, i) => i === a ? s : v) }))
    if (typeof parts === 'number' && this.opset >= 18) return this.node('Split', [x], { axis: attr.int(a), num_outputs: attr.int(parts) }, outs)
    return this.node('Split', [x, this.ints(sizes, 'split')], { axis: attr.int(a) }, outs)
  }

  /**
   * Slice with numpy semantics (`Infinity` for an open end). Static starts/ends infer the
   * output; runtime ones (or unknowable symbolic results) need `declared`.
   */
  slice (x: Value, starts: IntsLike, ends: IntsLike, axes?: readonly number[], steps?: readonly number[], declared?: Shape): Value {
    const ax = (axes ?? x.shape.map((_, i) => i).slice(0, Array.isArray(starts) ? starts.length : x.rank)).map(v => {
      const n = normAxis(v, x.rank)
      if (n === undefined) this.shapeError('Slice', `axis ${v} out of range for ${formatShape(x.shape)}`)
      return n
    })
    const st = steps ?? ax.map(() => 1)
    const s = Array.isArray(starts) ? starts as number[] : this.knownInts(starts as Value)
    const e = Array.isArray(ends) ? ends as number[] : this.knownInts(ends as Value)
    let out: Dim[] | undefined = declared === undefined ? undefined : [...declared]
    if (out === undefined && s !== undefined && e !== undefined) {
      if (s.length !== ax.length || e.length !== ax.length || st.length !== ax.length) this.shapeError('Slice', `starts/ends/axes/steps lengths differ`)
      out = [...x.shape]
      for (let i = 0; i < ax.length; i++) {
        const len = sliceLen(x.shape[ax[i]], s[i], e[i], st[i])
        if (len === undefined) this.shapeError('Slice', `cannot infer the size of axis ${ax[i]} of ${formatShape(x.shape)} for ${s[i]}:${e[i]}:${st[i]}; pass the declared output shape`)
        out[ax[i]] = len
      }
    }
    if (out === undefined) this.shapeError('Slice', `runtime starts/ends on ${formatShape(x.shape)}: pass the declared output shape`)
    const inputs = [x, this.intsInput(starts, 'starts'), this.intsInput(ends, 'ends'), this.ints(ax, 'axes'), this.ints(st, 'steps')]
    return this.node('Slice', inputs, {}, [{ dtype: x.dtype, shape: out }])[0]
  }

  private checkIndices (op: string, indices: Value): void {
    if (indices.dtype !== 'int64') throw new DTypeMismatchError(op, this.path, `indices must be int64, got ${indices.dtype}`)
  }

  /** Takes entries along `axis` at `indices`: out = data[:axis] + indices + data[axis+1:]. */
  gather (data: Value, indices: Value, axis = 0): Value {
    this.checkIndices('Gather', indices)
    const a = normAxis(axis, data.rank)
    if (a === undefined) this.shapeError('Gather', `axis ${axis} out of range for ${formatShape(data.shape)}`)
    const shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)]
    return this.node('Gather', [data, indices], { axis: attr.int(a) }, [{ dtype: data.dtype, shape }])[0]
  }

  /** Picks data[..., indices[...], ...] elementwise along `axis`; the output has indices' shape. */
  gatherElements (data: Value, indices: Value, axis: number): Value {
    this.checkIndices('GatherElements', indices)
    const a = normAxis(axis, data.rank)
    if (a === undefined || indices.rank !== data.rank) this.shapeError('GatherElements', `indices ${formatShape(indices.shape)} and data ${formatShape(data.shape)} need equal rank and a valid axis ${axis}`)
    return this.node('GatherElements', [data, indices], { axis: attr.int(a) }, [{ dtype: data.dtype, shape: indices.shape }])[0]
  }

  /** Gathers slices of `data` addressed by the last dim of `indices`. */
  gatherND (data: Value, indices: Value): Value {
    this.checkIndices('GatherND', indices)
    const k = indices.shape[indices.rank - 1]
    if (typeof k !== 'number' || k > data.rank) this.shapeError('GatherND', `last dim of indices ${formatShape(indices.shape)} must be a static size <= rank of ${formatShape(data.shape)}`)
    const shape = [...indices.shape.slice(0, -1), ...data.shape.slice(k)]
    return this.node('GatherND', [data, indices], {}, [{ dtype: data.dtype, shape }])[0]
  }

  /** Writes (or adds, with `reduction: 'add'`) `updates` into a copy of `data` at `indices`. */
  scatterND (data: Value, indices: Value, updates: Value, reduction: 'none' | 'add' = 'none'): Value {
    this.checkIndices('ScatterND', indices)
    this.sameDType('ScatterND', [data, updates])
    const k = indices.shape[indices.rank - 1]
    if (typeof k !== 'number' || k > data.rank) this.shapeError('ScatterND', `last dim of indices ${formatShape(indices.shape)} must be a static size <= rank of ${formatShape(data.shape)}`)
    const want = [...indices.shape.slice(0, -1), ...data.shape.slice(k)]
    if (want.length !== updates.rank || want.some((d, i) => !dimsCompatible(d, updates.shape[i]))) this.shapeError('ScatterND', `updates ${formatShape(updates.shape)} should be ${formatShape(want)}`)
    return this.node('ScatterND', [data, indices, updates], { reduction: attr.string(reduction) }, [{ dtype: data.dtype, shape: data.shape }])[0]
  }

  /** Elementwise scatter along `axis` (indices and updates share a shape). */
  scatterElements (data: Value, indices: Value, updates: Value, axis: number, reduction: 'none' | 'add' = 'none'): Value {
    this.checkIndices('ScatterElements', indices)
    this.sameDType('ScatterElements', [data, updates])
    const a = normAxis(axis, data.rank)
    if (a === undefined || indices.rank !== data.rank || indices.shape.some((d, i) => !dimsCompatible(d, updates.shape[i]))) {
      this.shapeError('ScatterElements', `data ${formatShape(data.shape)}, indices ${formatShape(indices.shape)}, updates ${formatShape(updates.shape)}, axis ${axis}`)
    }
    return this.node('ScatterElements', [data, indices, updates], { axis: attr.int(a), reduction: attr.string(reduction) }, [{ dtype: data.dtype, shape: data.shape }])[0]
  }

  /** Broadcasts `x` to `shape` (static, or a runtime int64 tensor with `declared`). */
  expand (x: Value, shape: IntsLike, declared?: Shape): Value {
    const target = Array.isArray(shape) ? shape as number[] : this.knownInts(shape as Value)
    let out: Shape | undefined = declared
    if (out === undefined && target !== undefined) {
      out = broadcastShapes(x.shape, target)
      if (out === undefined) this.shapeError('Expand', `cannot expand ${formatShape(x.shape)} to [${target.join(', ')}]`)
    }
    if (out === undefined) this.shapeError('Expand', `runtime target shape for ${formatShape(x.shape)}: pass the declared output shape`)
    return this.node('Expand', [x, this.intsInput(shape, 'shape')], {}, [{ dtype: x.dtype, shape: out }])[0]
  }

  /** Inserts size-1 axes at `axes` (positions in the output). */
  unsqueeze (x: Value, axes: readonly number[]): Value {
    const rank = x.rank + axes.length
    const ax = axes.map(a => normAxis(a, rank))
    if (ax.some(a => a === undefined) || new Set(ax).size !== ax.length) this.shapeError('Unsqueeze', `bad axes [${axes.join(', ')}] for ${formatShape(x.shape)}`)
    const shape: Dim[] = []
    let j = 0
    for (let i = 0; i < rank; i++) shape.push(ax.includes(i) ? 1 : x.shape[j++])
    return this.node('Unsqueeze', [x, this.ints(ax as number[], 'axes')], {}, [{ dtype: x.dtype, shape }])[0]
  }

  /** Removes size-1 axes at `axes`. */
  squeeze (x: Value, axes: readonly number[]): Value {
    const ax = this.axesOf('Squeeze', x, axes)
    for (const a of ax) if (x.shape[a] !== 1 && typeof x.shape[a] === 'number') this.shapeError('Squeeze', `axis ${a} of ${formatShape(x.shape)} is not 1`)
    return this.node('Squeeze', [x, this.ints(ax, 'axes')], {}, [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !ax.includes(i)) }])[0]
  }

  /** Upper (or lower) triangle of the last two axes, offset by diagonal `k`. */
  trilu (x: Value, upper = true, k: ValueLike = 0): Value {
    if (x.rank < 2) this.shapeError('Trilu', `needs rank >= 2, got ${formatShape(x.shape)}`)
    const kv = typeof k === 'number' ? this.scalar(BigInt(k), 'int64') : k
    return this.node('Trilu', [x, kv], { upper: attr.int(upper ? 1 : 0) }, [{ dtype: x.dtype, shape: x.shape }])[0]
  }

  /** The runtime shape of `x` (int64, optionally dims start..end). */
  shapeOf (x: Value, start?: number, end?: number): Value {
    const s = normAxis(start ?? 0, x.rank + 1) ?? 0
    const e = end === undefined ? x.rank : (normAxis(end, x.rank + 1) ?? x.rank)
    const attrs: Record<string, ReturnType<typeof attr.int>> = {}
    if (start !== undefined) attrs.start = attr.int(start)
    if (end !== undefined) attrs.end = attr.int(end)
    return this.node('Shape', [x], attrs, [{ dtype: 'int64', shape: [Math.max(0, e - s)] }])[0]
  }

  /** [start, limit) by delta; scalar inputs of one dtype. `length` declares a runtime size. */
  range (start: ValueLike, limit: ValueLike, delta: ValueLike, dtype: DType = 'int64', length?: Dim): Value {
    const [a, b, c] = [start, limit, delta].map(v => this.lift(v, dtype))
    this.sameDType('Range', [a, b, c], ['float32', 'float64', 'int64'])
    let len = length
    if (len === undefined && typeof start === 'number' && typeof limit === 'number' && typeof delta === 'number') len = Math.max(0, Math.ceil((limit - start) / delta))
    if (len === undefined) this.shapeError('Range', 'runtime bounds: pass the declared length')
    return this.node('Range', [a, b, c], {}, [{ dtype: a.dtype, shape: [len] }])[0]
  }

  /** A tensor of `shape` (int64 1-D) filled with `value`. */
  constantOfShape (shape: Value, value: number | boolean, dtype: DType = 'float32', declared?: Shape): Value {
    const known = this.knownInts(shape)
    const out = declared ?? known
    if (out === undefined) this.shapeError('ConstantOfShape', 'runtime shape: pass the declared output shape')
    const fill = tensor(dtype, [1], [dtype === 'int64' ? BigInt(Number(value)) : value])
    return this.node('ConstantOfShape', [shape], { value: attr.tensor(fill) }, [{ dtype, shape: out }])[0]
  }

  /** Zeros shaped like `x` (runtime shape, so symbolic dims work). */
  zerosLike (x: Value): Value {
    return this.constantOfShape(this.shapeOf(x), 0, x.dtype, x.shape)
  }

  /** Cumulative sum along `axis`. */
  cumsum (x: Value, axis: number, options: { exclusive?: boolean, reverse?: boolean } = {}): Value {
    const a = normAxis(axis, x.rank)
    if (a === undefined) this.shapeError('CumSum', `axis ${axis} out of range for ${formatShape(x.shape)}`)
    const attrs = { exclusive: attr.int(options.exclusive === true ? 1 : 0), reverse: attr.int(options.reverse === true ? 1 : 0) }
    return this.node('CumSum', [x, this.scalar(BigInt(a), 'int64')], attrs, [{ dtype: x.dtype, shape: x.shape }])[0]
  }

  /** The `k` largest (or smallest) entries along `axis`: [values, int64 indices]. */
  topK (x: Value, k: number, axis = -1, largest = true): [Value, Value] {
    const a = normAxis(axis, x.rank)
    if (a === undefined) this.shapeError('TopK', `axis ${axis} out of range for ${formatShape(x.shape)}`)
    const shape = x.shape.map((d, i) => i === a ? k : d)
    const [v, i] = this.node('TopK', [x, this.ints([k], 'k')], { axis: attr.int(a), largest: attr.int(largest ? 1 : 0), sorted: attr.int(1) }, [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }])
    return [v, i]
  }

  /** Pads `axes` (all by default) with `value`; `pads` is [begin..., end...]. */
  pad (x: Value, pads: IntsLike, axes?: readonly number[], value = 0, declared?: Shape): Value {
    const ax = axes ?? x.shape.map((_, i) => i)
    const p = Array.isArray(pads) ? pads as number[] : this.knownInts(pads as Value)
    let out: Shape | undefined = declared
    if (out === undefined && p !== undefined) {
      if (p.length !== 2 * ax.length) this.shapeError('Pad', `pads [${p.join(', ')}] should have ${2 * ax.length} entries`)
      out = x.shape.map((d, i) => {
        const j = ax.indexOf(i) >= 0 ? ax.indexOf(i) : ax.indexOf(i - x.rank)
        if (j < 0) return d
        const extra = p[j] + p[j + ax.length]
        return typeof d === 'number' ? d + extra : extra === 0 ? d : sum([d, extra])
      })
    }
    if (out === undefined) this.shapeError('Pad', 'runtime pads: pass the declared output shape')
    const inputs = [x, this.intsInput(pads, 'pads'), this.scalar(value, x.dtype), ...(axes === undefined ? [] : [this.ints(ax, 'axes')])]
    return this.node('Pad', inputs, { mode: attr.string('constant') }, [{ dtype: x.dtype, shape: out }])[0]
  }
}

function sliceLen (d: Dim, s: number, e: number, step: number): Dim | undefined {
  if (step === 0) return undefined
  if (typeof d === 'number') {
    if (step > 0) {
      const lo = Math.min(Math.max(s < 0 ? s + d : s, 0), d)
      const hi = Math.min(Math.max(e < 0 ? e + d : e, 0), d)
      return Math.max(0, Math.ceil((hi - lo) / step))
    }
    const lo = Math.min(Math.max(s < 0 ? s + d : s, 0), d - 1)
    const hi = Math.min(Math.max(e < 0 ? e + d : e, -1), d - 1)
    return Math.max(0, Math.ceil((lo - hi) / -step))
  }
  if (step !== 1) return undefined
  const open = e >= Number.MAX_SAFE_INTEGER
  if (s === 0 && open) return d
  if (s < 0 && open) return -s
  if (s >= 0 && e >= 0 && !open) return Math.max(0, e - s)
  if (s < 0 && e < 0) return Math.max(0, e - s)
  return undefined
}

/** The public builder: network-level ops on top of the primitive ones. */
import { attr, type GraphBuilderInit, type Value } from './core.js'
import { DTypeMismatchError } from './errors.js'
import { formatShape, normAxis, type Dim } from './shape.js'
import { ShapeOps } from './shape-ops.js'

/** Typed ONNX graph builder; make one with `graphBuilder()`. */
export class GraphBuilder extends ShapeOps {
  /**
   * Layer normalization over axes `axis..rank-1` with learned `scale` and optional `bias`.
   * float32 uses the LayerNormalization op; float64 (no onnxruntime kernel) is composed from
   * primitives with the same semantics.
   */
  layerNorm (x: Value, scale: Value, bias?: Value, options: { axis?: number, epsilon?: number } = {}): Value {
    const a = normAxis(options.axis ?? -1, x.rank)
    if (a === undefined) this.shapeError('LayerNormalization', `axis ${options.axis} out of range for ${formatShape(x.shape)}`)
    const norm = x.shape.slice(a)
    for (const p of bias === undefined ? [scale] : [scale, bias]) {
      if (p.rank > norm.length || p.shape.some((d, i) => d !== norm[norm.length - p.rank + i] && d !== 1)) {
        this.shapeError('LayerNormalization', `scale/bias ${formatShape(p.shape)} do not match normalized dims ${formatShape(norm)} of ${formatShape(x.shape)}`)
      }
    }
    this.sameDType('LayerNormalization', bias === undefined ? [x, scale] : [x, scale, bias], ['float32', 'float64'])
    const eps = options.epsilon ?? 1e-5
    if (x.dtype === 'float64') return this.layerNormComposite(x, scale, bias, a, eps)
    const stats: Dim[] = x.shape.map((d, i) => i < a ? d : 1)
    const [y] = this.node('LayerNormalization', [x, scale, bias], { axis: attr.int(a), epsilon: attr.float(eps) },
      [{ dtype: x.dtype, shape: x.shape }, { dtype: 'float32', shape: stats }, { dtype: 'float32', shape: stats }])
    return y
  }

  /** Layer normalization from primitives (any float dtype). */
  layerNormComposite (x: Value, scale: Value, bias: Value | undefined, axis: number, epsilon: number): Value {
    return this.scope('ln', () => {
      const axes = x.shape.map((_, i) => i).filter(i => i >= axis)
      const xc = this.sub(x, this.reduceMean(x, axes, true))
      const variance = this.reduceMean(this.mul(xc, xc), axes, true)
      const y = this.mul(this.mul(xc, this.reciprocal(this.sqrt(this.add(variance, epsilon)))), scale)
      return bias === undefined ? y : this.add(y, bias)
    })
  }

  /** x·W (+ b) for W of shape [in, out]. */
  linear (x: Value, weight: Value, bias?: Value): Value {
    const y = this.matmul(x, weight)
    return bias === undefined ? y : this.add(y, bias)
  }

  /**
   * Per-position negative log-likelihood of int64 `targets` under `logits` (classes on the last
   * axis): −log softmax(logits)[target], shaped like `targets`.
   */
  crossEntropy (logits: Value, targets: Value): Value {
    if (targets.dtype !== 'int64') throw new DTypeMismatchError('CrossEntropy', this.path, `targets must be int64, got ${targets.dtype}`)
    if (targets.rank !== logits.rank - 1 || targets.shape.some((d, i) => d !== logits.shape[i] && typeof d === typeof logits.shape[i])) {
      this.shapeError('CrossEntropy', `targets ${formatShape(targets.shape)} should be logits ${formatShape(logits.shape)} without the last axis`)
    }
    return this.scope('xent', () => {
      const logp = this.logSoftmax(logits, -1)
      const picked = this.gatherElements(logp, this.unsqueeze(targets, [-1]), -1)
      return this.neg(this.squeeze(picked, [-1]))
    })
  }
}

/** Creates a graph builder (opset 21 and IR 10 unless `init` says otherwise). */
export function graphBuilder (init: GraphBuilderInit = {}): GraphBuilder {
  return new GraphBuilder(init)
}

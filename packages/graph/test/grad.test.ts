import { describe, it, expect } from 'vitest'
import { checkGradient, type GradCase } from './gradcheck.js'
import { tensor } from '../src/tensor.js'
import { erf, gelu } from './helpers.js'

// float64 rules (onnxruntime float64 kernels, FD from the same graph): error < 1e-7 relative to max(1, |fd|).
const TOL64 = 1e-7
// float32-only kernels (Erf, Gelu, LayerNormalization): float32 gradients vs a JS float64 FD: < 2e-4.
const TOL32 = 2e-4

const i64 = (dims: number[], data: number[]): ReturnType<typeof tensor> => tensor('int64', dims, data)

const cases: Record<string, GradCase> = {
  'Add (broadcast)': { inputs: [{ dims: [2, 3] }, { dims: [3] }], build: (b, [x, y]) => b.add(x, y) },
  'Sub (broadcast both)': { inputs: [{ dims: [2, 1] }, { dims: [1, 3] }], build: (b, [x, y]) => b.sub(x, y) },
  'Mul (broadcast)': { inputs: [{ dims: [2, 3] }, { dims: [2, 1] }], build: (b, [x, y]) => b.mul(x, y) },
  Div: { inputs: [{ dims: [2, 3] }, { dims: [3], positive: true }], build: (b, [x, y]) => b.div(x, y) },
  Pow: { inputs: [{ dims: [2, 3], positive: true }, { dims: [3] }], build: (b, [x, y]) => b.pow(x, y) },
  'Neg, Exp, Tanh, Sigmoid': { inputs: [{ dims: [2, 3] }], build: (b, [x]) => b.add(b.add(b.neg(b.exp(x)), b.tanh(x)), b.sigmoid(b.mul(x, 3))) },
  'Log, Sqrt, Reciprocal': { inputs: [{ dims: [5], positive: true }], build: (b, [x]) => b.add(b.add(b.log(x), b.sqrt(x)), b.reciprocal(x)) },
  'Relu, Abs (away from 0)': { inputs: [{ dims: [6], values: [-0.9, -0.3, 0.2, 0.7, -0.1, 1.3] }], build: (b, [x]) => b.add(b.relu(x), b.mul(b.abs(x), 0.5)) },
  'Softmax (axis 1)': { inputs: [{ dims: [2, 4] }], build: (b, [x]) => b.softmax(x, 1) },
  'Softmax (axis 0)': { inputs: [{ dims: [3, 2] }], build: (b, [x]) => b.softmax(x, 0) },
  LogSoftmax: { inputs: [{ dims: [2, 4] }], build: (b, [x]) => b.logSoftmax(x) },
  ReduceSum: { inputs: [{ dims: [2, 3, 2] }], build: (b, [x]) => b.add(b.reduceSum(x, [1], true), b.reduceSum(x, [0, 2], true)) },
  ReduceSumSquare: { inputs: [{ dims: [2, 3, 2] }], build: (b, [x]) => b.add(b.reduceSumSquare(x, [1], true), b.reduceSumSquare(x)) },
  ReduceMean: { inputs: [{ dims: [2, 3, 2] }], build: (b, [x]) => b.add(b.reduceMean(x, [2]), b.reduceMean(x)) },
  ReduceMax: { inputs: [{ dims: [2, 4] }], build: (b, [x]) => b.reduceMax(x, [1]) },
  'MatMul (batched, broadcast)': { inputs: [{ dims: [2, 2, 3] }, { dims: [3, 4] }], build: (b, [x, w]) => b.matmul(x, w) },
  'MatMul (batched weight)': { inputs: [{ dims: [2, 2, 3] }, { dims: [2, 3, 4] }], build: (b, [x, w]) => b.matmul(x, w) },
  'Gemm (plain)': { inputs: [{ dims: [2, 3] }, { dims: [3, 4] }], build: (b, [x, w]) => b.gemm(x, w) },
  'Gemm (transA)': { inputs: [{ dims: [3, 2] }, { dims: [3, 4] }], build: (b, [x, w]) => b.gemm(x, w, undefined, { transA: true, alpha: 0.5 }) },
  'Gemm (transB)': { inputs: [{ dims: [2, 3] }, { dims: [4, 3] }], build: (b, [x, w]) => b.gemm(x, w, undefined, { transB: true }) },
  'Gemm (transA, transB, C)': { inputs: [{ dims: [3, 2] }, { dims: [4, 3] }, { dims: [4] }], build: (b, [x, w, c]) => b.gemm(x, w, c, { transA: true, transB: true, alpha: 0.7, beta: 1.3 }) },
  'Reshape, Transpose': { inputs: [{ dims: [2, 6] }], build: (b, [x]) => b.transpose(b.reshape(x, [3, 2, 2]), [2, 0, 1]) },
  'Unsqueeze, Squeeze, Expand': { inputs: [{ dims: [3] }], build: (b, [x]) => b.expand(b.squeeze(b.unsqueeze(x, [0, 2]), [2]), [2, 3]) },
  Concat: { inputs: [{ dims: [2, 1] }, { dims: [2, 3] }], build: (b, [x, y]) => b.concat([x, y, x], 1) },
  'Concat of 17 (a tree of ≤ 7-input nodes)': { inputs: [{ dims: [2, 1] }, { dims: [2, 3] }], build: (b, [x, y]) => b.mul(b.concat(Array.from({ length: 17 }, (_, i) => i % 2 === 0 ? x : b.mul(y, i)), 1), b.concat(Array.from({ length: 17 }, (_, i) => i % 2 === 0 ? b.exp(x) : y), 1)) },
  'Split into 16 (a tree of ≤ 7-output nodes)': { inputs: [{ dims: [2, 20] }], build: (b, [x]) => { const ps = b.split(x, 1, [1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1]); return b.add(b.mul(ps[0], ps[15]), b.mul(ps[7], ps[13])) } },
  'Split (one part unused)': { inputs: [{ dims: [2, 5] }], build: (b, [x]) => { const [p, , q] = b.split(x, 1, [1, 2, 2]); return b.mul(p, q) } },
  'Slice (static)': { inputs: [{ dims: [3, 4] }], build: (b, [x]) => b.slice(x, [1, -3], [Infinity, 3], [0, 1]) },
  'Slice (symbolic dims)': { inputs: [{ dims: [2, 4, 3], declared: ['batch_size', 'sequence_length', 3] }], build: (b, [x]) => b.slice(x, [-1], [Infinity], [1]) },
  'Gather (axis 0, repeated indices)': { inputs: [{ dims: [4, 3] }], build: (b, [x]) => b.gather(x, b.constant(i64([2, 2], [1, 3, 1, 0]))) },
  'Gather (axis 0, table above the one-hot limit)': { inputs: [{ dims: [520, 1] }], build: (b, [x]) => b.gather(x, b.constant(i64([3], [519, 7, 519]))) },
  'Gather (axis 1)': { inputs: [{ dims: [2, 4, 3] }], build: (b, [x]) => b.gather(x, b.constant(i64([3], [2, 0, 2])), 1) },
  GatherElements: { inputs: [{ dims: [2, 4] }], build: (b, [x]) => b.gatherElements(x, b.constant(i64([2, 2], [3, 3, 0, 1])), 1) },
  GatherND: { inputs: [{ dims: [3, 2] }], build: (b, [x]) => b.gatherND(x, b.constant(i64([2, 1], [2, 0]))) },
  'ScatterND (replace)': { inputs: [{ dims: [3, 2] }, { dims: [1, 2] }], build: (b, [x, u]) => b.scatterND(x, b.constant(i64([1, 1], [1])), u) },
  'ScatterND (add)': { inputs: [{ dims: [3, 2] }, { dims: [2, 2] }], build: (b, [x, u]) => b.scatterND(x, b.constant(i64([2, 1], [1, 1])), u, 'add') },
  'ScatterElements (add)': { inputs: [{ dims: [2, 3] }, { dims: [2, 2] }], build: (b, [x, u]) => b.scatterElements(x, b.constant(i64([2, 2], [0, 0, 2, 1])), u, 1, 'add') },
  Where: { inputs: [{ dims: [2, 3] }, { dims: [3] }], build: (b, [x, y]) => b.where(b.greater(x, 0), x, y) },
  'Cast, Identity': { inputs: [{ dims: [3] }], build: (b, [x]) => b.identity(b.cast(x, 'float64')) },
  'Trilu, CumSum': { inputs: [{ dims: [3, 3] }], build: (b, [x]) => b.add(b.trilu(x, false, 0), b.cumsum(x, 1, { exclusive: true, reverse: true })) },
  'Clip, Min, Max': { inputs: [{ dims: [6], values: [-0.9, -0.3, 0.2, 0.7, -0.1, 1.3] }, { dims: [6] }], build: (b, [x, y]) => b.add(b.clip(x, -0.5, 0.5), b.mul(b.max(x, y), b.min(x, y))) },
  TopK: { inputs: [{ dims: [2, 4] }], build: (b, [x]) => b.topK(x, 2, 1)[0] },
  'ReduceMean (symbolic dims)': { inputs: [{ dims: [2, 3], declared: ['batch_size', 3] }], build: (b, [x]) => b.mul(b.reduceMean(x, [0], true), x) },
  'LayerNorm composite (float64)': { inputs: [{ dims: [2, 4] }, { dims: [4] }, { dims: [4] }], build: (b, [x, s, t]) => b.layerNorm(x, s, t) },
  'Erf, GELU composites (float64)': { inputs: [{ dims: [5] }], build: (b, [x]) => b.add(b.gelu(x), b.gelu(x, 'tanh')) },
  'LayerNormalization op (float32)': {
    dtype: 'float32',
    inputs: [{ dims: [2, 4] }, { dims: [4] }, { dims: [4] }],
    build: (b, [x, s, t]) => b.layerNorm(x, s, t),
    reference: ([x, s, t]) => {
      const y: number[] = []
      for (let r = 0; r < 2; r++) {
        const row = x.slice(r * 4, r * 4 + 4)
        const m = row.reduce((a, v) => a + v, 0) / 4
        const v = row.reduce((a, q) => a + (q - m) ** 2, 0) / 4
        row.forEach((q, i) => y.push((q - m) / Math.sqrt(v + 1e-5) * s[i] + t[i]))
      }
      return y
    }
  },
  'Erf op (float32)': { dtype: 'float32', inputs: [{ dims: [5] }], build: (b, [x]) => b.erf(x), reference: ([x]) => Array.from(x, erf) },
  'Gelu op (float32, exact and tanh)': {
    dtype: 'float32',
    inputs: [{ dims: [5] }],
    build: (b, [x]) => b.add(b.gelu(x), b.gelu(x, 'tanh')),
    reference: ([x]) => Array.from(x, v => gelu(v) + 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))))
  }
}

describe('gradient rules vs central finite differences', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}`, async () => {
      const { maxErr, count } = await checkGradient(c)
      expect(count).toBeGreaterThan(0)
      expect(maxErr).toBeLessThan(c.dtype === 'float32' ? TOL32 : TOL64)
    })
  }
})

import { describe, it, expect } from 'vitest'
import { graphBuilder } from '../src/builder.js'
import { tensor } from '../src/tensor.js'
import { createSession } from '../src/session.js'
import { erf, gelu } from './helpers.js'

// Each op runs in onnxruntime and is compared with a direct JS computation on small inputs.
describe('ops in onnxruntime', () => {
  it('compute what their JS definitions say', async () => {
    const b = graphBuilder({ opset: 21 })
    const x = b.input('x', 'float32', [2, 3])
    const idx = b.input('idx', 'int64', [2])
    const xs = [0.5, -1, 2, 3, 0, -0.25]
    const out: Record<string, number[]> = {}
    const expectOut = (name: string, v: ReturnType<typeof b.add>, ref: number[]): void => { b.output(name, v); out[name] = ref }
    const row = (i: number): number[] => xs.slice(i * 3, i * 3 + 3)
    const softmax = (r: number[]): number[] => { const m = Math.max(...r); const e = r.map(v => Math.exp(v - m)); const s = e.reduce((a, v) => a + v); return e.map(v => v / s) }
    expectOut('softmax', b.softmax(x), [...softmax(row(0)), ...softmax(row(1))])
    expectOut('logsoftmax', b.logSoftmax(x), [...softmax(row(0)), ...softmax(row(1))].map(Math.log))
    expectOut('sum0', b.reduceSum(x, [0]), [3.5, -1, 1.75])
    expectOut('mean1', b.reduceMean(x, [1], true), [0.5, 2.75 / 3])
    expectOut('max', b.reduceMax(x), [3])
    expectOut('transpose', b.transpose(x), [0.5, 3, -1, 0, 2, -0.25])
    expectOut('gather', b.gather(x, idx, 1), [2, 0.5, -0.25, 3])
    expectOut('gatherEl', b.gatherElements(x, b.constant(tensor('int64', [2, 1], [2, 0])), 1), [2, 3])
    expectOut('scatterND', b.scatterND(x, b.constant(tensor('int64', [2, 1], [1, 1])), b.constant(tensor('float32', [2, 3], [1, 1, 1, 2, 2, 2])), 'add'), [0.5, -1, 2, 6, 3, 2.75])
    expectOut('scatterEl', b.scatterElements(x, b.constant(tensor('int64', [2, 1], [0, 0])), b.constant(tensor('float32', [2, 1], [10, 20])), 1, 'add'), [10.5, -1, 2, 23, 0, -0.25])
    expectOut('where', b.where(b.greater(x, 0), x, b.neg(x)), xs.map(Math.abs))
    expectOut('trilu', b.trilu(x, false), [0.5, 0, 0, 3, 0, 0])
    expectOut('cumsum', b.cumsum(x, 1), [0.5, -0.5, 1.5, 3, 3, 2.75])
    expectOut('topk', b.topK(x, 1)[0], [2, 3])
    expectOut('expand', b.expand(b.reduceSum(x, [1], true), [2, 2]), [1.5, 1.5, 2.75, 2.75])
    expectOut('concat', b.concat([x, x], 0), [...xs, ...xs])
    expectOut('split', b.split(x, 1, [1, 2])[1], [-1, 2, 0, -0.25])
    expectOut('slice', b.slice(x, [1, -2], [2, Infinity], [0, 1]), [0, -0.25])
    expectOut('pad', b.pad(x, [1, 0], [1]), [0, 0.5, -1, 2, 0, 3, 0, -0.25])
    expectOut('clip', b.clip(x, 0, 1), xs.map(v => Math.min(1, Math.max(0, v))))
    expectOut('pow', b.pow(b.abs(x), 2), xs.map(v => v * v))
    expectOut('minmax', b.max(b.min(x, 1), -0.5), xs.map(v => Math.max(Math.min(v, 1), -0.5)))
    expectOut('erf', b.erf(x), xs.map(erf))
    expectOut('gelu', b.gelu(x), xs.map(gelu))
    expectOut('gelu64', b.cast(b.gelu(b.cast(x, 'float64')), 'float32'), xs.map(gelu))
    expectOut('sigmoid', b.sigmoid(x), xs.map(v => 1 / (1 + Math.exp(-v))))
    expectOut('tanh', b.tanh(x), xs.map(Math.tanh))
    expectOut('sqrt', b.sqrt(b.abs(x)), xs.map(v => Math.sqrt(Math.abs(v))))
    expectOut('range', b.cast(b.range(0, 4, 1), 'float32'), [0, 1, 2, 3])
    expectOut('const', b.constantOfShape(b.ints([2]), 7), [7, 7])
    expectOut('zeros', b.zerosLike(x), [0, 0, 0, 0, 0, 0])
    expectOut('unsq', b.squeeze(b.unsqueeze(x, [0, 3]), [0]), xs)
    expectOut('gemm', b.gemm(x, x, undefined, { transB: true, alpha: 2 }), [2 * 5.25, 2 * 1, 2 * 1, 2 * 9.0625])
    const mean = [0.5, 2.75 / 3]
    const lnRef = [0, 1].flatMap(i => { const r = row(i); const v = r.reduce((a, q) => a + (q - mean[i]) ** 2, 0) / 3; return r.map(q => (q - mean[i]) / Math.sqrt(v + 1e-5)) })
    expectOut('ln', b.layerNorm(x, b.constant(tensor('float32', [3], [1, 1, 1]))), lnRef)
    expectOut('ln64', b.cast(b.layerNorm(b.cast(x, 'float64'), b.constant(tensor('float64', [3], [1, 1, 1]))), 'float32'), lnRef)
    const s = await createSession(b.toModelProto())
    const res = await s.run({ x: tensor('float32', [2, 3], xs), idx: tensor('int64', [2], [2n, 0n]) })
    for (const [name, ref] of Object.entries(out)) {
      const got = Array.from(res[name].data as Float32Array)
      expect(got.length, name).toBe(ref.length)
      got.forEach((v, i) => expect(Math.abs(v - ref[i]), `${name}[${i}]`).toBeLessThan(2e-6 + 1e-6 * Math.abs(ref[i])))
    }
    await s.close()
  })
})

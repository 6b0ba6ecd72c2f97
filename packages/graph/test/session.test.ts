import { describe, it, expect } from 'vitest'
import { graphBuilder } from '../src/builder.js'
import { tensor } from '../src/tensor.js'
import { createSession } from '../src/session.js'
import { createSessionWorker } from '../src/worker.js'
import { OnnxRuntimeError, SessionClosedError } from '../src/errors.js'
import { rng, randn } from './helpers.js'

function heavyModel (n: number): Uint8Array {
  const b = graphBuilder()
  const x = b.input('x', 'float32', [n, n])
  let y = x
  for (let i = 0; i < 24; i++) y = b.tanh(b.matmul(y, x))
  b.output('y', y)
  return b.toModelProto()
}

describe('sessions', () => {
  it('a worker session returns what an in-process session returns', async () => {
    const model = heavyModel(16)
    const x = tensor('float32', [16, 16], randn(rng(3), 256, 0.3))
    const local = await createSession(model)
    const worker = await createSessionWorker(model, { intraOpThreads: 1 })
    expect(worker.inputNames).toEqual(['x'])
    const a = await local.run({ x })
    const b = await worker.run({ x })
    expect(Array.from(b.y.data as Float32Array)).toEqual(Array.from(a.y.data as Float32Array))
    await local.close()
    await worker.close()
    await worker.close()
    await expect(worker.run({ x })).rejects.toBeInstanceOf(SessionClosedError)
  })

  it('keeps the event loop responsive while a worker computes', async () => {
    // ≈ 6 GFLOP: long enough (tens of ms) that a free loop's ticks outnumber what a blocked one could show; at 256 the run took ≈ 10 ms and the bound fell to 1 tick, within timer jitter.
    const model = heavyModel(512)
    const worker = await createSessionWorker(model, { intraOpThreads: 1 })
    const x = tensor('float32', [512, 512], randn(rng(4), 512 * 512, 0.05))
    let ticks = 0
    const timer = setInterval(() => { ticks++ }, 2)
    const started = performance.now()
    await worker.run({ x }, { transfer: true })
    const elapsed = performance.now() - started
    clearInterval(timer)
    expect(x.data.byteLength).toBe(0) // transferred, not copied
    // A blocked loop would tick at most once; a free one ticks about every few ms.
    expect(ticks).toBeGreaterThanOrEqual(Math.min(5, Math.floor(elapsed / 10)))
    await worker.close()
  })

  it('translates onnxruntime failures into OnnxRuntimeError', async () => {
    await expect(createSession(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'ERR_ONNXRUNTIME' })
    await expect(createSessionWorker(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(OnnxRuntimeError)
    const worker = await createSessionWorker(heavyModel(4))
    await expect(worker.run({ x: tensor('float32', [3, 3]) })).rejects.toMatchObject({ name: 'OnnxRuntimeError', code: 'ERR_ONNXRUNTIME' })
    const ok = await worker.run({ x: tensor('float32', [4, 4]) })
    expect(ok.y.dims).toEqual([4, 4])
    const ac = new AbortController()
    const pending = worker.run({ x: tensor('float32', [4, 4]) }, { signal: ac.signal })
    ac.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await worker.close()
  })
})

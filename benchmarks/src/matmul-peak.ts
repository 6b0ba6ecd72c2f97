/** The measured onnxruntime MatMul peak (FLOP/s): the physical limit generation benchmarks report against. */
import { createSession, graphBuilder, tensor, type ResolvedDevice } from '@murmur/graph'
import { median } from './report.js'

/** FLOP/s of a 512 × 512 float32 MatMul session (median of 15 runs after 3 warm-ups) on `device` (default CPU). */
export async function matmulPeak (threads: number, device?: ResolvedDevice): Promise<number> {
  const n = 512
  const b = graphBuilder()
  const x = b.input('x', 'float32', [n, n])
  const w = b.param('w', tensor('float32', [n, n], Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 101) / 101 - 0.5)))
  b.output('y', b.matmul(x, w))
  const s = await createSession(b.toModelProto(), { intraOpThreads: threads, ...(device !== undefined ? { device } : {}) })
  const feeds = { x: tensor('float32', [n, n], Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 97) / 97 - 0.5)) }
  for (let i = 0; i < 3; i++) await s.run(feeds)
  const times: number[] = []
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now()
    await s.run(feeds)
    times.push(performance.now() - t0)
  }
  await s.close()
  return 2 * n ** 3 / (median(times) / 1000)
}

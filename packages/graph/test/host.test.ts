import { describe, expect, it } from 'vitest'
import { graphBuilder } from '../src/builder.js'
import { ortDeviceProbe } from '../src/device.js'
import { OnnxRuntimeError, SessionClosedError } from '../src/errors.js'
import { tensor } from '../src/tensor.js'
import { createSessionHost, type SessionHostOptions } from '../src/worker.js'

/** w.next = w + x, s = Σ w·x, over any length: a step with one carried tensor. */
function stepModel (): Uint8Array {
  const b = graphBuilder({ name: 'carry' })
  const w = b.input('w', 'float32', ['n'])
  const x = b.input('x', 'float32', ['n'])
  b.output('w.next', b.add(w, x))
  b.output('s', b.reduceSum(b.mul(w, x)))
  return b.toModelProto()
}

/** y = 2·w: a second session reading the same carried tensor. */
function readModel (): Uint8Array {
  const b = graphBuilder({ name: 'read' })
  b.output('y', b.mul(b.input('w', 'float32', ['n']), 2))
  return b.toModelProto()
}

const webgpu = await ortDeviceProbe().webgpu({ software: true })
const hosts: Array<[string, SessionHostOptions]> = [['in-process', { worker: false }], ['worker', { worker: true }]]
if (webgpu) hosts.push(['worker on WebGPU', { worker: true, device: 'webgpu' }])
else console.warn('host.test.ts: no WebGPU adapter here; the WebGPU host case is skipped')

describe.each(hosts)('session host (%s)', (_, options) => {
  it('carries state between runs of several sessions, and a failed run changes nothing', async () => {
    const host = await createSessionHost(options)
    try {
      const step = await host.load(stepModel(), ['w'])
      const read = await host.load(readModel())
      await host.carry({ w: tensor('float32', [3], [1, 2, 3]) })
      expect(await host.placement()).toEqual({ w: 'host' })
      const x = tensor('float32', [3], [0.5, -1, 2])
      const s1 = await step.run({ x }, { carry: true })
      expect(Object.keys(s1)).toEqual(['s']) // w.next stayed in the host
      expect((s1.s.data as Float32Array)[0]).toBe(0.5 - 2 + 6)
      // On WebGPU the step's w.next stays in a GPU buffer.
      expect(await host.placement()).toEqual({ w: options.device === 'webgpu' ? 'device' : 'host' })
      const s2 = await step.run({ x }, { carry: true })
      expect((s2.s.data as Float32Array)[0]).toBe(1.5 * 0.5 + 1 * -1 + 5 * 2)
      // Another session of the host feeds on the carried w.
      expect(Array.from((await read.run({}, { carry: true })).y.data as Float32Array)).toEqual([4, 0, 14])
      // A failed run (x of the wrong length) leaves w as it was.
      await expect(step.run({ x: tensor('float32', [2], [1, 1]) }, { carry: true })).rejects.toBeInstanceOf(OnnxRuntimeError)
      const w = await host.read(['w'])
      expect(Array.from(w.w.data as Float32Array)).toEqual([2, 0, 7])
      // read returns a copy: changing it changes nothing in the host.
      ;(w.w.data as Float32Array).fill(0)
      expect(Array.from((await host.read(['w'])).w.data as Float32Array)).toEqual([2, 0, 7])
      // Asked for some outputs, a carried run returns those (on WebGPU it runs whole: see host-core.ts).
      expect(Object.keys(await step.run({ x: tensor('float32', [3], [0, 0, 0]) }, { carry: true, fetches: ['s', 'w.next'] }))).toEqual(['s'])
      // Without carry, a run is a plain run: every output comes back.
      const plain = await step.run({ w: tensor('float32', [1], [3]), x: tensor('float32', [1], [4]) })
      expect(Array.from(plain['w.next'].data as Float32Array)).toEqual([7])
      await expect(host.read(['nope'])).rejects.toThrow(/no carried tensor/)
    } finally {
      await host.close()
    }
    await host.close()
    await expect(host.read(['w'])).rejects.toBeInstanceOf(SessionClosedError)
  }, 60_000)
})

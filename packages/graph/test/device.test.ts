import { describe, expect, it } from 'vitest'
import { DeviceUnavailableError, createSession, executionProvidersFor, ortDeviceProbe, ortOptions, resolveDevice, tensor, graphBuilder, type DeviceProbe } from '../src/index.js'

/** A probe with fixed answers that records what it was asked. */
function fakeProbe (cuda: boolean, webgpu: boolean): DeviceProbe & { asked: string[] } {
  const asked: string[] = []
  return {
    asked,
    cuda: async () => { asked.push('cuda'); return cuda },
    webgpu: async (o = {}) => { asked.push(o.software === true ? 'webgpu+software' : 'webgpu'); return webgpu }
  }
}

describe('device selection', () => {
  it('auto prefers CUDA, then WebGPU, then CPU', async () => {
    expect(await resolveDevice('auto', fakeProbe(true, true))).toBe('cuda')
    expect(await resolveDevice('auto', fakeProbe(false, true))).toBe('webgpu')
    const none = fakeProbe(false, false)
    expect(await resolveDevice('auto', none)).toBe('cpu')
    expect(none.asked).toEqual(['cuda', 'webgpu'])
  })

  it('cpu never probes; an available explicit device is taken', async () => {
    const p = fakeProbe(false, false)
    expect(await resolveDevice('cpu', p)).toBe('cpu')
    expect(p.asked).toEqual([])
    const wg = fakeProbe(false, true)
    expect(await resolveDevice('webgpu', wg)).toBe('webgpu')
    // An explicit webgpu accepts a software adapter (lavapipe); auto asked for a GPU only (above).
    expect(wg.asked).toEqual(['webgpu+software'])
    expect(await resolveDevice('cuda', fakeProbe(true, false))).toBe('cuda')
  })

  it('an unavailable explicit device is a one-line DeviceUnavailableError naming the install step', async () => {
    const cuda = await resolveDevice('cuda', fakeProbe(false, true)).catch(e => e)
    expect(cuda).toBeInstanceOf(DeviceUnavailableError)
    expect(cuda).toMatchObject({ code: 'ERR_DEVICE_UNAVAILABLE', device: 'cuda' })
    expect(cuda.message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm install')
    expect(cuda.message).not.toContain('\n')
    const webgpu = await resolveDevice('webgpu', fakeProbe(true, false)).catch(e => e)
    expect(webgpu).toMatchObject({ code: 'ERR_DEVICE_UNAVAILABLE', device: 'webgpu' })
    expect(webgpu.message).toContain('Vulkan')
    expect(await resolveDevice('tpu' as 'cpu', fakeProbe(true, true)).catch(e => e)).toMatchObject({ code: 'ERR_DEVICE_UNAVAILABLE' })
  })

  it('maps devices to execution providers with CPU as the fallback, and sessions get them', () => {
    expect(executionProvidersFor('cpu')).toEqual(['cpu'])
    expect(executionProvidersFor('cuda')).toEqual(['cuda', 'cpu'])
    expect(ortOptions({ device: 'webgpu' }).executionProviders).toEqual(['webgpu', 'cpu'])
    expect(ortOptions({}).executionProviders).toEqual(['cpu'])
  })

  it('the real probe: an available device runs a session, an unavailable one is refused', async () => {
    const probe = ortDeviceProbe()
    const b = graphBuilder()
    const x = b.input('x', 'float32', [2])
    b.output('y', b.mul(x, 3))
    const model = b.toModelProto()
    for (const device of ['cuda', 'webgpu'] as const) {
      if (await (device === 'webgpu' ? probe.webgpu({ software: true }) : probe.cuda())) {
        const s = await createSession(model, { device })
        const out = await s.run({ x: tensor('float32', [2], [1, 2]) })
        await s.close()
        expect(Array.from(out.y.data as Float32Array)).toEqual([3, 6])
      } else {
        await expect(resolveDevice(device, probe)).rejects.toBeInstanceOf(DeviceUnavailableError)
      }
    }
  })
})

/**
 * Which accelerator onnxruntime sessions run on. `resolveDevice` is pure: it asks an injected
 * probe what is available, so the choice (auto → CUDA, then WebGPU, then CPU) and the one-line
 * install hints are testable without a GPU. `ortDeviceProbe` is the real probe: onnxruntime-node
 * tries to register the provider on a two-node model, which is what every later session does.
 */
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { DeviceUnavailableError } from './errors.js'
import { graphBuilder } from './builder.js'
import { withWebgpuLock } from './device-lock.js'

/** What a user may ask for. */
export type Device = 'auto' | 'cpu' | 'cuda' | 'webgpu'

/** Where sessions actually run. */
export type ResolvedDevice = 'cpu' | 'cuda' | 'webgpu'

/** Every accepted `Device` value. */
export const DEVICES: readonly Device[] = ['auto', 'cpu', 'cuda', 'webgpu']

/** Answers whether a provider can run here; injected so tests need no GPU. */
export interface DeviceProbe {
  cuda(): Promise<boolean>
  /**
   * Whether WebGPU has an adapter. By default only a GPU counts; `software` also accepts an
   * adapter without one (Mesa's lavapipe Vulkan driver): correct, but slower than the CPU
   * provider, so only an explicit `webgpu` takes it.
   */
  webgpu(options?: { software?: boolean }): Promise<boolean>
}

/** How to get each accelerator, for the one-line error. */
export const DEVICE_INSTALL_HINTS: Readonly<Record<'cuda' | 'webgpu', string>> = {
  cuda: 'the CUDA execution provider is not installed: reinstall with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install` (needs network access, an NVIDIA driver and CUDA 12 runtime libraries)',
  webgpu: 'no WebGPU adapter: onnxruntime-node bundles WebGPU (Dawn), which needs a Vulkan driver: the NVIDIA driver with Vulkan support, or Mesa (`apt-get install libvulkan1 mesa-vulkan-drivers`; its CPU-only lavapipe adapter needs a newer Mesa than Debian 12\'s 22.3: bookworm-backports\' 25.0 works)'
}

/** Checks a user-supplied device name; throws `DeviceUnavailableError` (problem `unknown`) for anything else. */
export function parseDevice (value: unknown): Device {
  if (typeof value === 'string' && (DEVICES as readonly string[]).includes(value)) return value as Device
  throw new DeviceUnavailableError(String(value), `unknown device ${JSON.stringify(value)}; expected one of ${DEVICES.join(', ')}`)
}

/**
 * Picks the device: `auto` takes CUDA when its provider loads, else WebGPU when a GPU adapter
 * exists, else CPU; an explicit `webgpu` also takes a software adapter; an explicit `cuda` /
 * `webgpu` that is unavailable is a `DeviceUnavailableError` naming the install step.
 */
export async function resolveDevice (requested: Device, probe: DeviceProbe): Promise<ResolvedDevice> {
  const device = parseDevice(requested)
  if (device === 'cpu') return 'cpu'
  if (device === 'auto') {
    if (await probe.cuda()) return 'cuda'
    if (await probe.webgpu()) return 'webgpu'
    return 'cpu'
  }
  if (!await (device === 'webgpu' ? probe.webgpu({ software: true }) : probe.cuda())) throw new DeviceUnavailableError(device, `device ${device} is unavailable: ${DEVICE_INSTALL_HINTS[device]}`)
  return device
}

/** onnxruntime execution providers of a device, in preference order (CPU last for ops the GPU provider lacks). */
export function executionProvidersFor (device: ResolvedDevice): string[] {
  return device === 'cpu' ? ['cpu'] : [device, 'cpu']
}

/**
 * The real probe. CUDA: the provider library that `ONNXRUNTIME_NODE_INSTALL=cuda12` downloads
 * sits beside the binding and registers. WebGPU: a GPU device node exists (so `auto` on a
 * CPU-only host skips Dawn's noisy adapter search; `software` skips this check) and the provider
 * finds an adapter. Results are cached per probe.
 */
export function ortDeviceProbe (): DeviceProbe {
  const cache = new Map<string, Promise<boolean>>()
  const once = (key: string, fn: () => Promise<boolean>): Promise<boolean> => {
    let p = cache.get(key)
    if (p === undefined) {
      p = fn().catch(() => false)
      cache.set(key, p)
    }
    return p
  }
  return {
    cuda: async () => await once('cuda', async () => cudaLibraryPresent() && await registers('cuda')),
    webgpu: async (o = {}) => await once(`webgpu:${o.software === true}`, async () => (o.software === true || gpuDeviceNodePresent()) && await registers('webgpu'))
  }
}

async function registers (provider: string): Promise<boolean> {
  const b = graphBuilder({ name: 'probe' })
  const x = b.input('x', 'float32', [1])
  b.output('y', b.add(x, x))
  try {
    await withWebgpuLock(provider, async () => {
      const s = await ort.InferenceSession.create(b.toModelProto(), { executionProviders: [provider], logSeverityLevel: 4 })
      await s.release()
    })
    return true
  } catch {
    return false
  }
}

function cudaLibraryPresent (): boolean {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json')
    const dir = join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch)
    return readdirSync(dir).some(f => f.startsWith('libonnxruntime_providers_cuda') || f.startsWith('onnxruntime_providers_cuda'))
  } catch {
    return false
  }
}

function gpuDeviceNodePresent (): boolean {
  if (process.platform !== 'linux') return true
  if (existsSync('/dev/nvidia0')) return true
  try {
    return readdirSync('/dev/dri').some(f => f.startsWith('renderD'))
  } catch {
    return false
  }
}

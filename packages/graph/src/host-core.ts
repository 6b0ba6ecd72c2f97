/**
 * What a session host does, in whichever thread runs it (in-process or `host-worker.ts`): it
 * owns several onnxruntime sessions and a set of *carried* tensors — a train step's parameters
 * and AdamW moments — that stay where the steps run between runs. A carried run feeds every
 * input it was not given from the carried set and keeps each output `X.next` of a carried `X`
 * as the new `X` instead of returning it. On WebGPU those outputs stay in GPU buffers
 * (onnxruntime's `gpu-buffer` output location), so a step moves only its batch to the device
 * and its statistics back; `read` copies carried tensors to the CPU when asked (weights for the
 * sampling policy, a checkpoint). On the CPU and CUDA, onnxruntime-node returns outputs in host
 * memory, so carried tensors are host arrays that simply stay in the host's thread.
 */
import type * as ort from 'onnxruntime-node'
import { NEXT_SUFFIX } from './constants.js'
import { graphBuilder } from './builder.js'
import { withWebgpuLock } from './device-lock.js'
import { OnnxRuntimeError } from './errors.js'
import { fromOrt, loadOrt, ortError, toOrt, type SessionOptions, type TensorMap } from './session.js'
import type { DType } from './tensor.js'

/** A loaded session's id and signature. */
export interface HostedModel {
  id: number
  inputNames: string[]
  outputNames: string[]
}

/** The host's operations (see the module comment). */
export interface HostCore {
  /** Loads a model; `carries` names the carried inputs whose `.next` outputs it computes. */
  load(model: Uint8Array, carries?: readonly string[]): Promise<HostedModel>
  run(id: number, feeds: TensorMap, fetches?: readonly string[], carry?: boolean): Promise<TensorMap>
  /** Replaces carried tensors; the host keeps the arrays (callers hand over copies). */
  carry(tensors: TensorMap): Promise<void>
  /** Copies of carried tensors, on the CPU. */
  read(names: readonly string[]): Promise<TensorMap>
  /** Where each carried tensor lives now: `device` (a GPU buffer) or `host` memory. */
  placement(): Record<string, 'host' | 'device'>
  release(id: number): Promise<void>
  close(): Promise<void>
}

/** Creates the host's state; `options` apply to every session it loads. */
export function createHostCore (options: SessionOptions = {}): HostCore {
  const onGpu = options.device === 'webgpu'
  // Every onnxruntime call on WebGPU holds the process's lock (device-lock.ts).
  const locked = async <T>(fn: () => Promise<T> | T): Promise<T> => await withWebgpuLock(options.device, fn)
  const free = async (t: ort.Tensor): Promise<void> => { if (t.location === 'gpu-buffer') await locked(() => { t.dispose() }) }
  const sessions = new Map<number, ort.InferenceSession>()
  // Sessions with device-located outputs: onnxruntime-node 1.30 then refuses any subset of
  // outputs ("Output count mismatch"), so they run whole and the host drops what was not asked.
  const whole = new Set<number>()
  // Each carried tensor with the session whose output it is (0: set by `carry`). A GPU buffer
  // belongs to its session's allocator: it must be freed before that session is released
  // (freeing it after crashes the process), so releasing a session first moves its tensors to
  // host memory.
  const carried = new Map<string, { tensor: ort.Tensor, from: number }>()
  // Sessions that copy a GPU tensor to the CPU, per (dtype, rank): onnxruntime-node 1.30's
  // `Tensor.getData()` on a `gpu-buffer` output aborts the process; an Identity run whose
  // output is on the CPU is the download.
  const downloads = new Map<string, Promise<ort.InferenceSession>>()
  let nextId = 1

  const replace = async (name: string, tensor: ort.Tensor, from: number): Promise<void> => {
    const old = carried.get(name)?.tensor
    carried.set(name, { tensor, from })
    if (old !== undefined && old !== tensor) await free(old)
  }

  const download = async (t: ort.Tensor): Promise<ort.Tensor> => {
    const key = `${t.type}:${t.dims.length}`
    let s = downloads.get(key)
    if (s === undefined) {
      const b = graphBuilder({ name: 'murmur-download' })
      const x = b.input('x', t.type as DType, t.dims.map((_, i) => `d${i}`))
      b.output('y', b.identity(x))
      s = loadOrt(b.toModelProto(), options)
      downloads.set(key, s)
      s.catch(() => downloads.delete(key))
    }
    const session = await s
    const out = await locked(async () => await session.run({ x: t }))
    return out.y
  }

  // `release`: the GPU buffer is not needed any more (freed once copied).
  const toHost = async (t: ort.Tensor, copy: boolean, release = false): Promise<TensorMap[string]> => {
    if (t.location === 'gpu-buffer') {
      const host = fromOrt(await download(t))
      if (release) await free(t)
      return host
    }
    const host = fromOrt(t)
    return copy ? { ...host, data: host.data.slice() as typeof host.data } : host
  }

  return {
    async load (model, carries = []) {
      // On WebGPU the next values of carried tensors stay on the device; other outputs come back to the CPU.
      const location = onGpu && carries.length > 0 ? Object.fromEntries(carries.map(n => [n + NEXT_SUFFIX, 'gpu-buffer' as const])) : undefined
      const s = await loadOrt(model, options, location === undefined ? {} : { preferredOutputLocation: location })
      const id = nextId++
      sessions.set(id, s)
      if (location !== undefined) whole.add(id)
      return { id, inputNames: [...s.inputNames], outputNames: [...s.outputNames] }
    },

    async run (id, feeds, fetches, carry = false) {
      const s = sessions.get(id)
      if (s === undefined) throw new OnnxRuntimeError(`no session ${id} in this host`)
      const ortFeeds: Record<string, ort.Tensor> = {}
      for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v)
      if (carry) {
        for (const name of s.inputNames) {
          if (ortFeeds[name] !== undefined) continue
          const t = carried.get(name)
          if (t !== undefined) ortFeeds[name] = t.tensor
        }
      }
      let out: ort.InferenceSession.ReturnType
      try {
        out = await locked(async () => fetches === undefined || whole.has(id) ? await s.run(ortFeeds) : await s.run(ortFeeds, [...fetches]))
      } catch (err) {
        throw ortError('run failed', err)
      }
      const res: TensorMap = {}
      for (const [name, t] of Object.entries(out)) {
        const base = name.endsWith(NEXT_SUFFIX) ? name.slice(0, -NEXT_SUFFIX.length) : undefined
        if (carry && base !== undefined && carried.has(base)) await replace(base, t, id)
        else if (fetches !== undefined && !fetches.includes(name)) await free(t)
        else res[name] = await toHost(t, false, true)
      }
      return res
    },

    async carry (tensors) {
      for (const [name, t] of Object.entries(tensors)) await replace(name, toOrt(t), 0)
    },

    async read (names) {
      const res: TensorMap = {}
      for (const name of names) {
        const t = carried.get(name)
        if (t === undefined) throw new OnnxRuntimeError(`no carried tensor ${JSON.stringify(name)} in this host`)
        res[name] = await toHost(t.tensor, true)
      }
      return res
    },

    placement: () => Object.fromEntries([...carried].map(([k, t]) => [k, t.tensor.location === 'gpu-buffer' ? 'device' : 'host'])),

    async release (id) {
      const s = sessions.get(id)
      if (s === undefined) return
      for (const [name, t] of carried) {
        if (t.from === id && t.tensor.location === 'gpu-buffer') await replace(name, toOrt(await toHost(t.tensor, false)), 0)
      }
      sessions.delete(id)
      whole.delete(id)
      await locked(async () => { await s.release() })
    },

    async close () {
      const all = [...sessions.values(), ...await Promise.all([...downloads.values()].map(async d => await d.catch(() => undefined)))]
      sessions.clear()
      downloads.clear()
      // GPU buffers first: they must not outlive the sessions they came from.
      for (const t of carried.values()) await free(t.tensor)
      carried.clear()
      for (const s of all) await locked(async () => { await s?.release().catch(() => {}) })
    }
  }
}

/**
 * A thin onnxruntime-node adapter: sessions from model bytes with sensible options, plain
 * `Tensor` feeds and results, and onnxruntime failures translated into `OnnxRuntimeError`.
 */
import * as ort from 'onnxruntime-node'
import { DEFAULT_INTRA_OP_THREADS } from './constants.js'
import { executionProvidersFor, type ResolvedDevice } from './device.js'
import { withWebgpuLock } from './device-lock.js'
import { OnnxRuntimeError, SessionClosedError } from './errors.js'
import { tensor, type DType, type Tensor } from './tensor.js'

/** Options of `createSession` / `createSessionWorker`. */
export interface SessionOptions {
  /** Threads inside one op. Default 2 (the reference machine's cores). */
  intraOpThreads?: number
  /** Graph optimization level. Default `all`. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all'
  /** Let idle intra-op threads spin (burns CPU other sessions need). Default false. */
  allowSpinning?: boolean
  /** Where to run (see `resolveDevice`); sets the execution providers. Default `cpu`. */
  device?: ResolvedDevice
  /** Execution providers in preference order; overrides `device`. */
  executionProviders?: string[]
  /** onnxruntime log level 0 (verbose) .. 4 (fatal). Default 3. */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4
  /**
   * onnxruntime's CPU memory arena and memory-pattern planning. Default true. The arena keeps a
   * session's peak working memory allocated for its lifetime: turn it off where a process holds
   * many sessions (measured: a node's trainer sessions 222 → 76 MiB per node, CPU no worse).
   */
  memoryArena?: boolean
}

/** Feeds and results: tensors by graph input/output name. */
export type TensorMap = Record<string, Tensor>

/** Options of one `run`. */
export interface RunOptions {
  /** Output names to compute (default all). */
  fetches?: readonly string[]
  /** Cancels waiting for the result (the computation itself cannot be interrupted). */
  signal?: AbortSignal
  /** Worker only: transfer (detach) the feeds' buffers instead of copying them. */
  transfer?: boolean
}

/** A loaded model. */
export interface Session {
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]
  /** Runs the model; resolves with the requested outputs. */
  run(feeds: TensorMap, options?: RunOptions): Promise<TensorMap>
  /** Releases the native session; idempotent. */
  close(): Promise<void>
}

/** onnxruntime session options from ours: the one place every murmur session gets its settings. */
export function ortOptions (o: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: o.intraOpThreads ?? DEFAULT_INTRA_OP_THREADS,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: o.memoryArena ?? true,
    enableMemPattern: o.memoryArena ?? true,
    graphOptimizationLevel: o.graphOptimizationLevel ?? 'all',
    executionProviders: o.executionProviders ?? executionProvidersFor(o.device ?? 'cpu'),
    logSeverityLevel: o.logSeverityLevel ?? 3,
    extra: { session: { intra_op: { allow_spinning: o.allowSpinning === true ? '1' : '0' } } }
  }
}

/** @internal wraps any onnxruntime failure. */
export function ortError (what: string, err: unknown): OnnxRuntimeError {
  const msg = err instanceof Error ? err.message : String(err)
  return new OnnxRuntimeError(`${what}: ${msg}`, { cause: err })
}

/** @internal our tensor → onnxruntime's. */
export function toOrt (t: Tensor): ort.Tensor {
  return new ort.Tensor(t.dtype, t.data, [...t.dims])
}

/** @internal onnxruntime's tensor → ours (data is not copied). */
export function fromOrt (t: ort.Tensor): Tensor {
  const dtype = t.type as DType
  if (!['float32', 'float64', 'int64', 'bool'].includes(dtype)) throw new OnnxRuntimeError(`unsupported output dtype ${t.type}`)
  const data = dtype === 'bool' ? new Uint8Array((t.data as Uint8Array).buffer, (t.data as Uint8Array).byteOffset, t.size) : t.data
  return tensor(dtype, t.dims.map(Number), data as Tensor['data'])
}

/** @internal runs a session with our tensor maps (`device`: where it runs, for the WebGPU lock). */
export async function runOrt (session: ort.InferenceSession, feeds: TensorMap, fetches?: readonly string[], device?: ResolvedDevice): Promise<TensorMap> {
  const ortFeeds: Record<string, ort.Tensor> = {}
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v)
  let out: ort.InferenceSession.ReturnType
  try {
    out = await withWebgpuLock(device, async () => fetches === undefined ? await session.run(ortFeeds) : await session.run(ortFeeds, [...fetches]))
  } catch (err) {
    throw ortError('run failed', err)
  }
  const res: TensorMap = {}
  for (const [k, v] of Object.entries(out)) res[k] = fromOrt(v)
  return res
}

/** @internal loads model bytes; `extra` adds onnxruntime options of one session (output locations). */
export async function loadOrt (model: Uint8Array, options?: SessionOptions, extra: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await withWebgpuLock(options?.device, async () => await ort.InferenceSession.create(model, { ...ortOptions(options), ...extra }))
  } catch (err) {
    throw ortError('could not load model', err)
  }
}

/**
 * Creates an in-process session. `run` blocks the event loop while it computes: use
 * `createSessionWorker` where the loop must stay responsive (networking).
 */
export async function createSession (model: Uint8Array, options: SessionOptions = {}): Promise<Session> {
  const s = await loadOrt(model, options)
  let closed = false
  return {
    inputNames: [...s.inputNames],
    outputNames: [...s.outputNames],
    run: async (feeds, runOptions = {}) => {
      if (closed) throw new SessionClosedError('the session is closed')
      runOptions.signal?.throwIfAborted()
      return await runOrt(s, feeds, runOptions.fetches, options.device)
    },
    close: async () => {
      if (closed) return
      closed = true
      await withWebgpuLock(options.device, async () => { await s.release() })
    }
  }
}

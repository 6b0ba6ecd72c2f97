/**
 * Session hosts (see host-core.ts): several sessions sharing one thread and a set of carried
 * tensors, run in-process or in a worker thread so `run()` does not block the caller's event
 * loop. `createSessionWorker` is a host with one session.
 */
import { webgpuLockBuffer } from './device-lock.js'
import { OnnxRuntimeError, SessionClosedError } from './errors.js'
import { createHostCore, type HostCore, type HostedModel } from './host-core.js'
import type { RunOptions, Session, SessionOptions, TensorMap } from './session.js'
import { startWorkerRpc } from './worker-rpc.js'
import { transferList, type HostJob, type WorkerReply } from './worker-protocol.js'

/** Options of one hosted run. */
export interface HostRunOptions extends RunOptions {
  /**
   * Feed every input absent from `feeds` from the host's carried tensors, and keep each output
   * `X.next` of a carried `X` as the new `X` (not returned). A failed run changes nothing.
   */
  carry?: boolean
}

/** A session of a host. */
export interface HostedSession extends Session {
  run(feeds: TensorMap, options?: HostRunOptions): Promise<TensorMap>
}

/** Sessions sharing one thread and a set of carried tensors (on WebGPU: device buffers). */
export interface SessionHost {
  /** The worker's thread id; undefined for an in-process host. */
  readonly threadId: number | undefined
  /** Loads a model; `carries` names the carried inputs whose `.next` outputs it computes (kept on the device on WebGPU). */
  load(model: Uint8Array, carries?: readonly string[]): Promise<HostedSession>
  /** Sets carried tensors; the host takes their buffers (a worker host's are transferred: the caller must not use them afterwards). */
  carry(tensors: TensorMap): Promise<void>
  /** Copies carried tensors out, on the CPU. */
  read(names: readonly string[]): Promise<TensorMap>
  /** Where each carried tensor lives now: `device` (a GPU buffer) or `host` memory. */
  placement(): Promise<Record<string, 'host' | 'device'>>
  /** Releases every session and carried tensor; idempotent. */
  close(): Promise<void>
}

/** Options of `createSessionHost`. */
export interface SessionHostOptions extends SessionOptions {
  /** Run in a worker thread (default true). */
  worker?: boolean
}

/** A session living in its own thread; `run` transfers results back without copying. */
export interface SessionWorker extends Session {
  /** The worker's thread id (for diagnostics). */
  readonly threadId: number
}

/** Starts a host (a worker thread unless `worker: false`). */
export async function createSessionHost (options: SessionHostOptions = {}): Promise<SessionHost> {
  const { worker = true, ...sessionOptions } = options
  return worker ? await workerHost(sessionOptions) : inProcessHost(createHostCore(sessionOptions))
}

/** Starts a worker thread owning a session for `model`; resolves once the model is loaded. */
export async function createSessionWorker (model: Uint8Array, options: SessionOptions = {}): Promise<SessionWorker> {
  const host = await createSessionHost({ ...options, worker: true })
  let session: HostedSession
  try {
    session = await host.load(model)
  } catch (err) {
    await host.close()
    throw err
  }
  return { threadId: host.threadId as number, inputNames: session.inputNames, outputNames: session.outputNames, run: session.run, close: host.close }
}

/** A loaded model's `HostedSession`: `run` until `close`, which releases it once. */
function hostedSession (m: HostedModel, run: (feeds: TensorMap, o: HostRunOptions) => Promise<TensorMap>, release: () => Promise<void>): HostedSession {
  let released = false
  return {
    inputNames: m.inputNames,
    outputNames: m.outputNames,
    run: async (feeds, o = {}) => {
      if (released) throw new SessionClosedError('the session is closed')
      return await run(feeds, o)
    },
    close: async () => {
      if (released) return
      released = true
      await release()
    }
  }
}

function inProcessHost (core: HostCore): SessionHost {
  let closed = false
  const open = (): void => { if (closed) throw new SessionClosedError('the session host is closed') }
  return {
    threadId: undefined,
    async load (model, carries) {
      open()
      const m = await core.load(model, carries)
      return hostedSession(m, async (feeds, o) => {
        open()
        o.signal?.throwIfAborted()
        return await core.run(m.id, feeds, o.fetches, o.carry)
      }, async () => { if (!closed) await core.release(m.id) })
    },
    async carry (tensors) {
      open()
      await core.carry(tensors)
    },
    async read (names) {
      open()
      return await core.read(names)
    },
    async placement () {
      open()
      return core.placement()
    },
    async close () {
      if (closed) return
      closed = true
      await core.close()
    }
  }
}

async function workerHost (options: SessionOptions): Promise<SessionHost> {
  type Reply = Exclude<WorkerReply, { type: 'ready' | 'closed' | 'error' }>
  const rpc = await startWorkerRpc<Extract<WorkerReply, { type: 'ready' }>, HostJob, Reply>({
    script: new URL('./host-worker.js', import.meta.url),
    workerData: { options, webgpuLock: webgpuLockBuffer() },
    errors: {
      start: (message, cause) => new OnnxRuntimeError(message, { cause }),
      job: (error) => new OnnxRuntimeError(error.message),
      died: (message) => new SessionClosedError(`session worker died: ${message}`),
      closed: () => new SessionClosedError()
    }
  })
  const outputsOf = (r: Reply): TensorMap => r.type === 'result' ? r.outputs : {}
  return {
    threadId: rpc.threadId,
    async load (model, carries) {
      const reply = await rpc.call({ type: 'load', model, carries })
      const m = (reply as Extract<Reply, { type: 'loaded' }>).model
      return hostedSession(m,
        async (feeds, o) => outputsOf(await rpc.call({ type: 'run', session: m.id, feeds, fetches: o.fetches, carry: o.carry }, { signal: o.signal, transfer: o.transfer === true ? transferList(feeds) : [] })),
        async () => { await rpc.call({ type: 'release', session: m.id }).catch(() => {}) })
    },
    async carry (tensors) {
      await rpc.call({ type: 'carry', tensors }, { transfer: transferList(tensors) })
    },
    async read (names) {
      return outputsOf(await rpc.call({ type: 'read', names }))
    },
    async placement () {
      const r = await rpc.call({ type: 'placement' })
      return r.type === 'placement' ? r.placement : {}
    },
    close: rpc.close
  }
}

/** Runs a session in a worker thread so `run()` does not block the caller's event loop. */
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { AbortError } from '@murmur/interface'
import { OnnxRuntimeError, SessionClosedError } from './errors.js'
import type { RunOptions, Session, SessionOptions, TensorMap } from './session.js'
import { transferList, type WorkerReply, type WorkerRequest } from './worker-protocol.js'

/** A session living in its own thread; `run` transfers results back without copying. */
export interface SessionWorker extends Session {
  /** The worker's thread id (for diagnostics). */
  readonly threadId: number
}

/**
 * Worker scripts must be JavaScript: when this module runs from `src/` (tests), use the
 * compiled twin under `dist/`.
 */
function workerUrl (): URL {
  const here = new URL('./session-worker.js', import.meta.url)
  const path = fileURLToPath(here)
  if (existsSync(path)) return here
  const i = path.lastIndexOf('/src/')
  return pathToFileURL(path.slice(0, i) + '/dist/' + path.slice(i + 5))
}

interface Pending { resolve: (t: TensorMap) => void, reject: (e: Error) => void }

/** Starts a worker thread owning a session for `model`; resolves once the model is loaded. */
export async function createSessionWorker (model: Uint8Array, options: SessionOptions = {}): Promise<SessionWorker> {
  const worker = new Worker(workerUrl(), { workerData: { model, options } })
  const pending = new Map<number, Pending>()
  let nextId = 0
  let closed = false
  let dead: Error | undefined
  const failAll = (err: Error): void => {
    dead = err
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }
  const ready = await new Promise<{ inputNames: string[], outputNames: string[] }>((resolve, reject) => {
    const onMessage = (msg: WorkerReply): void => {
      worker.off('error', onError)
      if (msg.type === 'ready') resolve(msg)
      else if (msg.type === 'error') reject(new OnnxRuntimeError(msg.error.message))
      else reject(new OnnxRuntimeError(`unexpected worker reply ${msg.type}`))
    }
    const onError = (err: Error): void => { reject(new OnnxRuntimeError(`session worker failed: ${err.message}`, { cause: err })) }
    worker.once('message', onMessage)
    worker.once('error', onError)
  }).catch(async (err: unknown) => {
    await worker.terminate()
    throw err
  })
  let closedResolve: (() => void) | undefined
  worker.on('message', (msg: WorkerReply) => {
    if (msg.type === 'result' || msg.type === 'error') {
      const p = pending.get(msg.id)
      if (p === undefined) return
      pending.delete(msg.id)
      if (msg.type === 'result') p.resolve(msg.outputs)
      else p.reject(new OnnxRuntimeError(msg.error.message))
    } else if (msg.type === 'closed') {
      closedResolve?.()
    }
  })
  worker.on('error', (err) => { failAll(new SessionClosedError(`session worker died: ${err.message}`)) })
  worker.on('exit', () => { if (dead === undefined) failAll(new SessionClosedError()) })

  return {
    threadId: worker.threadId,
    inputNames: ready.inputNames,
    outputNames: ready.outputNames,
    run: async (feeds: TensorMap, runOptions: RunOptions = {}): Promise<TensorMap> => {
      if (closed) throw new SessionClosedError()
      if (dead !== undefined) throw dead
      const { signal } = runOptions
      signal?.throwIfAborted()
      const id = nextId++
      const result = new Promise<TensorMap>((resolve, reject) => { pending.set(id, { resolve, reject }) })
      const req: WorkerRequest = { type: 'run', id, feeds, fetches: runOptions.fetches }
      worker.postMessage(req, runOptions.transfer === true ? transferList(feeds) : [])
      if (signal === undefined) return await result
      return await new Promise<TensorMap>((resolve, reject) => {
        const onAbort = (): void => {
          pending.delete(id)
          reject(new AbortError(undefined, { cause: signal.reason }))
        }
        signal.addEventListener('abort', onAbort, { once: true })
        result.then(resolve, reject).finally(() => { signal.removeEventListener('abort', onAbort) })
      })
    },
    close: async (): Promise<void> => {
      if (closed) return
      closed = true
      if (dead === undefined) {
        const done = new Promise<void>(resolve => { closedResolve = resolve })
        worker.postMessage({ type: 'close' } satisfies WorkerRequest)
        await Promise.race([done, new Promise<void>(resolve => setTimeout(resolve, 5000).unref())])
      }
      await worker.terminate()
      failAll(new SessionClosedError())
    }
  }
}

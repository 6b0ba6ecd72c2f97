/** The main-thread side of the policy worker: request/reply bookkeeping, aborts and shutdown. */
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { AbortError, abortReason } from '@murmur/interface'
import { InferenceError, PolicyClosedError } from './errors.js'
import type { PolicyJob, PolicyWorkerData, PolicyWorkerReply, PolicyWorkerRequest } from './worker-protocol.js'

/** A started worker. */
export interface WorkerClient {
  /** Sends a job and resolves with its reply; `signal` cancels it. */
  call: <R extends PolicyWorkerReply>(req: PolicyJob, signal?: AbortSignal) => Promise<R>
  close: () => Promise<void>
}

/** Worker scripts must be JavaScript: from `src/` (tests), use the compiled twin under `dist/`. */
function workerUrl (): URL {
  const here = new URL('./policy-worker.js', import.meta.url)
  const path = fileURLToPath(here)
  if (existsSync(path)) return here
  const i = path.lastIndexOf('/src/')
  return pathToFileURL(path.slice(0, i) + '/dist/' + path.slice(i + 5))
}

interface Pending { resolve: (r: PolicyWorkerReply) => void, reject: (e: Error) => void }

/** Starts the worker and waits until its session is loaded. */
export async function startWorker (data: PolicyWorkerData): Promise<WorkerClient> {
  const worker = new Worker(workerUrl(), { workerData: data })
  const pending = new Map<number, Pending>()
  let nextId = 1
  let closed = false
  let dead: Error | undefined
  const failAll = (err: Error): void => {
    dead ??= err
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (msg: PolicyWorkerReply) => {
        if (msg.type === 'ready') resolve()
        else reject(new InferenceError(`cannot create the onnxruntime session: ${msg.type === 'error' ? msg.error.message : msg.type}`))
      })
      worker.once('error', (err) => { reject(new InferenceError(`policy worker failed to start: ${err.message}`, { cause: err })) })
    })
  } catch (err) {
    await worker.terminate()
    throw err
  }
  let onClosed: (() => void) | undefined
  worker.on('message', (msg: PolicyWorkerReply) => {
    if (msg.type === 'closed') { onClosed?.(); return }
    if (msg.type === 'ready') return
    const p = pending.get(msg.id)
    if (p === undefined) return
    pending.delete(msg.id)
    if (msg.type === 'error') p.reject(new InferenceError(`${msg.error.name}: ${msg.error.message}`))
    else p.resolve(msg)
  })
  worker.on('error', (err) => { failAll(new InferenceError(`policy worker died: ${err.message}`, { cause: err })) })
  worker.on('exit', () => { failAll(new PolicyClosedError()) })

  return {
    call: async <R extends PolicyWorkerReply>(req: PolicyJob, signal?: AbortSignal): Promise<R> => {
      if (closed) throw new PolicyClosedError()
      if (dead !== undefined) throw dead
      if (signal?.aborted === true) throw abortReason(signal)
      const id = nextId++
      const result = new Promise<PolicyWorkerReply>((resolve, reject) => { pending.set(id, { resolve, reject }) })
      worker.postMessage({ ...req, id } as PolicyWorkerRequest)
      if (signal === undefined) return await result as R
      return await new Promise<R>((resolve, reject) => {
        const onAbort = (): void => {
          pending.delete(id)
          worker.postMessage({ type: 'abort', id } satisfies PolicyWorkerRequest)
          reject(signal.reason instanceof AbortError ? signal.reason : abortReason(signal))
        }
        signal.addEventListener('abort', onAbort, { once: true })
        result.then(r => { resolve(r as R) }, reject).finally(() => { signal.removeEventListener('abort', onAbort) })
      })
    },
    close: async (): Promise<void> => {
      if (closed) return
      closed = true
      if (dead === undefined) {
        const done = new Promise<void>(resolve => { onClosed = resolve })
        worker.postMessage({ type: 'close' } satisfies PolicyWorkerRequest)
        await Promise.race([done, new Promise<void>(resolve => setTimeout(resolve, 5000).unref())])
      }
      await worker.terminate()
      failAll(new PolicyClosedError())
    }
  }
}

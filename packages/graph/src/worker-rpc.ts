/**
 * Request/reply over a worker thread, the one implementation behind graph's session worker and
 * the policy's generation worker: ids and a pending map, aborts (the worker is told
 * `{ type: 'abort', id }`), a worker that dies or exits failing every pending call, and a
 * close that waits for the worker's `closed` reply (at most 5 s) before terminating it.
 * Protocol: requests are `{ ...job, id }`, `{ type: 'abort', id }` and `{ type: 'close' }`;
 * replies are `{ type: 'ready', … }` once, then `{ id, … }` per job (`{ type: 'error', id,
 * error: { name, message } }` for a failure) and `{ type: 'closed' }`.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { abortReason } from '@murmur/interface'

/** A reply of the worker; `id` is absent only on `ready` and `closed`. */
export interface RpcReply { type: string, id?: number, error?: { name: string, message: string } }

/** How failures are reported: each owner has its own typed errors. */
export interface WorkerRpcErrors {
  /** The worker did not start (its error reply before `ready`, or a thread error). */
  start: (message: string, cause?: unknown) => Error
  /** A job's `error` reply. */
  job: (error: { name: string, message: string }) => Error
  /** The thread crashed. */
  died: (message: string, cause?: unknown) => Error
  /** Calls after `close()` or after the thread exited. */
  closed: () => Error
}

/** Options of `startWorkerRpc`. */
export interface WorkerRpcInit {
  /** The worker script; a `src/…` URL is mapped to its compiled `dist/…` twin when missing. */
  script: URL
  workerData: unknown
  errors: WorkerRpcErrors
}

/** A started worker. */
export interface WorkerRpc<Ready extends RpcReply, Job extends object, Reply extends RpcReply> {
  /** The worker's `ready` message. */
  readonly ready: Ready
  readonly threadId: number
  /** Sends a job and resolves with its reply; `signal` cancels it; `transfer` moves buffers. */
  call: (job: Job, options?: { signal?: AbortSignal, transfer?: ArrayBuffer[] }) => Promise<Reply>
  /** Idempotent. */
  close: () => Promise<void>
}

/** Worker scripts must be JavaScript: from `src/` (tests), use the compiled twin under `dist/`. */
function scriptUrl (here: URL): URL {
  const path = fileURLToPath(here)
  if (existsSync(path)) return here
  const i = path.lastIndexOf('/src/')
  return pathToFileURL(path.slice(0, i) + '/dist/' + path.slice(i + 5))
}

interface Pending { resolve: (r: RpcReply) => void, reject: (e: Error) => void }

/** Starts the worker and resolves once it replied `ready`. */
export async function startWorkerRpc<Ready extends RpcReply, Job extends object, Reply extends RpcReply> (init: WorkerRpcInit): Promise<WorkerRpc<Ready, Job, Reply>> {
  const { errors } = init
  const worker = new Worker(scriptUrl(init.script), { workerData: init.workerData })
  const pending = new Map<number, Pending>()
  let nextId = 1
  let closed = false
  let dead: Error | undefined
  const failAll = (err: Error): void => {
    dead ??= err
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }
  let ready: Ready
  try {
    ready = await new Promise<Ready>((resolve, reject) => {
      worker.once('message', (msg: RpcReply) => {
        if (msg.type === 'ready') resolve(msg as Ready)
        else reject(errors.start(msg.error?.message ?? `unexpected worker reply ${msg.type}`))
      })
      worker.once('error', (err) => { reject(errors.start(err.message, err)) })
    })
  } catch (err) {
    await worker.terminate()
    throw err
  }
  let onClosed: (() => void) | undefined
  worker.on('message', (msg: RpcReply) => {
    if (msg.type === 'closed') { onClosed?.(); return }
    if (msg.id === undefined) return
    const p = pending.get(msg.id)
    if (p === undefined) return
    pending.delete(msg.id)
    if (msg.type === 'error') p.reject(errors.job(msg.error ?? { name: 'Error', message: 'unknown worker error' }))
    else p.resolve(msg)
  })
  worker.on('error', (err) => { failAll(errors.died(err.message, err)) })
  worker.on('exit', () => { failAll(errors.closed()) })

  return {
    ready,
    threadId: worker.threadId,
    call: async (job, options = {}) => {
      const { signal } = options
      if (closed) throw errors.closed()
      if (dead !== undefined) throw dead
      if (signal?.aborted === true) throw abortReason(signal)
      const id = nextId++
      const result = new Promise<RpcReply>((resolve, reject) => { pending.set(id, { resolve, reject }) })
      worker.postMessage({ ...job, id }, options.transfer ?? [])
      if (signal === undefined) return await result as Reply
      return await new Promise<Reply>((resolve, reject) => {
        const onAbort = (): void => {
          pending.delete(id)
          worker.postMessage({ type: 'abort', id })
          reject(abortReason(signal))
        }
        signal.addEventListener('abort', onAbort, { once: true })
        result.then(r => { resolve(r as Reply) }, reject).finally(() => { signal.removeEventListener('abort', onAbort) })
      })
    },
    close: async () => {
      if (closed) return
      closed = true
      if (dead === undefined) {
        const done = new Promise<void>(resolve => { onClosed = resolve })
        worker.postMessage({ type: 'close' })
        await Promise.race([done, new Promise<void>(resolve => setTimeout(resolve, 5000).unref())])
      }
      await worker.terminate()
      failAll(errors.closed())
    }
  }
}

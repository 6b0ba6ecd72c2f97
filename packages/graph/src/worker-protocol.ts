/** Messages between `createSessionWorker` and its thread. */
import type { TensorMap } from './session.js'

/** A job (worker-rpc.ts adds the id). */
export type WorkerJob = { type: 'run', feeds: TensorMap, fetches?: readonly string[] }

/** Main thread → worker. */
export type WorkerRequest =
  | (WorkerJob & { id: number })
  | { type: 'abort', id: number }
  | { type: 'close' }

/** Worker → main thread. */
export type WorkerReply =
  | { type: 'ready', inputNames: string[], outputNames: string[] }
  | { type: 'result', id: number, outputs: TensorMap }
  | { type: 'error', id: number, error: { name: string, message: string } }
  | { type: 'closed' }

/** Distinct, transferable buffers behind a tensor map. */
export function transferList (tensors: TensorMap): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>()
  for (const t of Object.values(tensors)) {
    const buf = t.data.buffer
    if (buf instanceof ArrayBuffer && !seen.has(buf)) seen.add(buf)
  }
  return [...seen]
}

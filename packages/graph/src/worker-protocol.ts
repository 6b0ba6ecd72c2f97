/** Messages between `createSessionHost` (worker mode) and its thread. */
import type { HostedModel } from './host-core.js'
import type { TensorMap } from './session.js'

/** A job (worker-rpc.ts adds the id); one per `HostCore` operation. */
export type HostJob =
  | { type: 'load', model: Uint8Array, carries?: readonly string[] }
  | { type: 'run', session: number, feeds: TensorMap, fetches?: readonly string[], carry?: boolean }
  | { type: 'carry', tensors: TensorMap }
  | { type: 'read', names: readonly string[] }
  | { type: 'release', session: number }
  | { type: 'placement' }

/** Main thread → worker. */
export type WorkerRequest =
  | (HostJob & { id: number })
  | { type: 'abort', id: number }
  | { type: 'close' }

/** Worker → main thread. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'loaded', id: number, model: HostedModel }
  | { type: 'result', id: number, outputs: TensorMap }
  | { type: 'done', id: number }
  | { type: 'placement', id: number, placement: Record<string, 'host' | 'device'> }
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

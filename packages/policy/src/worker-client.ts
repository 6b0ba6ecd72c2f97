/** The main-thread side of the policy worker: graph's worker RPC with the policy's typed errors. */
import { startWorkerRpc, webgpuLockBuffer } from '@murmur/graph'
import { InferenceError, PolicyClosedError } from './errors.js'
import type { PolicyJob, PolicyWorkerData, PolicyWorkerReply } from './worker-protocol.js'

/** A started worker. */
export interface WorkerClient {
  /** Sends a job and resolves with its reply; `signal` cancels it. */
  call: <R extends PolicyWorkerReply>(req: PolicyJob, signal?: AbortSignal) => Promise<R>
  close: () => Promise<void>
}

/** Starts the worker and waits until its session is loaded. */
export async function startWorker (data: PolicyWorkerData): Promise<WorkerClient> {
  const rpc = await startWorkerRpc<Extract<PolicyWorkerReply, { type: 'ready' }>, PolicyJob, PolicyWorkerReply>({
    script: new URL('./policy-worker.js', import.meta.url),
    workerData: { ...data, webgpuLock: webgpuLockBuffer() } satisfies PolicyWorkerData,
    errors: {
      start: (message, cause) => new InferenceError(`cannot create the onnxruntime session: ${message}`, { cause }),
      job: (error) => new InferenceError(`${error.name}: ${error.message}`),
      died: (message, cause) => new InferenceError(`policy worker died: ${message}`, { cause }),
      closed: () => new PolicyClosedError()
    }
  })
  return {
    call: async <R extends PolicyWorkerReply>(req: PolicyJob, signal?: AbortSignal): Promise<R> => await rpc.call(req, { signal }) as R,
    close: rpc.close
  }
}

/** Runs a session in a worker thread so `run()` does not block the caller's event loop. */
import { OnnxRuntimeError, SessionClosedError } from './errors.js'
import type { RunOptions, Session, SessionOptions, TensorMap } from './session.js'
import { startWorkerRpc } from './worker-rpc.js'
import { transferList, type WorkerJob, type WorkerReply } from './worker-protocol.js'

/** A session living in its own thread; `run` transfers results back without copying. */
export interface SessionWorker extends Session {
  /** The worker's thread id (for diagnostics). */
  readonly threadId: number
}

/** Starts a worker thread owning a session for `model`; resolves once the model is loaded. */
export async function createSessionWorker (model: Uint8Array, options: SessionOptions = {}): Promise<SessionWorker> {
  const rpc = await startWorkerRpc<Extract<WorkerReply, { type: 'ready' }>, WorkerJob, Extract<WorkerReply, { type: 'result' }>>({
    script: new URL('./session-worker.js', import.meta.url),
    workerData: { model, options },
    errors: {
      start: (message, cause) => new OnnxRuntimeError(message, { cause }),
      job: (error) => new OnnxRuntimeError(error.message),
      died: (message) => new SessionClosedError(`session worker died: ${message}`),
      closed: () => new SessionClosedError()
    }
  })
  return {
    threadId: rpc.threadId,
    inputNames: rpc.ready.inputNames,
    outputNames: rpc.ready.outputNames,
    run: async (feeds: TensorMap, runOptions: RunOptions = {}): Promise<TensorMap> => {
      const reply = await rpc.call({ type: 'run', feeds, fetches: runOptions.fetches }, { signal: runOptions.signal, transfer: runOptions.transfer === true ? transferList(feeds) : [] })
      return reply.outputs
    },
    close: rpc.close
  }
}

/**
 * The worker-thread side of `createSessionWorker`: owns one onnxruntime session and serves
 * run requests one at a time. Compiled to dist/session-worker.js and loaded by URL.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type * as ort from 'onnxruntime-node'
import { loadOrt, runOrt, type SessionOptions, type TensorMap } from './session.js'
import type { WorkerReply, WorkerRequest } from './worker-protocol.js'
import { transferList } from './worker-protocol.js'

const port = parentPort
if (port === null) throw new Error('session-worker must run in a worker thread')

const init = workerData as { model: Uint8Array, options: SessionOptions }
let queue: Promise<void> = Promise.resolve()

function reply (msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer)
}

function describe (err: unknown): { name: string, message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
}

async function main (): Promise<void> {
  let session: ort.InferenceSession
  try {
    session = await loadOrt(init.model, init.options)
  } catch (err) {
    reply({ type: 'error', id: -1, error: describe(err) })
    return
  }
  reply({ type: 'ready', inputNames: [...session.inputNames], outputNames: [...session.outputNames] })
  port?.on('message', (req: WorkerRequest) => {
    queue = queue.then(async () => {
      if (req.type === 'close') {
        await session.release()
        reply({ type: 'closed' })
        port?.close()
        return
      }
      if (req.type === 'abort') return // runs are not interruptible; the caller stopped waiting
      try {
        const outputs: TensorMap = await runOrt(session, req.feeds, req.fetches)
        reply({ type: 'result', id: req.id, outputs }, transferList(outputs))
      } catch (err) {
        reply({ type: 'error', id: req.id, error: describe(err) })
      }
    })
  })
}

void main()

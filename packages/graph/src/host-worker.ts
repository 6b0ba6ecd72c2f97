/**
 * The worker-thread side of `createSessionHost({ worker: true })`: one `HostCore`, serving
 * requests one at a time in arrival order. Compiled to dist/host-worker.js and loaded by URL.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { adoptWebgpuLock } from './device-lock.js'
import { createHostCore } from './host-core.js'
import type { SessionOptions } from './session.js'
import { transferList, type WorkerReply, type WorkerRequest } from './worker-protocol.js'

const port = parentPort
if (port === null) throw new Error('host-worker must run in a worker thread')

const init = workerData as { options: SessionOptions, webgpuLock?: SharedArrayBuffer }
adoptWebgpuLock(init.webgpuLock)
const core = createHostCore(init.options)
let queue: Promise<void> = Promise.resolve()

function reply (msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer)
}

function describe (err: unknown): { name: string, message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
}

port.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    if (req.type === 'close') {
      await core.close()
      reply({ type: 'closed' })
      port?.close()
      return
    }
    if (req.type === 'abort') return // runs are not interruptible; the caller stopped waiting
    try {
      switch (req.type) {
        case 'load': reply({ type: 'loaded', id: req.id, model: await core.load(req.model, req.carries) }); break
        case 'run': {
          const outputs = await core.run(req.session, req.feeds, req.fetches, req.carry)
          reply({ type: 'result', id: req.id, outputs }, transferList(outputs))
          break
        }
        case 'carry': await core.carry(req.tensors); reply({ type: 'done', id: req.id }); break
        case 'read': {
          const outputs = await core.read(req.names)
          reply({ type: 'result', id: req.id, outputs }, transferList(outputs))
          break
        }
        case 'release': await core.release(req.session); reply({ type: 'done', id: req.id }); break
        case 'placement': reply({ type: 'placement', id: req.id, placement: core.placement() }); break
      }
    } catch (err) {
      reply({ type: 'error', id: req.id, error: describe(err) })
    }
  })
})
reply({ type: 'ready' })

/**
 * The policy's worker thread: owns the onnxruntime session of the decode graph and runs whole
 * `generate` / `logprobs` jobs (one message each, so KV caches never cross threads). Jobs run
 * one at a time in arrival order; `load` builds the new session at once (beside a running job)
 * and swaps it in at its place in the queue. Compiled to
 * dist/policy-worker.js and started by URL.
 */
import { parentPort, workerData } from 'node:worker_threads'
import ort from 'onnxruntime-node'
import { adoptWebgpuLock, ortOptions, withWebgpuLock } from '@murmur/graph'
import { engineGenerate, engineLogprobs, type EngineContext } from './engine.js'
import { tokenizerFromSpec } from './tokenizer/spec.js'
import type { PolicyWorkerData, PolicyWorkerReply, PolicyWorkerRequest } from './worker-protocol.js'

const port = parentPort
if (port === null) throw new Error('policy-worker must run in a worker thread')
const init = workerData as PolicyWorkerData
adoptWebgpuLock(init.webgpuLock)
// On WebGPU every onnxruntime call holds the process's lock (graph's device-lock.ts).
const locked = async <T>(fn: () => Promise<T>): Promise<T> => await withWebgpuLock(init.device, fn)

function reply (msg: PolicyWorkerReply): void {
  port?.postMessage(msg)
}

function describe (err: unknown): { name: string, message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
}

async function createSession (model: Uint8Array): Promise<ort.InferenceSession> {
  return await locked(async () => await ort.InferenceSession.create(model, ortOptions({ intraOpThreads: init.threads, device: init.device })))
}

async function main (): Promise<void> {
  let session: ort.InferenceSession
  const tokenizer = tokenizerFromSpec(init.tokenizer)
  try {
    session = await createSession(init.model)
  } catch (err) {
    reply({ type: 'error', id: -1, error: describe(err) })
    return
  }
  const aborted = new Set<number>()
  let queue: Promise<void> = Promise.resolve()
  const ctx = (id: number): EngineContext => ({
    session: { run: async (feeds, fetches) => await locked(async () => fetches === undefined ? await session.run(feeds) : await session.run(feeds, fetches)) },
    dims: init.dims,
    decode: ids => tokenizer.decode(ids),
    aborted: () => aborted.has(id)
  })
  const handle = async (msg: PolicyWorkerRequest): Promise<void> => {
    if (msg.type === 'generate') {
      const { completions, stats } = await engineGenerate(ctx(msg.id), msg.req)
      reply({ type: 'generated', id: msg.id, completions, stats })
    } else if (msg.type === 'logprobs') {
      reply({ type: 'scored', id: msg.id, logprobs: await engineLogprobs(ctx(msg.id), msg.items, msg.temperature, msg.batchSize) })
    }
  }
  port?.on('message', (msg: PolicyWorkerRequest) => {
    if (msg.type === 'abort') { aborted.add(msg.id); return }
    if (msg.type === 'close') {
      queue = queue.then(async () => {
        await locked(async () => { await session.release() })
        reply({ type: 'closed' })
        port?.close()
      })
      return
    }
    if (msg.type === 'load') {
      // Build the new session now, beside any running job; swap it in at this point of the queue.
      const creating = createSession(msg.model)
      creating.catch(() => {}) // handled below; avoids an unhandled rejection before the queue gets here
      queue = queue.then(async () => {
        try {
          const next = await creating
          const old = session
          session = next
          await locked(async () => { await old.release() })
          reply({ type: 'loaded', id: msg.id })
        } catch (err) {
          reply({ type: 'error', id: msg.id, error: describe(err) })
        }
      })
      return
    }
    queue = queue.then(async () => {
      try {
        await handle(msg)
      } catch (err) {
        reply({ type: 'error', id: msg.id, error: describe(err) })
      } finally {
        aborted.delete(msg.id)
      }
    })
  })
  reply({ type: 'ready' })
}

await main()

/**
 * The policy's worker thread: owns the onnxruntime session of the decode graph and runs whole
 * `generate` / `logprobs` jobs (one message each, so KV caches never cross threads). Jobs run
 * one at a time in arrival order; `load` swaps in a new model between jobs. Compiled to
 * dist/policy-worker.js and started by URL.
 */
import { parentPort, workerData } from 'node:worker_threads'
import ort from 'onnxruntime-node'
import { engineGenerate, engineLogprobs, type EngineContext } from './engine.js'
import { tokenizerFromSpec } from './tokenizer/spec.js'
import type { PolicyWorkerData, PolicyWorkerReply, PolicyWorkerRequest } from './worker-protocol.js'

const port = parentPort
if (port === null) throw new Error('policy-worker must run in a worker thread')
const init = workerData as PolicyWorkerData

function reply (msg: PolicyWorkerReply): void {
  port?.postMessage(msg)
}

function describe (err: unknown): { name: string, message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
}

async function createSession (model: Uint8Array): Promise<ort.InferenceSession> {
  return await ort.InferenceSession.create(model, {
    intraOpNumThreads: init.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '0' } } }
  })
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
    session,
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
    } else if (msg.type === 'load') {
      const next = await createSession(msg.model)
      const old = session
      session = next
      await old.release()
      reply({ type: 'loaded', id: msg.id })
    }
  }
  port?.on('message', (msg: PolicyWorkerRequest) => {
    if (msg.type === 'abort') { aborted.add(msg.id); return }
    if (msg.type === 'close') {
      queue = queue.then(async () => {
        await session.release()
        reply({ type: 'closed' })
        port?.close()
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

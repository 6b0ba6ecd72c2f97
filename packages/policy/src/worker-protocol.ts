/** Messages between a policy and its worker thread (structured-cloneable only). */
import type { ResolvedDevice } from '@murmur/graph'
import type { EngineCompletion, EngineDims, EngineGenerateRequest, EngineScoreItem, EngineStats } from './engine.js'
import type { TokenizerSpec } from './tokenizer/types.js'

/** `workerData` of the policy worker. */
export interface PolicyWorkerData {
  model: Uint8Array
  dims: EngineDims
  tokenizer: TokenizerSpec
  threads: number
  /** Where the decode session runs; absent = cpu. */
  device?: ResolvedDevice
  /** The process's WebGPU lock word (graph's `webgpuLockBuffer`). */
  webgpuLock?: SharedArrayBuffer
}

/** Jobs the worker runs in order, each answered by one reply. */
export type PolicyJob =
  | { type: 'generate', req: EngineGenerateRequest }
  | { type: 'logprobs', items: EngineScoreItem[], temperature: number, batchSize: number }
  | { type: 'load', model: Uint8Array }

/** Requests to the worker. */
export type PolicyWorkerRequest =
  | (PolicyJob & { id: number })
  | { type: 'abort', id: number }
  | { type: 'close' }

/** Replies from the worker. */
export type PolicyWorkerReply =
  | { type: 'ready' }
  | { type: 'generated', id: number, completions: EngineCompletion[][], stats: EngineStats }
  | { type: 'scored', id: number, logprobs: number[][] }
  | { type: 'loaded', id: number }
  | { type: 'error', id: number, error: { name: string, message: string } }
  | { type: 'closed' }

/**
 * Messages between `murmur sim` (parent) and its node processes (children started with
 * `murmur node --ipc`). Children are separate OS processes so that one can be killed
 * (SIGKILL) without touching the others, as a real swarm would see it.
 */
import type { ViewEvent } from '@murmur/metrics'
import type { RoundMetrics } from '@murmur/node'

/** Child → parent. */
export type ChildMessage =
  | { type: 'ready', peerId: string, addrs: string[], nextRound: number, resumed: boolean }
  | { type: 'eval', phase: 'start' | 'end', round: number, accuracy: number }
  | { type: 'round', metrics: RoundMetrics }
  | { type: 'finished', rounds: number }
  | { type: 'fatal', message: string }
  /** A dashboard change (with `murmur sim --dashboard`); the parent sets the node index. */
  | { type: 'view', event: ViewEvent }

/** Parent → child. */
export type ParentMessage =
  | { type: 'stop' }
  | { type: 'peers', addrs: string[] }

/** Narrows an unknown IPC payload to a `ChildMessage` (children are ours, but be strict anyway). */
export function isChildMessage (value: unknown): value is ChildMessage {
  return value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string'
}

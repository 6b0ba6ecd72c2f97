/**
 * Messages between `murmur sim` (parent) and its processes (sim-host.ts, each running one or
 * more nodes). Nodes are grouped into OS processes so that a process can be killed (SIGKILL)
 * without touching the others, as a real swarm would see it. `node` is the node's index in
 * the simulation.
 */
import type { ViewEvent } from '@murmur/metrics'
import type { EvalReport, RoundMetrics } from '@murmur/node'

/** Child → parent. */
export type ChildMessage =
  | { type: 'ready', node: number, peerId: string, addrs: string[], nextRound: number, resumed: boolean, device: string }
  | { type: 'eval', node: number, phase: 'start' | 'end', round: number, accuracy: number, report?: EvalReport }
  | { type: 'round', node: number, metrics: RoundMetrics }
  | { type: 'finished', node: number, rounds: number, cpuSeconds?: number }
  | { type: 'fatal', node: number, message: string }
  /** A dashboard change (with `murmur sim --dashboard`); the parent sets the node index. */
  | { type: 'view', node: number, event: ViewEvent }

/** Parent → child. */
export type ParentMessage =
  | { type: 'stop' }
  | { type: 'peers', node: number, addrs: string[] }

/** Narrows an unknown IPC payload to a `ChildMessage` (children are ours, but be strict anyway). */
export function isChildMessage (value: unknown): value is ChildMessage {
  return value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string' && typeof (value as { node?: unknown }).node === 'number'
}

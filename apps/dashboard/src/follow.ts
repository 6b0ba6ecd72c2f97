// Turns one started node's events into dashboard changes: its identity once, a point per round,
// evaluations, and its live state at most once per interval (after a round when due, else by timer).
import { roundPoint, trackNode, type ObservedNode, type ViewEvent } from '@murmur/metrics'
import type { SwarmNode } from '@murmur/node'
import { LIVE_INTERVAL_MS } from './constants.js'

/** Options of `followNode`. */
export interface FollowNodeInit {
  /** The node's index in the view (0 for a lone node). */
  index: number
  /** The node's resolved config, shown on the page. */
  config: unknown
  /** Least time between two live-state updates. Default `LIVE_INTERVAL_MS`. */
  intervalMs?: number
  now?: () => number
}

/** A followed node. */
export interface FollowedNode {
  /** Reports a held-out evaluation made outside a round (before the first, after the last). */
  recordEval(round: number, accuracy: number): void
  /** Stops following (timers and listeners). */
  stop(): void
}

/** Follows a started node, sending every change to `sink`. */
export function followNode (node: ObservedNode & Pick<SwarmNode, 'info'>, sink: (event: ViewEvent) => void, init: FollowNodeInit): FollowedNode {
  const now = init.now ?? Date.now
  const index = init.index
  const tracker = trackNode(node, { now })
  const intervalMs = init.intervalMs ?? LIVE_INTERVAL_MS
  // Live state costs a few ms to gather and serialize, a node's round can be ~0.1 s: send it at
  // most once per interval (after a round when one is due, else from the timer), never per round.
  let lastLive = -Infinity
  const sendLive = (): void => {
    const t = now()
    if (!node.isStarted() || t - lastLive < intervalMs) return
    lastLive = t
    sink({ type: 'live', node: index, live: tracker.live() })
  }
  const info = node.info()
  sink({ type: 'node', node: index, view: { index, peerId: info.peerId, addrs: info.addrs, config: init.config, rounds: [], evals: [], live: tracker.live(), restarts: 0 } })
  const off = node.events.on('round:completed', e => {
    const point = roundPoint(e.detail, now())
    sink({ type: 'round', node: index, point })
    if (point.evalAccuracy !== undefined) sink({ type: 'eval', node: index, round: point.round, accuracy: point.evalAccuracy })
    sendLive()
  })
  const timer = setInterval(sendLive, intervalMs)
  timer.unref()
  return {
    recordEval (round, accuracy) { sink({ type: 'eval', node: index, round, accuracy }) },
    stop () {
      clearInterval(timer)
      off()
      tracker.stop()
    }
  }
}

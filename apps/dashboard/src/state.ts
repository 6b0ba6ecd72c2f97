// The dashboard's model: a `SwarmView` kept current by `ViewEvent`s (rounds, evaluations, live
// state, node (re)starts), with bounded history, and listeners for the live stream.
import type { NodeView, SwarmView, ViewEvent } from '@murmur/metrics'
import { MAX_EVAL_POINTS, MAX_ROUND_POINTS } from './constants.js'

/** The state behind a dashboard. */
export interface SwarmState {
  /** A snapshot of the whole view. */
  view(): SwarmView
  /** Applies one change and tells the listeners. */
  apply(event: ViewEvent): void
  /** Calls `listener` with every applied change; returns a function that unsubscribes. */
  subscribe(listener: (event: ViewEvent) => void): () => void
}

/** Options of `createSwarmState`. */
export interface SwarmStateInit {
  title: string
  /** Round points kept per node. Default `MAX_ROUND_POINTS`. */
  maxRounds?: number
  now?: () => number
}

/** An empty view with no nodes; nodes appear with their first `node` event. */
export function createSwarmState (init: SwarmStateInit): SwarmState {
  const maxRounds = init.maxRounds ?? MAX_ROUND_POINTS
  const view: SwarmView = { title: init.title, startedAt: (init.now ?? Date.now)(), nodes: [] }
  const listeners = new Set<(event: ViewEvent) => void>()
  // Nodes are listed by index without gaps: one reporting before a lower-numbered one (a sim's
  // nodes start in parallel) makes placeholders for those until they report.
  const node = (index: number): NodeView => {
    for (let i = view.nodes.length; i <= index; i++) view.nodes.push({ index: i, peerId: '', addrs: [], config: {}, rounds: [], evals: [], live: undefined, restarts: 0 })
    return view.nodes[index]
  }
  return {
    view: () => view,
    apply (event) {
      const n = node(event.node)
      switch (event.type) {
        case 'node': {
          // A restarted node keeps its history: it resumes from its checkpoint.
          const { rounds, evals } = n
          Object.assign(n, event.view, { rounds: rounds.length > 0 ? rounds : event.view.rounds, evals: evals.length > 0 ? evals : event.view.evals })
          break
        }
        case 'round': {
          const last = n.rounds.at(-1)
          // A node restarted from an older checkpoint repeats rounds: keep one point per round.
          if (last !== undefined && event.point.round <= last.round) n.rounds = n.rounds.filter(p => p.round < event.point.round)
          n.rounds.push(event.point)
          if (n.rounds.length > maxRounds) n.rounds.splice(0, n.rounds.length - maxRounds)
          break
        }
        case 'eval':
          n.evals.push({ round: event.round, accuracy: event.accuracy })
          if (n.evals.length > MAX_EVAL_POINTS) n.evals.shift()
          break
        case 'live':
          n.live = event.live
          break
      }
      for (const l of listeners) l(event)
    },
    subscribe (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}

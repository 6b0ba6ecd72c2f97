// The host's network events as one-line status messages for the operator: joined / re-joined,
// bootstrap lost but peers left, join failed (the diagnosis), reachability, DCUtR upgrades and
// the first accepted peer group. Repeats of the same state are not re-reported.
import { formatAttempt } from './diagnosis.js'
import type { SwarmHost } from './host.js'

/** A network status change worth telling the operator about. */
export interface HostStatus {
  kind: 'joined' | 'rejoined' | 'degraded' | 'join-failed' | 'reachability' | 'upgraded' | 'first-group'
  /** One line for humans. */
  message: string
}

/** Calls `onStatus` for each status change of `host` (from now on); returns a function that stops it. */
export function watchHostStatus (host: SwarmHost, onStatus: (status: HostStatus) => void, now: () => number = Date.now): () => void {
  const since = now()
  let last = ''
  let firstGroup = false
  const detach = [
    host.on('join:status', ({ detail: e }) => {
      if (e.type === 'failed') {
        onStatus({ kind: 'join-failed', message: `${e.diagnosis}; retrying in ${Math.round(e.retryInMs / 1000)} s` })
        last = 'failed'
      } else if (e.type === 'joined') {
        const kind = e.rejoin || last === 'failed' || last === 'degraded' ? 'rejoined' : 'joined'
        if (last !== 'joined') {
          const used = e.attempts.filter(a => a.ok).map(a => a.address).join(', ')
          onStatus({ kind, message: `${kind === 'rejoined' ? 're-bootstrapped' : 'joined'} swarm "${host.config.swarmId}" via ${used} (${e.peers} swarm peers so far)` })
        }
        last = 'joined'
      } else if (last !== 'degraded') {
        onStatus({ kind: 'degraded', message: `no bootstrap peer answers (${e.attempts.map(formatAttempt).join('; ')}); still connected to ${e.peers} swarm peers` })
        last = 'degraded'
      }
    }),
    host.on('reachability:changed', ({ detail: r }) => {
      const how = r.status === 'public' ? (host.config.publicOnly ? 'publicly reachable' : 'directly reachable') : r.status === 'relayed' ? 'reachable through a relay only' : 'not reachable from outside (outbound connections only)'
      onStatus({ kind: 'reachability', message: `${how}: ${r.addresses.join(', ') || 'no announced address'}` })
    }),
    host.on('connection:upgraded', ({ detail }) => {
      onStatus({ kind: 'upgraded', message: `direct connection to ${detail.peerId}, which was reached through a relay until now (DCUtR hole punch or a direct dial)` })
    }),
    host.on('rollout:received', ({ detail }) => {
      if (firstGroup) return
      firstGroup = true
      onStatus({ kind: 'first-group', message: `first peer group accepted from ${detail.from} after ${now() - since} ms` })
    })
  ]
  return () => { for (const d of detach.splice(0)) d() }
}

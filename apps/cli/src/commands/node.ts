/**
 * `murmur node`: runs one node until its rounds are done (or forever with --rounds 0). Resumes
 * from the last checkpoint in its data directory. With --ipc (used by `murmur sim`) it reports
 * to its parent process instead of printing.
 */
import { createSwarmNode, resolveConfig, loadConfigFile, type NodeConfig } from '@murmur/node'
import { createLogger, scopeMatcher } from '@murmur/interface'
import type { ViewEvent } from '@murmur/metrics'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import type { ChildMessage, ParentMessage } from '../ipc.js'
import { DASHBOARD_FLAGS, dashboardOptions, nodeMetricsFor, observeNode, type NodeObservation } from '../observe.js'
import { fmt } from '../table.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  ipc: { type: 'boolean', doc: 'report to a parent `murmur sim` process over IPC (internal)' },
  'ipc-view': { type: 'boolean', doc: 'with --ipc: also stream dashboard changes to the parent (internal)' },
  ...DASHBOARD_FLAGS,
  eval: { type: 'boolean', doc: 'evaluate held-out accuracy before the first and after the last round', default: true }
}
const USAGE = 'murmur node [--config file.json] [config flags]'
const DESCRIPTION = 'Runs one node: generates and scores rollouts, shares them with the swarm, trains on its own and its peers\' groups, checkpoints every round.'

/** Runs the `node` command. */
export async function nodeCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, true)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, true)); return }
  const file = typeof args.flags.config === 'string' ? await loadConfigFile(args.flags.config) : undefined
  const config: NodeConfig = resolveConfig({ file, env: process.env, flags: args.config })
  const ipc = args.flags.ipc === true && typeof process.send === 'function'
  const json = args.flags.json === true
  const report = (msg: ChildMessage): void => {
    if (ipc) process.send?.(msg)
    else if (json) ctx.out(JSON.stringify(msg.type === 'round' ? { type: 'round', ...msg.metrics } : msg))
  }
  const logger = createLogger('murmur', {
    enabled: scopeMatcher(process.env.MURMUR_DEBUG ?? (ctx.verbose ? 'murmur*' : '')),
    write: line => { ctx.err(line) }
  })

  const abort = new AbortController()
  const stop = (): void => { abort.abort() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  if (ipc) {
    process.on('message', (msg: ParentMessage) => {
      if (msg.type === 'stop') stop()
      if (msg.type === 'peers') void node.dial(msg.addrs).catch(() => {})
    })
    process.once('disconnect', stop)
  }

  const dashboard = dashboardOptions(args.flags)
  const metrics = await nodeMetricsFor(config)
  const node = await createSwarmNode(config, { logger, netMetrics: metrics?.netMetrics })
  let observation: NodeObservation | undefined
  try {
    await node.start()
    const info = node.info()
    observation = await observeNode(node, config, {
      metrics,
      dashboard,
      ...(ipc && args.flags['ipc-view'] === true ? { sink: (event: ViewEvent) => { report({ type: 'view', event }) } } : {})
    })
    if (!ipc && !json) {
      ctx.err(`node ${info.peerId} listening on ${info.addrs.join(', ') || '(networking off)'}`)
      ctx.err(`resolved config: ${JSON.stringify(config)}`)
      if (info.resumed) ctx.err(`resumed from checkpoint; next round ${info.nextRound}`)
    }
    if (!ipc) for (const line of observation.lines) ctx.err(line)
    report({ type: 'ready', peerId: info.peerId, addrs: info.addrs, nextRound: info.nextRound, resumed: info.resumed })
    const doEval = args.flags.eval !== false
    if (doEval && !info.resumed) {
      const { accuracy } = await node.evaluate({ signal: abort.signal })
      observation.recordEval(info.nextRound, accuracy)
      report({ type: 'eval', phase: 'start', round: info.nextRound, accuracy })
      if (!ipc && !json) ctx.err(`held-out accuracy before training: ${fmt(accuracy)}`)
    }
    node.events.on('round:completed', e => {
      const m = e.detail
      report({ type: 'round', metrics: m })
      if (!ipc && !json) {
        ctx.err(`round ${m.round}: reward ${fmt(m.reward)} accuracy ${fmt(m.accuracy)} peers ${m.peers} peer groups ${m.peerGroupsUsed}/${m.peerGroupsAvailable} loss ${fmt(m.loss, 4)} (${m.timings.roundMs.toFixed(0)} ms)`)
      }
    })
    const rounds = await node.run({ signal: abort.signal })
    if (doEval && !abort.signal.aborted) {
      const { accuracy } = await node.evaluate({ signal: abort.signal })
      observation.recordEval(info.nextRound + rounds, accuracy)
      report({ type: 'eval', phase: 'end', round: info.nextRound + rounds, accuracy })
      if (!ipc && !json) ctx.err(`held-out accuracy after training: ${fmt(accuracy)}`)
    }
    report({ type: 'finished', rounds })
    // Under `murmur sim`, stay up (serving peers) until the parent says stop.
    if (ipc && !abort.signal.aborted) await new Promise(resolve => abort.signal.addEventListener('abort', resolve, { once: true }))
  } catch (err) {
    if (ipc) report({ type: 'fatal', message: (err as Error).message })
    throw err
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    await observation?.stop()
    await node.stop()
    if (ipc) process.disconnect?.()
  }
}

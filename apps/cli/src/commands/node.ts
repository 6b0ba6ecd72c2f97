/**
 * `murmur node`: runs one node until its rounds are done (or forever with --rounds 0). Resumes
 * from the last checkpoint in its data directory. With --swarm it joins the swarm a swarm file
 * describes and runs under a supervisor that restarts it after a crash. With --ipc (used by
 * `murmur sim`) it reports to its parent process instead of printing.
 */
import { createSwarmNode, resolveConfig, loadConfigFile, type NodeConfig } from '@murmur/node'
import { createLogger, scopeMatcher } from '@murmur/interface'
import { loadSwarmFile } from '@murmur/net'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import type { ChildMessage, ParentMessage } from '../ipc.js'
import { supervise } from '../supervisor.js'
import { mergeConfigLayers, swarmConfigLayer } from '../swarm-config.js'
import { fmt } from '../table.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  ipc: { type: 'boolean', doc: 'report to a parent `murmur sim` process over IPC (internal)' },
  eval: { type: 'boolean', doc: 'evaluate held-out accuracy before the first and after the last round', default: true },
  swarm: { type: 'string', doc: 'swarm file: join the swarm it describes (id, bootstrap peers and URLs, model, task mix, key)' },
  supervise: { type: 'boolean', doc: 'restart the node after a crash (default: on with --swarm; --no-supervise turns it off)' }
}
const USAGE = 'murmur node [--swarm swarm.json] [--config file.json] [config flags]'
const DESCRIPTION = 'Runs one node: generates and scores rollouts, shares them with the swarm, trains on its own and its peers\' groups, checkpoints every round.'

/** Runs the `node` command. */
export async function nodeCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, true)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, true)); return }
  const ipc = args.flags.ipc === true && typeof process.send === 'function'
  const swarmPath = typeof args.flags.swarm === 'string' ? args.flags.swarm : undefined
  const swarm = swarmPath === undefined ? undefined : await loadSwarmFile(swarmPath)
  if (!ipc && (args.flags.supervise ?? swarm !== undefined) === true) {
    const abort = new AbortController()
    const stop = (): void => { abort.abort() }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      const result = await supervise({ binPath: ctx.binPath, args: ['node', ...argv, '--no-supervise'], log: ctx.err, signal: abort.signal })
      process.exitCode = result.code
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
    return
  }
  const userFile = typeof args.flags.config === 'string' ? await loadConfigFile(args.flags.config) : undefined
  const file = swarm === undefined ? userFile : mergeConfigLayers(swarmConfigLayer(swarm), userFile)
  const config: NodeConfig = resolveConfig({ file, env: process.env, flags: args.config })
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

  const node = await createSwarmNode(config, { logger })
  node.events.on('net:status', ({ detail }) => {
    if (json) ctx.out(JSON.stringify({ type: 'net', ...detail }))
    else if (!ipc) ctx.err(`net: ${detail.message}`)
  })
  try {
    await node.start()
    const info = node.info()
    if (!ipc && !json) {
      ctx.err(`node ${info.peerId} listening on ${info.addrs.join(', ') || '(networking off)'}`)
      ctx.err(`resolved config: ${JSON.stringify(config)}`)
      if (info.resumed) ctx.err(`resumed from checkpoint; next round ${info.nextRound}`)
    }
    report({ type: 'ready', peerId: info.peerId, addrs: info.addrs, nextRound: info.nextRound, resumed: info.resumed })
    const doEval = args.flags.eval !== false
    if (doEval && !info.resumed) {
      const { accuracy } = await node.evaluate({ signal: abort.signal })
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
    await node.stop()
    if (ipc) process.disconnect?.()
  }
}

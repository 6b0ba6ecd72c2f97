/**
 * `murmur node`: runs one node until its rounds are done (or forever with --rounds 0). Resumes
 * from the last checkpoint in its data directory. With --swarm it joins the swarm a swarm file
 * describes and runs under a supervisor that restarts it after a crash. With --json it prints
 * one JSON line per event.
 */
import { fileURLToPath } from 'node:url'
import { createSwarmNode, resolveNodeConfig, loadConfigFile } from '@murmur/node'
import { createLogger, scopeMatcher } from '@murmur/interface'
import { loadSwarmFile } from '@murmur/net'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { DASHBOARD_FLAGS, dashboardOptions, nodeMetricsFor, observeNode, type NodeObservation } from '../observe.js'
import { supervise } from '../supervisor.js'
import { mergeConfigLayers, swarmConfigLayer } from '../swarm-config.js'
import { fmt } from '../table.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  eval: { type: 'boolean', doc: 'evaluate held-out accuracy before the first and after the last round', default: true },
  swarm: { type: 'string', doc: 'swarm file: join the swarm it describes (id, bootstrap peers and URLs, model, task mix, key)' },
  supervise: { type: 'boolean', doc: 'restart the node after a crash (default: on with --swarm; --no-supervise turns it off)' },
  ...DASHBOARD_FLAGS
}
const USAGE = 'murmur node [--swarm swarm.json] [--config file.json] [config flags]'
/** The CLI entry point, which the supervisor re-runs as its child. */
const BIN = fileURLToPath(new URL('../bin.js', import.meta.url))
const DESCRIPTION = 'Runs one node: generates and scores rollouts, shares them with the swarm, trains on its own and its peers\' groups, checkpoints every round.'

/** Runs the `node` command. */
export async function nodeCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, true)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, true)); return }
  const swarm = typeof args.flags.swarm === 'string' ? await loadSwarmFile(args.flags.swarm) : undefined
  if ((args.flags.supervise ?? swarm !== undefined) === true) {
    const abort = new AbortController()
    const stop = (): void => { abort.abort() }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      const result = await supervise({ binPath: BIN, args: ['node', ...argv, '--no-supervise'], log: ctx.err, signal: abort.signal })
      process.exitCode = result.code
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
    return
  }
  const userFile = typeof args.flags.config === 'string' ? await loadConfigFile(args.flags.config) : undefined
  const file = swarm === undefined ? userFile : mergeConfigLayers(swarmConfigLayer(swarm), userFile)
  // No seed set: a networked node derives it from its peer id, so swarm members draw different tasks.
  const { config, seedFrom } = await resolveNodeConfig({ file, env: process.env, flags: args.config })
  const json = args.flags.json === true
  const report = (msg: Record<string, unknown> & { type: string }): void => {
    if (json) ctx.out(JSON.stringify(msg))
  }
  const logger = createLogger('murmur', {
    enabled: scopeMatcher(process.env.MURMUR_DEBUG ?? (ctx.verbose ? 'murmur*' : '')),
    write: line => { ctx.err(line) }
  })

  const abort = new AbortController()
  let stopSignal: NodeJS.Signals | undefined
  // The first SIGINT/SIGTERM stops cleanly (the round in flight is abandoned; the last checkpoint
  // is where the next start resumes); a second one exits at once.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopSignal === undefined) {
      stopSignal = signal
      ctx.err(`murmur: ${signal}: stopping (send it again to exit at once)`)
      abort.abort()
      return
    }
    ctx.err(`murmur: second ${signal}: exiting now; the next start resumes from the last checkpoint`)
    // Die by the signal itself (the shell sees 128 + signo), not process.exit: exit handlers
    // tearing down a worker thread in the middle of an onnxruntime run abort the process
    // ("terminate called after throwing Napi::Error") instead of exiting. With no listener left,
    // Node restores the default action, which ends the process before kill returns.
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let node: Awaited<ReturnType<typeof createSwarmNode>> | undefined
  let observation: NodeObservation | undefined

  try {
    const metrics = await nodeMetricsFor(config)
    node = await createSwarmNode(config, { logger, netMetrics: metrics?.netMetrics })
    node.events.on('net:status', ({ detail }) => {
      if (json) report({ type: 'net', ...detail })
      else ctx.err(`net: ${detail.message}`)
    })
    if (abort.signal.aborted) return
    await node.start()
    const info = node.info()
    observation = await observeNode(node, config, { metrics, dashboard: dashboardOptions(args.flags) })
    if (!json) {
      ctx.err(`node ${info.peerId} listening on ${info.addrs.join(', ') || '(networking off)'}; onnxruntime on ${info.device}; seed ${config.seed}${seedFrom === 'peer-id' ? ' (from the peer id)' : ''}`)
      ctx.err(`resolved config: ${JSON.stringify(config)}`)
      if (info.resumed) ctx.err(`resumed from checkpoint; next round ${info.nextRound}`)
    }
    for (const line of observation.lines) ctx.err(line)
    report({ type: 'ready', peerId: info.peerId, addrs: info.addrs, nextRound: info.nextRound, resumed: info.resumed, device: info.device, seed: config.seed, seedFrom })
    const doEval = args.flags.eval !== false
    if (doEval && !info.resumed) {
      const { accuracy } = await node.evaluate({ signal: abort.signal })
      observation.recordEval(info.nextRound, accuracy)
      report({ type: 'eval', phase: 'start', round: info.nextRound, accuracy })
      if (!json) ctx.err(`held-out accuracy before training: ${fmt(accuracy)}`)
    }
    node.events.on('round:completed', e => {
      const m = e.detail
      report({ type: 'round', ...m })
      if (!json) {
        ctx.err(`round ${m.round}: reward ${fmt(m.reward)} accuracy ${fmt(m.accuracy)} peers ${m.peers} peer groups ${m.peerGroupsUsed}/${m.peerGroupsAvailable} loss ${fmt(m.loss, 4)} (${m.timings.roundMs.toFixed(0)} ms)`)
      }
    })
    const rounds = await node.run({ signal: abort.signal })
    if (doEval && !abort.signal.aborted) {
      const { accuracy } = await node.evaluate({ signal: abort.signal })
      observation.recordEval(info.nextRound + rounds, accuracy)
      report({ type: 'eval', phase: 'end', round: info.nextRound + rounds, accuracy })
      if (!json) ctx.err(`held-out accuracy after training: ${fmt(accuracy)}`)
    }
    report({ type: 'finished', rounds })
  } catch (err) {
    // A stop request aborts the round in flight: that is a clean stop, not a failure.
    if (abort.signal.aborted && isAbort(err)) return
    throw err
  } finally {
    await observation?.stop()
    await node?.stop()
    if (stopSignal !== undefined) ctx.err(`murmur: stopped by ${stopSignal}; the next start with this data directory resumes from its last checkpoint`)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

function isAbort (err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return code === 'ERR_ABORTED' || (err as Error).name === 'AbortError'
}

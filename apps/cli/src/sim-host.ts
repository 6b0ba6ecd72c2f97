/**
 * One process of `murmur sim`: runs the nodes named on its command line (`<index>=<config.json>`
 * each) and reports to the parent over IPC. Every node keeps its own libp2p host, level store,
 * policy and trainer; with more than one node here they share the process (its V8 heap, the
 * loaded libp2p and onnxruntime code, and its main thread as the one onnxruntime executor of
 * their training steps — `sharedProcess`), and each its own metrics registry and /metrics port
 * (`metrics.port`). Forked by simulation.ts (`--view` first: stream dashboard changes); not a
 * user command.
 */
import { createLogger, scopeMatcher } from '@murmur/interface'
import { createSwarmNode, loadConfigFile, resolveConfig, type NodeConfig, type SwarmNode } from '@murmur/node'
import type { NodeMetrics } from '@murmur/metrics'
import type { ChildMessage, ParentMessage } from './ipc.js'
import { nodeMetricsFor, observeNode } from './observe.js'

interface Hosted { index: number, node: SwarmNode, config: NodeConfig, metrics: NodeMetrics | undefined }

function send (msg: ChildMessage): void {
  process.send?.(msg)
}

/**
 * Runs one node to completion: ready → held-out eval → rounds → eval → finished, then serves
 * peers (and its /metrics, when `metrics.port` is set) until stopped. With `view`, the node's
 * dashboard changes go to the parent (`murmur sim --dashboard`).
 */
async function runNode ({ index, node, config, metrics }: Hosted, stopped: AbortSignal, view: boolean, nodesHere: number): Promise<void> {
  await node.start()
  const info = node.info()
  const observation = await observeNode(node, config, { metrics, ...(view ? { sink: event => { send({ type: 'view', node: index, event }) } } : {}) })
  stopped.addEventListener('abort', () => { void observation.stop() }, { once: true })
  send({ type: 'ready', node: index, peerId: info.peerId, addrs: info.addrs, nextRound: info.nextRound, resumed: info.resumed, device: info.device })
  const evaluate = async (phase: 'start' | 'end', round: number): Promise<void> => {
    const report = await node.evaluate({ signal: stopped })
    observation.recordEval(round, report.accuracy)
    send({ type: 'eval', node: index, phase, round, accuracy: report.accuracy, report })
  }
  if (!info.resumed) await evaluate('start', info.nextRound)
  node.events.on('round:completed', e => { send({ type: 'round', node: index, metrics: e.detail }) })
  const rounds = await node.run({ signal: stopped })
  if (stopped.aborted) return
  await evaluate('end', info.nextRound + rounds)
  // CPU time of this process (all its threads), shared evenly among the nodes it hosts: the compute side of sharing.
  const cpu = process.cpuUsage()
  send({ type: 'finished', node: index, rounds, cpuSeconds: (cpu.user + cpu.system) / 1e6 / nodesHere })
}

async function main (): Promise<void> {
  if (typeof process.send !== 'function') throw new Error('sim-host runs under murmur sim (it needs an IPC channel)')
  const logger = createLogger('murmur', { enabled: scopeMatcher(process.env.MURMUR_DEBUG ?? ''), write: line => { process.stderr.write(line + '\n') } })
  const args = process.argv.slice(2)
  const view = args[0] === '--view'
  const specs = args.slice(view ? 1 : 0).map(arg => {
    const eq = arg.indexOf('=')
    return { index: Number(arg.slice(0, eq)), path: arg.slice(eq + 1) }
  })
  const shared = specs.length > 1
  const stop = new AbortController()
  const onStop = (): void => { stop.abort() }
  process.once('SIGINT', onStop)
  process.once('SIGTERM', onStop)
  process.once('disconnect', onStop)
  const hosted: Hosted[] = []
  process.on('message', (msg: ParentMessage) => {
    if (msg.type === 'stop') stop.abort()
    if (msg.type === 'peers') {
      const h = hosted.find(x => x.index === msg.node)
      if (h?.node.isStarted() === true) void h.node.dial(msg.addrs).catch(() => {})
    }
  })
  try {
    // Built concurrently: loading a model and starting a policy worker overlap across nodes.
    // Every node that was built is kept (and so stopped below) even when another one failed.
    const built = await Promise.allSettled(specs.map(async s => {
      const config = resolveConfig({ file: await loadConfigFile(s.path) })
      const metrics = await nodeMetricsFor(config)
      return { index: s.index, node: await createSwarmNode(config, { logger: logger.child(`node-${s.index}`), sharedProcess: shared, netMetrics: metrics?.netMetrics }), config, metrics }
    }))
    for (const b of built) if (b.status === 'fulfilled') hosted.push(b.value)
    const failed = built.find(b => b.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    await Promise.all(hosted.map(async h => {
      try {
        await runNode(h, stop.signal, view, hosted.length)
      } catch (err) {
        if (!stop.signal.aborted) send({ type: 'fatal', node: h.index, message: (err as Error).message })
        throw err
      }
    }))
    // Stay up (serving peers) until the parent says stop.
    if (!stop.signal.aborted) await new Promise(resolve => stop.signal.addEventListener('abort', resolve, { once: true }))
  } finally {
    await Promise.allSettled(hosted.map(async h => { await h.node.stop() }))
    process.disconnect?.()
  }
}

await main().catch((err: unknown) => {
  process.stderr.write(`murmur sim-host: ${(err as Error).message}\n`)
  process.exitCode = 1
})

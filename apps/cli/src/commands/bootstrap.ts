/**
 * `murmur bootstrap`: runs a bootstrap/relay peer until SIGINT/SIGTERM. With `--swarm <file>`
 * the swarm id, key and public/private mode come from the swarm file, so the bootstrap and the
 * nodes that join it cannot disagree.
 */
import { readFile } from 'node:fs/promises'
import { createBootstrapServer, DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT } from '@murmur/bootstrap'
import { createNodeMetrics } from '@murmur/metrics'
import { createLogger, scopeMatcher } from '@murmur/interface'
import { DEFAULT_BOOTSTRAP_LISTEN, DEFAULT_BOOTSTRAP_MAX_CONNECTIONS, DEFAULT_RELAY_LIMITS, DEFAULT_SWARM_ID, loadSwarmFile } from '@murmur/net'
import { parseCommandArgs, formatHelp, positiveInt, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  swarm: { type: 'string', doc: 'swarm file (id, key file, public/private); flags below override it' },
  'swarm-id': { type: 'string', doc: `swarm id when no swarm file is given (default ${DEFAULT_SWARM_ID}, as a node's net.swarmId)` },
  'psk-file': { type: 'string', doc: 'pre-shared key file of a private swarm' },
  public: { type: 'boolean', doc: 'public swarm: never announce or dial private addresses' },
  'data-dir': { type: 'string', doc: 'identity, peer store and seen-peer table', default: '.murmur/bootstrap' },
  listen: { type: 'string', doc: 'comma-separated libp2p listen multiaddrs', default: DEFAULT_BOOTSTRAP_LISTEN.join(',') },
  announce: { type: 'string', doc: 'comma-separated multiaddrs to announce instead (public IP / DNS name)' },
  'http-host': { type: 'string', doc: 'HTTP bind address', default: DEFAULT_HTTP_HOST },
  'http-port': { type: 'string', doc: 'HTTP port of /health, /bootstrap, /metrics', default: String(DEFAULT_HTTP_PORT) },
  'max-connections': { type: 'string', doc: 'connection limit', default: String(DEFAULT_BOOTSTRAP_MAX_CONNECTIONS) },
  'relay-reservations': { type: 'string', doc: 'most relay reservations held at once', default: String(DEFAULT_RELAY_LIMITS.maxReservations) },
  'relay-data-limit': { type: 'string', doc: 'bytes relayed per connection', default: String(DEFAULT_RELAY_LIMITS.dataLimitBytes) },
  'relay-duration-limit': { type: 'string', doc: 'seconds a relayed connection may stay open', default: String(DEFAULT_RELAY_LIMITS.durationLimitMs / 1000) }
}
const USAGE = 'murmur bootstrap [--swarm swarm.json] [--listen /ip4/0.0.0.0/tcp/4001] [--http-port 4080]'
const DESCRIPTION = 'Runs a bootstrap/relay peer: DHT server, circuit-relay-v2 server, AutoNAT v2, and HTTP /health, /bootstrap (recently seen peers), /metrics. No model, no training.'

function list (v: unknown): string[] | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.split(',').map(s => s.trim()).filter(s => s !== '') : undefined
}

/** Runs the `bootstrap` command. */
export async function bootstrapCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, false)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, false)); return }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`)
  const port = Number(args.flags['http-port'])
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--http-port must be a port number, got "${String(args.flags['http-port'])}"`)
  const swarm = typeof args.flags.swarm === 'string' ? await loadSwarmFile(args.flags.swarm) : undefined
  const pskFile = (args.flags['psk-file'] as string | undefined) ?? swarm?.pskFile
  const psk = pskFile === undefined ? undefined : new Uint8Array(await readFile(pskFile).catch((err: unknown) => { throw new UsageError(`--psk-file: cannot read "${pskFile}": ${(err as Error).message}`) }))
  const logger = createLogger('murmur', {
    enabled: scopeMatcher(process.env.MURMUR_DEBUG ?? (ctx.verbose ? 'murmur*' : '')),
    write: line => { ctx.err(line) }
  })
  // /metrics: this process's metrics (CPU, memory, event loop) in a registry of its own.
  const metrics = await createNodeMetrics({ libp2p: false, gossipsub: false })
  const server = createBootstrapServer({
    metricsHandler: async () => ({ body: await metrics.render(), contentType: metrics.contentType }),
    swarmId: (args.flags['swarm-id'] as string | undefined) ?? swarm?.id ?? DEFAULT_SWARM_ID,
    dataDir: args.flags['data-dir'] as string,
    listen: list(args.flags.listen),
    announce: list(args.flags.announce),
    publicOnly: args.flags.public === true || swarm?.public === true,
    ...(psk === undefined ? {} : { psk }),
    maxConnections: positiveInt('--max-connections', args.flags['max-connections']),
    httpHost: args.flags['http-host'] as string,
    httpPort: port,
    relay: {
      maxReservations: positiveInt('--relay-reservations', args.flags['relay-reservations']),
      dataLimitBytes: positiveInt('--relay-data-limit', args.flags['relay-data-limit']),
      durationLimitMs: positiveInt('--relay-duration-limit', args.flags['relay-duration-limit']) * 1000
    },
    logger: logger.child('bootstrap')
  })

  const done = new AbortController()
  const stop = (): void => { done.abort() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    await server.start()
    const info = server.info()
    if (args.flags.json === true) ctx.out(JSON.stringify({ type: 'ready', ...info }))
    else {
      ctx.err(`bootstrap ${info.peerId} for swarm "${info.swarmId}"`)
      ctx.err(`libp2p: ${info.addrs.join(', ')}`)
      ctx.err(`http: http://${String(args.flags['http-host'])}:${info.httpPort}/health /bootstrap /metrics`)
    }
    await new Promise(resolve => { done.signal.addEventListener('abort', resolve, { once: true }) })
    if (args.flags.json !== true) ctx.err('stopping')
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    await server.stop()
  }
}

// The dashboard server: the page, its assets, the view as JSON and a server-sent-events stream
// of changes, optionally the node's /metrics too, on the read-only server of @murmur/metrics.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '@murmur/interface'
import { metricsRoute, send, startObserveServer, type ObserveServer, type RouteHandler, type ViewEvent } from '@murmur/metrics'
import { loadAssets, type Asset } from './assets.js'
import { MAX_CLIENTS, SSE_HEARTBEAT_MS } from './constants.js'
import type { SwarmState } from './state.js'

/** Options of `startDashboard`. */
export interface DashboardInit {
  state: SwarmState
  /** Default 127.0.0.1; anything else needs `token`. */
  host?: string
  /** 0 picks a free port. */
  port: number
  token?: string
  /** Also serve these metrics at /metrics. */
  metrics?: { render(): Promise<string>, readonly contentType: string }
  logger?: Logger
}

/** Serves the dashboard; `url` is where to open it. */
export async function startDashboard (init: DashboardInit): Promise<ObserveServer> {
  const assets = await loadAssets()
  const routes: Record<string, RouteHandler> = {}
  for (const [path, asset] of assets) routes[path] = assetRoute(asset)
  routes['/api/view'] = (_req, res) => { send(res, 200, JSON.stringify(init.state.view()), 'application/json') }
  const streams = new Set<ServerResponse>()
  routes['/api/events'] = (req, res) => { openStream(req, res, init.state, streams) }
  if (init.metrics !== undefined) routes['/metrics'] = metricsRoute(init.metrics)
  return await startObserveServer({ host: init.host, port: init.port, token: init.token, routes, logger: init.logger })
}

function assetRoute (asset: Asset): RouteHandler {
  return (req, res) => {
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, { etag: asset.etag })
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': asset.contentType, 'content-length': asset.body.length, etag: asset.etag, 'cache-control': 'no-cache' })
    res.end(req.method === 'HEAD' ? undefined : asset.body)
  }
}

/** A server-sent-events stream: the whole view first, then every change. */
function openStream (req: IncomingMessage, res: ServerResponse, state: SwarmState, streams: Set<ServerResponse>): void {
  if (streams.size >= MAX_CLIENTS) {
    send(res, 503, 'too many dashboards open\n')
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
  if (req.method === 'HEAD') { res.end(); return }
  streams.add(res)
  const write = (event: string, data: unknown): void => { res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`) }
  res.write('retry: 2000\n\n')
  write('view', state.view())
  const unsubscribe = state.subscribe((e: ViewEvent) => { write('change', e) })
  const heartbeat = setInterval(() => { res.write(': keep-alive\n\n') }, SSE_HEARTBEAT_MS)
  heartbeat.unref()
  res.on('close', () => {
    clearInterval(heartbeat)
    unsubscribe()
    streams.delete(res)
  })
}

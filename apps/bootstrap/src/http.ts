// The bootstrap's HTTP side: `/health` (liveness for container health checks and operators),
// `/bootstrap` (recently seen good peers, the discovery fallback nodes fetch), `/metrics`
// (served by the hook given at construction; 404 with a hint until one is given).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BootstrapList } from '@murmur/net'

/** What the metrics hook returns: a Prometheus text exposition (or any body) and its content type. */
export interface MetricsResponse { contentType: string, body: string }

/** The handlers the HTTP server calls. */
export interface HttpHandlers {
  health: () => Record<string, unknown> & { status: 'ok' | 'starting' }
  bootstrap: () => Promise<BootstrapList>
  metrics?: () => Promise<MetricsResponse>
}

function send (res: ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra })
  res.end(body)
}

async function route (req: IncomingMessage, res: ServerResponse, h: HttpHandlers): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') { send(res, 405, 'text/plain', 'only GET\n', { allow: 'GET, HEAD' }); return }
  const path = (req.url ?? '/').split('?')[0]
  if (path === '/health') {
    const health = h.health()
    send(res, health.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(health) + '\n')
  } else if (path === '/bootstrap') {
    // Short caching: lists change as peers come and go, but a burst of joiners may share one.
    send(res, 200, 'application/json', JSON.stringify(await h.bootstrap()) + '\n', { 'cache-control': 'max-age=10', 'access-control-allow-origin': '*' })
  } else if (path === '/metrics') {
    if (h.metrics === undefined) { send(res, 404, 'text/plain', 'metrics are not enabled in this bootstrap (no metrics hook was given)\n'); return }
    const m = await h.metrics()
    send(res, 200, m.contentType, m.body)
  } else {
    send(res, 404, 'text/plain', 'endpoints: /health /bootstrap /metrics\n')
  }
}

/** Starts the HTTP server; resolves with it and the bound port. */
export async function startHttp (host: string, port: number, handlers: HttpHandlers): Promise<{ server: Server, port: number }> {
  const server = createServer((req, res) => {
    route(req, res, handlers).catch(() => { if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n'); else res.destroy() })
  })
  // Idle keep-alive sockets must not hold stop() up.
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  return { server, port: (server.address() as AddressInfo).port }
}

/** Closes the server and every open connection. */
export async function stopHttp (server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>(resolve => { server.close(() => { resolve() }) })
}

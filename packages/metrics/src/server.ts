// A small read-only HTTP server for a node's metrics and dashboard. Safe by default: it binds to
// loopback; beyond loopback it refuses to start without a token, and then every request must
// carry it. Only GET and HEAD; no CORS headers at all (browsers keep other origins out); on
// loopback the Host header must name loopback too, so a DNS-rebinding page cannot read it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import { noopLogger, type Logger } from '@murmur/interface'
import { DEFAULT_HOST, TOKEN_COOKIE } from './constants.js'
import { ServerListenError, TokenRequiredError } from './errors.js'
import { tokenMatches } from './token.js'

/** Handles one GET/HEAD request to a path. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>

/** Options of `startObserveServer`. */
export interface ObserveServerInit {
  /** Address to bind. Default 127.0.0.1. Anything but loopback needs `token`. */
  host?: string
  /** Port; 0 picks a free one. */
  port: number
  /** Access token: `Authorization: Bearer <token>`, or `?token=` once (a cookie keeps it for the page). */
  token?: string
  /** Exact paths → handlers. */
  routes: Readonly<Record<string, RouteHandler>>
  logger?: Logger
}

/** A running server. */
export interface ObserveServer {
  /** Base URL, e.g. http://127.0.0.1:9464 (an IPv6 host in brackets). */
  readonly url: string
  readonly port: number
  /** Closes the listener and every open connection (SSE streams included). Idempotent. */
  stop(): Promise<void>
}

/** True for 127.0.0.0/8, ::1 and "localhost". */
export function isLoopback (host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'))
}

/** Headers every response carries. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

/** Starts the server; throws TokenRequiredError (non-loopback without a token) or ServerListenError. */
export async function startObserveServer (init: ObserveServerInit): Promise<ObserveServer> {
  const host = init.host ?? DEFAULT_HOST
  const log = init.logger ?? noopLogger('murmur:metrics:http')
  const loopback = isLoopback(host)
  if (!loopback && (init.token === undefined || init.token === '')) throw new TokenRequiredError(host)
  const token = init.token
  const server: Server = createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v)
    void handle(req, res).catch((err: unknown) => {
      log.error('request failed', err)
      if (!res.headersSent) send(res, 500, 'internal error\n')
      else res.destroy()
    })
  })
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      send(res, 405, 'read-only: GET and HEAD only\n')
      return
    }
    const hostHeader = req.headers.host ?? ''
    if (loopback && !isLoopback(hostHeader.replace(/:\d+$/, ''))) {
      send(res, 421, 'this server answers only to loopback host names\n')
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (token !== undefined) {
      const fromQuery = url.searchParams.get('token') ?? undefined
      const given = bearer(req) ?? cookie(req, TOKEN_COOKIE) ?? fromQuery
      if (!tokenMatches(token, given)) {
        res.setHeader('www-authenticate', 'Bearer')
        send(res, 401, 'token required: Authorization: Bearer <token> (the token is in observe.token in the data directory)\n')
        return
      }
      if (fromQuery !== undefined) res.setHeader('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(fromQuery)}; Path=/; HttpOnly; SameSite=Strict`)
    }
    const route = init.routes[url.pathname]
    if (route === undefined) {
      send(res, 404, 'not found\n')
      return
    }
    await route(req, res, url)
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', err => { reject(new ServerListenError(host, init.port, { cause: err })) })
    server.listen(init.port, host, () => { resolve() })
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : init.port
  let stopped: Promise<void> | undefined
  return {
    url: `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`,
    port,
    async stop () {
      stopped ??= new Promise<void>(resolve => {
        server.close(() => { resolve() })
        server.closeAllConnections()
      })
      await stopped
    }
  }
}

/** Sends a short plain-text response. */
export function send (res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

function bearer (req: IncomingMessage): string | undefined {
  const h = req.headers.authorization
  return h?.startsWith('Bearer ') === true ? h.slice(7).trim() : undefined
}

function cookie (req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

/** A route serving a node's metrics in the Prometheus text format. */
export function metricsRoute (metrics: { render(): Promise<string>, readonly contentType: string }): RouteHandler {
  return async (_req, res) => {
    const body = await metrics.render()
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' })
    res.end(res.req.method === 'HEAD' ? undefined : body)
  }
}

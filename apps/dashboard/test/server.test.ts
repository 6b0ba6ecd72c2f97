import { request } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'
import type { ObserveServer, RoundPoint } from '@murmur/metrics'
import { createSwarmState, startDashboard } from '../src/index.js'

const point: RoundPoint = { round: 0, t: 0, reward: Number.NaN, accuracy: 0, loss: 0, kl: 0, clipFraction: 0, gradNorm: 1, peerGroupsUsed: 0, peerGroupsAvailable: 0, generateMs: 1, scoreMs: 1, trainMs: 1, checkpointMs: 0, roundMs: 3, tokens: 10 }

/** Reads server-sent events until `count` have arrived. */
async function readEvents (url: string, count: number, onOpen: () => void): Promise<Array<{ event: string, data: unknown }>> {
  return await new Promise((resolve, reject) => {
    const out: Array<{ event: string, data: unknown }> = []
    const req = request(url, res => {
      expect(res.headers['content-type']).toBe('text/event-stream')
      let buf = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buf += chunk
        let i
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i)
          buf = buf.slice(i + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined && data !== undefined) out.push({ event, data: JSON.parse(data) })
          if (out.length === 1 && event === 'view') onOpen()
          if (out.length >= count) { req.destroy(); resolve(out) }
        }
      })
    })
    req.on('error', err => { if (out.length < count) reject(err) })
    req.end()
  })
}

describe('dashboard server', () => {
  const servers: ObserveServer[] = []
  afterAll(async () => { await Promise.all(servers.map(async s => { await s.stop() })) })

  it('serves the page and its assets from the node itself, under 200 KB in all', async () => {
    const s = await startDashboard({ state: createSwarmState({ title: 't' }), port: 0 })
    servers.push(s)
    const html = await (await fetch(s.url + '/')).text()
    const paths = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(m => m[1])
    expect(paths.every(p => p.startsWith('/'))).toBe(true) // nothing from another origin
    let total = html.length
    const queue = [...paths]
    const seen = new Set<string>()
    while (queue.length > 0) {
      const p = queue.shift() as string
      if (seen.has(p)) continue
      seen.add(p)
      const res = await fetch(s.url + p)
      expect(res.status, p).toBe(200)
      const body = await res.text()
      total += body.length
      // Follow the page's ES module imports (relative to the importing file).
      if (p.endsWith('.js') && !p.includes('uPlot')) for (const m of body.matchAll(/from '(\.[^']+)'/g)) queue.push(new URL(m[1], s.url + p).pathname)
    }
    expect(seen).toContain('/src/state.js')
    expect(seen).toContain('/uPlot.min.js')
    expect(total).toBeLessThan(200_000)
  })

  it('streams the whole view first, then each change; NaN travels as null', async () => {
    const state = createSwarmState({ title: 'sse' })
    const s = await startDashboard({ state, port: 0 })
    servers.push(s)
    const events = await readEvents(s.url + '/api/events', 2, () => { state.apply({ type: 'round', node: 0, point }) })
    expect(events[0]).toMatchObject({ event: 'view', data: { title: 'sse', nodes: [] } })
    expect(events[1]).toMatchObject({ event: 'change', data: { type: 'round', node: 0, point: { round: 0, reward: null } } })
  })

  it('answers JSON at /api/view and, when given metrics, Prometheus text at /metrics; never a CORS header', async () => {
    const state = createSwarmState({ title: 'api' })
    const s = await startDashboard({ state, port: 0, metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', render: async () => 'murmur_rounds_total 3\n' } })
    servers.push(s)
    const view = await fetch(s.url + '/api/view', { headers: { origin: 'http://evil.example' } })
    expect(await view.json()).toMatchObject({ title: 'api' })
    expect(view.headers.get('access-control-allow-origin')).toBeNull()
    expect(await (await fetch(s.url + '/metrics')).text()).toBe('murmur_rounds_total 3\n')
    expect((await fetch(s.url + '/api/view', { method: 'POST' })).status).toBe(405)
  })
})

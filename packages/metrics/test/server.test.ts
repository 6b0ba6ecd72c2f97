import { mkdtemp, rm, stat, chmod, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadOrCreateToken, send, startObserveServer, TOKEN_FILE, type ObserveServer } from '../src/index.js'

const routes = { '/hello': (_req: unknown, res: Parameters<typeof send>[0]): void => { send(res, 200, 'hi\n') } }

describe('observe server', () => {
  const servers: ObserveServer[] = []
  const dirs: string[] = []
  afterAll(async () => {
    await Promise.all(servers.map(async s => { await s.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('binds to loopback by default and serves GET without a token', async () => {
    const s = await startObserveServer({ port: 0, routes })
    servers.push(s)
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await fetch(`${s.url}/hello`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('hi\n')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
  })

  it('is read-only: other methods get 405', async () => {
    const s = await startObserveServer({ port: 0, routes })
    servers.push(s)
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await fetch(`${s.url}/hello`, { method })
      expect(res.status, method).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
    }
  })

  it('answers only to loopback Host names on loopback (DNS rebinding)', async () => {
    const s = await startObserveServer({ port: 0, routes })
    servers.push(s)
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve, reject) => {
      request(`${s.url}/hello`, { headers: { host: 'evil.example:80' } }, res => { res.resume(); resolve(res.statusCode ?? 0) }).on('error', reject).end()
    })
    expect(status).toBe(421)
  })

  it('refuses to bind beyond loopback without a token', async () => {
    await expect(startObserveServer({ host: '0.0.0.0', port: 0, routes })).rejects.toMatchObject({ code: 'ERR_TOKEN_REQUIRED' })
  })

  it('with a token, requires it as a bearer header, a query parameter or the cookie the query sets', async () => {
    const s = await startObserveServer({ host: '0.0.0.0', port: 0, token: 'a'.repeat(32), routes })
    servers.push(s)
    const base = `http://127.0.0.1:${s.port}`
    expect((await fetch(`${base}/hello`)).status).toBe(401)
    expect((await fetch(`${base}/hello`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401)
    expect((await fetch(`${base}/hello`, { headers: { authorization: `Bearer ${'a'.repeat(32)}` } })).status).toBe(200)
    const viaQuery = await fetch(`${base}/hello?token=${'a'.repeat(32)}`)
    expect(viaQuery.status).toBe(200)
    const setCookie = viaQuery.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect((await fetch(`${base}/hello`, { headers: { cookie: setCookie.split(';')[0] } })).status).toBe(200)
  })

  it('unknown paths are 404', async () => {
    const s = await startObserveServer({ port: 0, routes })
    servers.push(s)
    expect((await fetch(`${s.url}/nope`)).status).toBe(404)
  })
})

describe('token file', () => {
  it('is created once with mode 0600 and read back unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-token-'))
    try {
      const a = await loadOrCreateToken(dir)
      const b = await loadOrCreateToken(dir)
      expect(a).toBe(b)
      expect(a.length).toBeGreaterThanOrEqual(32)
      expect((await stat(join(dir, TOKEN_FILE))).mode & 0o777).toBe(0o600)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses a token file other users can read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-token-'))
    try {
      await writeFile(join(dir, TOKEN_FILE), 'x'.repeat(40))
      await chmod(join(dir, TOKEN_FILE), 0o644)
      await expect(loadOrCreateToken(dir)).rejects.toMatchObject({ code: 'ERR_TOKEN_FILE' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

// Container health check (used by the image's HEALTHCHECK, compose and Kubernetes exec probes).
// `murmur bootstrap` (anything listening on MURMUR_HEALTH_URL, default http://127.0.0.1:4080/health)
// is healthy when /health answers 200. A node has no HTTP server: it is healthy while its store
// (MURMUR_HEALTH_DIR, default /data/node/store) was written within MURMUR_HEALTH_MAX_AGE seconds
// (default 600), i.e. it still completes rounds.
/* global fetch, AbortSignal */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

const url = process.env.MURMUR_HEALTH_URL ?? 'http://127.0.0.1:4080/health'
const dir = process.env.MURMUR_HEALTH_DIR ?? '/data/node/store'
const maxAgeMs = Number(process.env.MURMUR_HEALTH_MAX_AGE ?? 600) * 1000

async function httpOk () {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) })
    return res.ok
  } catch {
    return undefined
  }
}

async function storeFresh () {
  const names = await readdir(dir).catch(() => undefined)
  if (names === undefined) return false
  const times = await Promise.all(names.map(async n => (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0))
  return Date.now() - Math.max(0, ...times) < maxAgeMs
}

const http = await httpOk()
process.exit(http === true || (http === undefined && await storeFresh()) ? 0 : 1)

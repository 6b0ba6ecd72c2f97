import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createSwarmHost } from '../src/host.js'
import { loopbackInit } from './helpers.js'

const distIndex = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href

// Runs in a fresh Node process: if stop() left a socket, timer or handle behind, the process
// would not exit on its own and the test would time out.
const script = `
import { createSwarmHost } from ${JSON.stringify(distIndex)}
import { resolveTask } from '@murmur/tasks'
const init = { swarmId: 'exit', resolveTask, listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'], gossip: { heartbeatMs: 200 } }
const a = createSwarmHost(init)
const b = createSwarmHost({ ...init, dht: 'server', dhtLan: true })
await a.start(); await b.start()
await a.dial(b.multiaddrs()[0])
await a.waitForPeers(1, { signal: AbortSignal.timeout(10000) })
const got = b.once('rollout:received', { signal: AbortSignal.timeout(10000) })
const task = { family: 'add', version: 1, seed: 3, params: {} }
await a.publish([{ group: { task, prompt: resolveTask(task).prompt, completions: ['1'], modelId: 'm', round: 0, scores: [], createdAt: Date.now() } }])
await got
await a.stop(); await b.stop(); await b.stop()
console.log('stopped cleanly')
`

describe('lifecycle', () => {
  it('stop() releases everything: a process that ran two hosts exits on its own', async () => {
    // the script must resolve @murmur/tasks from the repository, so it lives inside it
    const dir = await mkdtemp(join(fileURLToPath(new URL('.', import.meta.url)), '.tmp-exit-'))
    const file = join(dir, 'exit.mjs')
    await writeFile(file, script)
    try {
      const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', (d: Buffer) => { out += d.toString() })
      child.stderr.on('data', (d: Buffer) => { out += d.toString() })
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(-1) }, 30_000)
        child.on('exit', (c) => { clearTimeout(timer); resolve(c) })
      })
      expect(out).toContain('stopped cleanly')
      expect(code).toBe(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('start and stop are idempotent, and use before start is a typed error', async () => {
    const h = createSwarmHost(loopbackInit())
    expect(() => h.multiaddrs()).toThrow(expect.objectContaining({ code: 'ERR_NOT_STARTED' }) as Error)
    expect(() => h.peerId()).toThrow(expect.objectContaining({ code: 'ERR_NOT_STARTED' }) as Error)
    await expect(h.publish([{ group: { task: { family: 'add', version: 1, seed: 1, params: {} }, prompt: '', completions: ['1'], modelId: '', round: 0, scores: [], createdAt: Date.now() } }]))
      .rejects.toMatchObject({ code: 'ERR_NOT_STARTED' })
    await h.start()
    await h.start()
    expect(h.isStarted()).toBe(true)
    await h.stop()
    await h.stop()
    expect(h.isStarted()).toBe(false)
    expect(h.libp2p).toBeUndefined()
  })
})

/**
 * `murmur node` failure paths, as a supervisor (systemd, Kubernetes) sees them: the real built
 * binary runs as a child process. Every start-up failure must print one line naming the key or
 * file and exit non-zero promptly (it used to print the error and hang); the first SIGTERM stops
 * cleanly and resumably, a second one exits at once; boolean flags take values; a damaged store
 * is recovered with `murmur store repair`.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openNodeStore } from '@murmur/store'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../apps/cli/dist/bin.js', import.meta.url))
/** A failing start that takes longer hangs; a prompt exit takes 1–3 s on an idle 2-core machine (model load included). */
const HANG_MS = 30_000
/** Limit for runs that train a few rounds (generous: CI shares 2 cores between test files). */
const RUN_MS = 120_000
/** Longest a process may stay alive after printing its error line (it used to stay forever). */
const LINGER_MS = 3_000

interface Run { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, ms: number, lingerMs: number }

/** Runs the CLI; `onStderr` may act on the child (send signals) as lines arrive. */
async function murmur (args: string[], onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void, limitMs = HANG_MS): Promise<Run> {
  const t0 = Date.now()
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MURMUR_DEBUG: '' } })
  let stdout = ''
  let stderr = ''
  let firstErrAt: number | undefined
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
    firstErrAt ??= Date.now()
    onStderr?.(stderr, s => { child.kill(s) })
  })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, limitMs)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => { child.on('exit', (c, s) => { resolve([c, s]) }) })
  clearTimeout(timer)
  const end = Date.now()
  return { code, signal, stdout, stderr, ms: end - t0, lingerMs: end - (firstErrAt ?? end) }
}

function expectOneLineFailure (r: Run, mention: string): void {
  expect(r.signal, `killed after ${r.ms} ms: it hung\n${r.stderr}`).toBeNull()
  expect(r.code).not.toBe(0)
  const lines = r.stderr.trim().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^murmur: /)
  expect(lines[0]).toContain(mention)
  expect(r.lingerMs, 'exited promptly after reporting').toBeLessThan(LINGER_MS)
}

describe('murmur node failure paths', () => {
  const dirs: string[] = []
  afterAll(async () => { await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) })) })
  const tempDir = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'murmur-fail-'))
    dirs.push(d)
    return d
  }
  const node = async (dir: string, ...flags: string[]): Promise<Run> =>
    await murmur(['node', '--data-dir', dir, '--rounds', '1', '--no-eval', ...flags])

  it('exits non-zero in one line naming the key for a malformed bootstrap address', async () => {
    expectOneLineFailure(await node(await tempDir(), '--net-bootstrap', '/ip4/1.2.3.4/tcp/notaport'), 'net.bootstrap')
  })

  it('exits non-zero in one line naming net.listen when the port is in use', async () => {
    const server: Server = createServer()
    await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
    const port = (server.address() as { port: number }).port
    try {
      const r = await node(await tempDir(), '--net-listen', `/ip4/127.0.0.1/tcp/${port}`)
      expectOneLineFailure(r, 'net.listen')
      expect(r.stderr).toContain('EADDRINUSE')
    } finally {
      server.close()
    }
  })

  it('exits non-zero in one line naming the PSK file when it is missing or malformed', async () => {
    const dir = await tempDir()
    const missing = join(dir, 'nope.key')
    expectOneLineFailure(await node(dir, '--net-psk-file', missing), missing)
    const bad = join(dir, 'bad.key')
    await writeFile(bad, 'not a swarm key\n')
    const r = await node(dir, '--net-psk-file', bad)
    expectOneLineFailure(r, 'net.pskFile')
    expect(r.stderr).toContain(bad)
  })

  it('exits non-zero in one line naming the minibatch key when the minibatch is impossible', async () => {
    expectOneLineFailure(await node(await tempDir(), '--train-minibatch-groups', '100000'), 'train.minibatchGroups')
  })

  it('exits non-zero in one line for a bad config value, a bad config file and a stray argument', async () => {
    const dir = await tempDir()
    expectOneLineFailure(await node(dir, '--train-learning-rate', 'fast'), 'train.learningRate')
    const file = join(dir, 'bad.json')
    await writeFile(file, '{ "train": ')
    expectOneLineFailure(await node(dir, '--config', file), file)
    const stray = await node(dir, '--net-mdns', 'off')
    expectOneLineFailure(stray, 'unexpected argument "off"')
    expect(stray.code).toBe(2)
    expectOneLineFailure(await node(dir, '--net-mdns=maybe'), '--net-mdns expects true or false')
  })

  it('reports a corrupted store in one line naming it, and `murmur store repair` recovers it', async () => {
    const dir = await tempDir()
    const storeDir = join(dir, 'store')
    const store = await openNodeStore({ dir: storeDir })
    await store.metrics.put({ round: 0, reward: 0.5 })
    await store.stop()
    await writeFile(join(storeDir, 'level', 'CURRENT'), 'garbage\n')
    const r = await node(dir, '--no-net-enabled')
    expectOneLineFailure(r, storeDir)
    expect(r.stderr).toContain(`murmur store repair ${storeDir}`)
    const repair = await murmur(['store', 'repair', storeDir, '--json'])
    expect(repair.code, repair.stderr).toBe(0)
    expect(JSON.parse(repair.stdout)).toMatchObject({ action: 'repair', dir: storeDir, droppedCheckpoints: [] })
    const after = await murmur(['node', '--data-dir', dir, '--rounds', '1', '--no-eval', '--no-net-enabled', '--json'], undefined, RUN_MS)
    expect(after.code, after.stderr).toBe(0)
  })

  it('stops cleanly on the first SIGTERM and resumes from its checkpoint (with --net-enabled false meaning false)', async () => {
    const dir = await tempDir()
    let sent = false
    const r = await murmur(['node', '--data-dir', dir, '--rounds', '0', '--no-eval', '--net-enabled=false'], (text, kill) => {
      if (!sent && /^round 1:/m.test(text)) { sent = true; kill('SIGTERM') }
    }, RUN_MS)
    expect(r.signal).toBeNull()
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('murmur: stopped by SIGTERM')
    // `--net-enabled false` (a separate value) must mean false: the node comes up offline.
    const again = await murmur(['node', '--data-dir', dir, '--rounds', '3', '--no-eval', '--net-enabled', 'false', '--json'], undefined, RUN_MS)
    expect(again.code, again.stderr).toBe(0)
    const ready = JSON.parse(again.stdout.split('\n')[0]) as { resumed: boolean, nextRound: number }
    expect(ready).toMatchObject({ type: 'ready', peerId: 'offline', addrs: [], resumed: true })
    expect(ready.nextRound).toBeGreaterThanOrEqual(2)
  })

  it('exits at once by the default action of a second SIGTERM (shell status 143)', async () => {
    const dir = await tempDir()
    let stage = 0
    const r = await murmur(['node', '--data-dir', dir, '--rounds', '0', '--no-eval', '--no-net-enabled'], (text, kill) => {
      if (stage === 0 && /^round 0:/m.test(text)) { stage = 1; kill('SIGTERM') }
      if (stage === 1 && text.includes('stopping')) { stage = 2; kill('SIGTERM') }
    }, RUN_MS)
    // Ended by SIGTERM's default action: a shell reports it as 128 + 15 = 143.
    expect(r.signal, r.stderr).toBe('SIGTERM')
    expect(r.stderr).toContain('second SIGTERM')
    expect(r.stderr).not.toContain('terminate called')
  })
})

/**
 * Joining with a swarm file, under supervision, as a user runs it: a real `murmur bootstrap` and a
 * real `murmur node --swarm` on loopback. The node's process is SIGKILLed mid-run; the supervisor
 * must say so, restart it, and the node must resume from its checkpoint and re-join.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '@murmur/node'
import { PROTOCOL_VERSION, parseSwarmFile } from '@murmur/net'
import { supervise } from '../src/supervisor.js'
import { mergeConfigLayers, swarmConfigLayer } from '../src/swarm-config.js'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

interface Proc { child: ChildProcess, out: string[], err: string[] }

function start (args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const p: Proc = { child, out: [], err: [] }
  createInterface({ input: child.stdout! }).on('line', l => { p.out.push(l) })
  createInterface({ input: child.stderr! }).on('line', l => { p.err.push(l) })
  return p
}

function json (p: Proc): Array<Record<string, unknown>> {
  return p.out.filter(l => l.startsWith('{')).map(l => JSON.parse(l) as Record<string, unknown>)
}

async function until (cond: () => boolean, ms: number, what: string, p?: Proc): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${p === undefined ? '' : [...p.out, ...p.err].slice(-20).join('\n')}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** Pids of the direct children of `pid`. */
async function children (pid: number): Promise<number[]> {
  const out: number[] = []
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')
    out.push(...text.trim().split(/\s+/).filter(s => s !== '').map(Number))
  }
  return out
}

describe('swarm file and supervision', () => {
  const procs: Proc[] = []
  const dirs: string[] = []
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM')
    await Promise.all(procs.map(async p => { if (p.child.exitCode === null && p.child.signalCode === null) await new Promise(resolve => p.child.once('exit', resolve)) }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('a swarm file is a config layer under the user config', () => {
    const swarm = parseSwarmFile({ id: 'lab', protocolVersion: PROTOCOL_VERSION, public: true, bootstrapUrls: ['http://b.example/bootstrap'], taskMix: { add: 1 }, pskFile: '/k/swarm.key', shards: 4 }, '/s.json')
    const config = resolveConfig({ file: mergeConfigLayers(swarmConfigLayer(swarm), { net: { listen: ['/ip4/0.0.0.0/tcp/4101'] } }) })
    expect(config.net).toMatchObject({ swarmId: 'lab', public: true, relay: true, dht: true, pskFile: '/k/swarm.key', bootstrapUrls: ['http://b.example/bootstrap'], listen: ['/ip4/0.0.0.0/tcp/4101'], shardCount: 4 })
    expect(config.taskMix).toEqual({ add: 1 })
  })

  it('the supervisor does not restart a child that fails while starting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-sup-'))
    dirs.push(dir)
    const script = join(dir, 'bad-config.mjs')
    await writeFile(script, 'process.exit(1)\n')
    const lines: string[] = []
    expect(await supervise({ binPath: script, args: [], log: l => { lines.push(l) }, backoffMs: 10 })).toEqual({ code: 1, restarts: 0 })
    expect(lines).toEqual([expect.stringContaining('while starting; not restarting')])
  })

  it('the supervisor restarts a crashed child, says why, and stops when it exits cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-sup-'))
    dirs.push(dir)
    const script = join(dir, 'crash-once.mjs')
    await writeFile(script, `import { existsSync, writeFileSync } from 'node:fs'
const marker = ${JSON.stringify(join(dir, 'ran'))}
if (!existsSync(marker)) { writeFileSync(marker, '1'); process.exit(3) }
`)
    const lines: string[] = []
    const result = await supervise({ binPath: script, args: [], log: l => { lines.push(l) }, backoffMs: 10, startupMs: 0 })
    expect(result).toEqual({ code: 0, restarts: 1 })
    expect(lines).toEqual([expect.stringMatching(/node exited with code 3 .* restarting .*resumes from its last checkpoint/)])
  })

  it('node --swarm joins via the bootstrap URL; after SIGKILL it is restarted, resumes and re-joins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-swarm-'))
    dirs.push(dir)
    const boot = start(['bootstrap', '--json', '--swarm-id', 'cli-test', '--data-dir', join(dir, 'boot'), '--listen', '/ip4/127.0.0.1/tcp/0', '--http-host', '127.0.0.1', '--http-port', '0'])
    procs.push(boot)
    await until(() => json(boot).some(j => j.type === 'ready'), 30_000, 'bootstrap ready', boot)
    const ready = json(boot).find(j => j.type === 'ready') as { httpPort: number }
    await writeFile(join(dir, 'swarm.json'), JSON.stringify({ id: 'cli-test', protocolVersion: PROTOCOL_VERSION, bootstrapUrls: [`http://127.0.0.1:${ready.httpPort}/bootstrap`] }))

    const node = start(['node', '--swarm', join(dir, 'swarm.json'), '--json', '--no-eval', '--rounds', '0', '--local-groups', '1', '--group-size', '2', '--data-dir', join(dir, 'node')])
    procs.push(node)
    await until(() => json(node).some(j => j.type === 'net' && j.kind === 'joined'), 30_000, 'node joined', node)
    await until(() => json(node).filter(j => j.type === 'round').length >= 2, 30_000, 'two rounds', node)
    const [child] = await children(node.child.pid!)
    expect(child).toBeGreaterThan(0)
    const lastRound = Math.max(...json(node).filter(j => j.type === 'round').map(j => j.round as number))
    process.kill(child, 'SIGKILL')
    await until(() => node.err.some(l => l.includes('supervisor: node was killed by SIGKILL')), 10_000, 'the supervisor to report the crash', node)
    await until(() => json(node).some(j => j.type === 'ready' && j.resumed === true), 30_000, 'the restarted node to resume', node)
    const resumed = json(node).find(j => j.type === 'ready' && j.resumed === true) as { nextRound: number }
    expect(resumed.nextRound).toBeGreaterThan(0)
    expect(resumed.nextRound).toBeLessThanOrEqual(lastRound + 2)
    await until(() => json(node).filter(j => j.type === 'net' && j.kind === 'joined').length >= 2, 30_000, 'the restarted node to re-join', node)
    node.child.kill('SIGTERM')
    await new Promise(resolve => node.child.once('exit', resolve))
    expect(node.child.exitCode).toBe(0)
  }, 120_000)
})

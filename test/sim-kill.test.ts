/**
 * Fault tolerance of `murmur sim`, as a user would see it: a 3-node swarm runs as real OS
 * processes (`murmur sim --json --nodes-per-process 1` forks one sim-host process per node, each
 * a libp2p host on loopback with its own data directory). Once node 1 has done a few rounds its process gets
 * SIGKILL. The other nodes must keep training, the sim must restart node 1, and node 1 must
 * resume from its last checkpoint (round numbers continue; no restart from round 0) under the
 * same identity (same identity.key, same peer id in the final report).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../apps/cli/dist/bin.js', import.meta.url))
const NODES = 3
const ROUNDS = 15
const VICTIM = 1

interface RoundLine { node: number, round: number, t: number }
interface ReportLine { rounds: number, nodes: Array<{ id: string, restarts: number }> }

async function waitUntil (condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Pid of the sim's child process running node `i` (its argv names `node-<i>/config.json`). */
async function nodePid (simPid: number, i: number): Promise<number | undefined> {
  const tasks = await readdir(`/proc/${simPid}/task`).catch(() => [])
  for (const tid of tasks) {
    const children = await readFile(`/proc/${simPid}/task/${tid}/children`, 'utf8').catch(() => '')
    for (const pid of children.trim().split(/\s+/).filter(p => p !== '').map(Number)) {
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
      if (argv.some(a => a.endsWith(join(`node-${i}`, 'config.json')))) return pid
    }
  }
  return undefined
}

describe('murmur sim: SIGKILL of a node process', () => {
  let base: string | undefined
  let sim: ChildProcess | undefined
  afterAll(async () => {
    if (sim !== undefined && sim.exitCode === null && sim.signalCode === null) {
      sim.kill('SIGTERM') // the sim stops its nodes
      await new Promise(resolve => { const t = setTimeout(resolve, 30_000); sim?.once('exit', () => { clearTimeout(t); resolve(undefined) }) })
    }
    if (base !== undefined) await rm(base, { recursive: true, force: true })
  })

  it('keeps the others going; the restarted node resumes from its checkpoint with the same identity', async () => {
    base = await mkdtemp(join(tmpdir(), 'murmur-sim-kill-'))
    const dir = join(base, 'sim')
    const started = Date.now()
    const child = spawn(process.execPath, [BIN, 'sim', '--nodes', String(NODES), '--nodes-per-process', '1', '--rounds', String(ROUNDS), '--json', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] })
    sim = child
    const simPid = child.pid
    if (simPid === undefined) throw new Error('could not start murmur sim')
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
    const exit = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
    let exited = false
    void exit.then(() => { exited = true })

    const rounds: RoundLine[] = []
    const reports: ReportLine[] = []
    createInterface({ input: child.stdout }).on('line', line => {
      let v: Record<string, unknown>
      try {
        v = JSON.parse(line) as Record<string, unknown>
      } catch {
        return // not a JSON line
      }
      if (typeof v.node === 'number' && typeof v.round === 'number') rounds.push({ node: v.node, round: v.round, t: Date.now() - started })
      else if (Array.isArray(v.nodes)) reports.push(v as unknown as ReportLine)
    })
    const victimRounds = (): RoundLine[] => rounds.filter(r => r.node === VICTIM)

    await waitUntil(() => victimRounds().length >= 3 || exited, 300_000, `node ${VICTIM} to complete 3 rounds`)
    expect(exited, `sim exited early: ${stderr}`).toBe(false)
    const pid = await nodePid(simPid, VICTIM)
    expect(pid, `no child process of the sim runs node-${VICTIM}`).toBeTypeOf('number')
    const keyPath = join(dir, `node-${VICTIM}`, 'identity.key')
    const keyBefore = await readFile(keyPath)

    process.kill(pid as number, 'SIGKILL')
    const killedAt = Date.now() - started
    const seenAtKill = victimRounds().length
    expect(seenAtKill).toBeLessThan(ROUNDS) // killed mid-run, not after the node was done

    // The sim notices the death and starts a new process for node 1.
    let newPid: number | undefined
    await waitUntil(async () => {
      if (exited) return true
      const p = await nodePid(simPid, VICTIM)
      if (p !== undefined && p !== pid) newPid = p
      return newPid !== undefined
    }, 60_000, `the sim to restart node ${VICTIM}`)
    const restartedAt = Date.now() - started
    expect(newPid, `node ${VICTIM} was not restarted: ${stderr}`).toBeTypeOf('number')

    const code = await exit
    expect(code, `sim failed: ${stderr}`).toBe(0)

    // The last line is the final report: every node did every round, node 1 restarted once.
    expect(reports).toHaveLength(1)
    const report = reports[0]
    expect(report.rounds).toBe(ROUNDS)
    expect(report.nodes.map(n => n.restarts)).toEqual([0, 1, 0])

    // Node 1 resumed from its checkpoint: its rounds (in arrival order) rise strictly from 0 to
    // the last, and the restarted process continues right after the last round reported before
    // the restart (one more if the kill landed between a checkpoint and its report).
    const victim = victimRounds()
    const before = victim.filter(r => r.t < restartedAt)
    const after = victim.filter(r => r.t >= restartedAt)
    expect(before.length).toBeGreaterThanOrEqual(3)
    expect(after.length).toBeGreaterThan(0)
    const lastBefore = before[before.length - 1].round
    expect(after[0].round).toBeGreaterThan(0)
    expect(after[0].round).toBeGreaterThanOrEqual(lastBefore + 1)
    expect(after[0].round).toBeLessThanOrEqual(lastBefore + 2)
    expect(victim[0].round).toBe(0)
    for (let i = 1; i < victim.length; i++) expect(victim[i].round, `node ${VICTIM} round order ${victim.map(r => r.round).join(',')}`).toBeGreaterThan(victim[i - 1].round)
    expect(victim[victim.length - 1].round).toBe(ROUNDS - 1)
    expect(new Set(victim.map(r => r.round)).size).toBeGreaterThanOrEqual(ROUNDS - 1)

    // The others kept going: each did all its rounds, and they produced rounds while node 1 was down.
    for (const i of [0, 1, 2].filter(i => i !== VICTIM)) {
      expect(new Set(rounds.filter(r => r.node === i).map(r => r.round)).size, `node ${i}`).toBe(ROUNDS)
    }
    const whileDown = rounds.filter(r => r.node !== VICTIM && r.t > killedAt && r.t < after[0].t)
    expect(whileDown.length, 'rounds of the other nodes while node 1 was down').toBeGreaterThan(0)

    // Same identity: the key file is unchanged and the report's peer id is the key's.
    const keyAfter = await readFile(keyPath)
    expect(Buffer.compare(keyAfter, keyBefore)).toBe(0)
    expect(report.nodes[VICTIM].id).toBe(privateKeyFromProtobuf(keyBefore).publicKey.toString())
    expect(new Set(report.nodes.map(n => n.id)).size).toBe(NODES)
  }, 420_000)
})

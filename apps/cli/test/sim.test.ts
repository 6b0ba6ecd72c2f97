/**
 * `murmur sim` with several nodes in one OS process (`--nodes-per-process`): every node keeps
 * its own libp2p host, store and identity, the nodes find each other over loopback and each
 * runs all its rounds.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const run = promisify(execFile)

describe('murmur sim --nodes-per-process', () => {
  let dir: string | undefined
  afterAll(async () => { if (dir !== undefined) await rm(dir, { recursive: true, force: true }) })

  it('runs three nodes in one process, each with its own identity, connected to the others', async () => {
    dir = await mkdtemp(join(tmpdir(), 'murmur-sim-shared-'))
    const { stdout } = await run(process.execPath, [BIN, 'sim', '--nodes', '3', '--nodes-per-process', '3', '--rounds', '6', '--json', '--dir', join(dir, 'sim'), '--eval-tasks', '1'], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 })
    const lines = stdout.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
    const report = lines[lines.length - 1] as { rounds: number, nodes: Array<{ id: string, restarts: number }> }
    expect(report.nodes).toHaveLength(3)
    expect(new Set(report.nodes.map(n => n.id)).size).toBe(3)
    const rounds = lines.filter(l => typeof l.node === 'number')
    for (const node of [0, 1, 2]) {
      const own = rounds.filter(l => l.node === node)
      expect(own.map(l => l.round)).toEqual([0, 1, 2, 3, 4, 5])
      expect(Math.max(...own.map(l => Number(l.peers)))).toBeGreaterThan(0)
    }
  })
})

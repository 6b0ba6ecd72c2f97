/**
 * The `murmur` binary as a user runs it: a real child process of the built CLI. Checks help,
 * one-line errors with exit codes, JSON output, and real work (eval, export, a 2-round node).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { seedFromPeerId } from '@murmur/node'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const run = promisify(execFile)

async function murmur (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code?: number, stdout?: string, stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

describe('murmur CLI', () => {
  const dirs: string[] = []
  afterAll(async () => { await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) })) })
  const tempDir = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'murmur-cli-'))
    dirs.push(d)
    return d
  }

  it('prints help for no command and for every command', async () => {
    const top = await murmur('--help')
    expect(top.code).toBe(0)
    for (const command of ['sim', 'node', 'eval', 'pretrain', 'export', 'experiment', 'store', 'generate']) {
      expect(top.stdout).toContain(command)
      const help = await murmur(command, '--help')
      expect(help.code, command).toBe(0)
      expect(help.stdout, command).toMatch(/^usage: murmur /)
    }
    // Config keys become flags automatically.
    expect((await murmur('node', '--help')).stdout).toContain('--train-learning-rate')
  })

  it('reports bad input in one line with a non-zero exit code', async () => {
    const unknownCommand = await murmur('fly')
    expect(unknownCommand.code).toBe(2)
    const badFlag = await murmur('sim', '--nodez', '3')
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1)
    expect(badFlag.stderr).toContain('ERR_USAGE')
    const badNodes = await murmur('sim', '--nodes', '0')
    expect(badNodes.code).toBe(2)
    expect(badNodes.stderr).toContain('--nodes must be a positive integer')
    const badConfig = await murmur('node', '--train-learning-rate', 'fast')
    expect(badConfig.code).toBe(1)
    expect(badConfig.stderr.trim().split('\n')).toHaveLength(1)
    expect(badConfig.stderr).toContain('train.learningRate')
    expect(badConfig.stderr).toContain('ERR_INVALID_CONFIG')
    const badDefence = await murmur('node', '--net-new-origins-per-minute', '0')
    expect(badDefence.code).toBe(1)
    expect(badDefence.stderr.trim().split('\n')).toHaveLength(1)
    expect(badDefence.stderr).toContain('net.newOriginsPerMinute')
    const badModel = await murmur('eval', '--model', '/nonexistent/model.safetensors', '--tasks', '4')
    expect(badModel.code).toBe(1)
    expect(badModel.stderr).toContain('does not exist')
  })

  it('evaluates the built-in policy on held-out tasks with --json', async () => {
    const result = await murmur('eval', '--tasks', '32', '--temperature', '0', '--json')
    expect(result.code).toBe(0)
    const parsed = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as { tasks: number, greedyAccuracy: number, families: Record<string, unknown> }
    expect(parsed.tasks).toBe(32)
    expect(parsed.greedyAccuracy).toBeGreaterThan(0)
    expect(parsed.greedyAccuracy).toBeLessThan(1)
    // Without --mix, the node's default taskMix: the set `murmur sim` scores.
    expect(Object.keys(parsed.families).sort()).toEqual(['base_conversion', 'basic_arithmetic', 'fraction_simplification', 'sort_digits'])
  })

  it('derives an unset seed from the peer id (same on restart) and keeps an explicit --seed', async () => {
    const dataDir = join(await tempDir(), 'node')
    const ready = async (...extra: string[]): Promise<{ peerId: string, seed: number, seedFrom: string }> => {
      const r = await murmur('node', '--data-dir', dataDir, '--rounds', '1', '--no-eval', '--local-groups', '1', '--peer-groups', '0', '--group-size', '2', '--json', ...extra)
      expect(r.code, r.stderr).toBe(0)
      return r.stdout.trim().split('\n').map(l => JSON.parse(l) as { type: string, peerId: string, seed: number, seedFrom: string }).find(l => l.type === 'ready') ?? { peerId: '', seed: -1, seedFrom: '' }
    }
    const first = await ready()
    expect(first).toMatchObject({ seed: seedFromPeerId(first.peerId), seedFrom: 'peer-id' })
    // A restart (it resumes: no rounds left) has the same identity, so the same seed.
    expect(await ready()).toMatchObject({ peerId: first.peerId, seed: first.seed, seedFrom: 'peer-id' })
    expect(await ready('--seed', '0')).toMatchObject({ peerId: first.peerId, seed: 0, seedFrom: 'config' })
  })

  it('runs a node alone for two rounds, resumes it, and exports and evaluates its checkpoint', async () => {
    const dir = await tempDir()
    const dataDir = join(dir, 'node')
    const first = await murmur('node', '--data-dir', dataDir, '--rounds', '2', '--no-net-enabled', '--no-eval', '--local-groups', '2', '--json')
    expect(first.code, first.stderr).toBe(0)
    const lines = first.stdout.trim().split('\n').map(l => JSON.parse(l) as { type: string, round?: number, resumed?: boolean, device?: string })
    expect(lines.filter(l => l.type === 'round').map(l => l.round)).toEqual([0, 1])
    expect(lines.find(l => l.type === 'ready')?.device).toBe('cpu')
    // Asking for 3 rounds in total resumes after round 1.
    const second = await murmur('node', '--data-dir', dataDir, '--rounds', '3', '--no-net-enabled', '--no-eval', '--local-groups', '2', '--json')
    const again = second.stdout.trim().split('\n').map(l => JSON.parse(l) as { type: string, round?: number, resumed?: boolean })
    expect(again.find(l => l.type === 'ready')?.resumed).toBe(true)
    expect(again.filter(l => l.type === 'round').map(l => l.round)).toEqual([2])
    const out = join(dir, 'export')
    const exported = await murmur('export', '--data-dir', dataDir, '--out', out)
    expect(exported.code, exported.stderr).toBe(0)
    expect((await readdir(out)).sort()).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'onnx', 'tokenizer.json', 'tokenizer_config.json']))
    expect((await stat(join(out, 'onnx', 'model.onnx'))).size).toBeGreaterThan(100_000)
    const evaluated = await murmur('eval', '--data-dir', dataDir, '--tasks', '8', '--json')
    expect(evaluated.code, evaluated.stderr).toBe(0)
    // One optimizer step per round that had a group with non-zero advantage (a round whose groups all tie trains nothing).
    const steps = [...lines, ...again].filter(l => l.type === 'round' && (l as { loss?: unknown }).loss !== null).length
    expect(steps).toBeGreaterThan(0)
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ tasks: 8, step: steps })
  })
})

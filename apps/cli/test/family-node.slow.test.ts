/** A node on a Hugging Face Qwen2 folder, as a user runs it: train two rounds, resume, export the checkpoint back to a folder. */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { readFamilyFolder, writeFamilyFixture } from '@murmur/policy'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const run = promisify(execFile)

describe('murmur node --model <Hugging Face folder>', () => {
  let dir = ''
  afterAll(async () => { if (dir !== '') await rm(dir, { recursive: true, force: true }) })

  it('trains a Qwen2 folder for two rounds, resumes, and exports the trained weights as a Qwen2 folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'murmur-famnode-'))
    const model = join(dir, 'qwen2')
    const base = await writeFamilyFixture(model, { modelType: 'qwen2', seed: 3, maxPositions: 64 })
    const dataDir = join(dir, 'node')
    // the reward model gives dense rewards, so even a random model gets non-zero advantages
    const args = ['node', '--model', model, '--data-dir', dataDir, '--no-net-enabled', '--no-eval', '--local-groups', '2', '--rewards-shaper', 'hero', '--json']
    const first = await run(process.execPath, [BIN, ...args, '--rounds', '2'], { timeout: 120_000 })
    const lines = first.stdout.trim().split('\n').map(l => JSON.parse(l) as { type: string, round?: number, loss?: number | null, device?: string })
    expect(lines.find(l => l.type === 'ready')?.device).toBe('cpu')
    const rounds = lines.filter(l => l.type === 'round')
    expect(rounds.map(l => l.round)).toEqual([0, 1])
    expect(rounds.every(l => typeof l.loss === 'number' && Number.isFinite(l.loss))).toBe(true)
    const second = await run(process.execPath, [BIN, ...args, '--rounds', '3'], { timeout: 120_000 })
    expect(second.stdout).toContain('"resumed":true')
    const out = join(dir, 'export')
    await run(process.execPath, [BIN, 'export', '--data-dir', dataDir, '--out', out], { timeout: 120_000 })
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8'))).toMatchObject({ model_type: 'qwen2', num_key_value_heads: 2 })
    const trained = await readFamilyFolder(out)
    expect(trained.config).toEqual(base.config)
    const moved = Object.keys(base.weights).filter(n => trained.weights[n].some((v, i) => v !== base.weights[n][i]))
    expect(moved.length).toBeGreaterThan(0)
  })

  it('with --train-lora-rank, trains adapters only: the exported folder differs from the base only in the adapted projections', async () => {
    const root = await mkdtemp(join(tmpdir(), 'murmur-famlora-'))
    try {
      const model = join(root, 'llama')
      const base = await writeFamilyFixture(model, { modelType: 'llama', seed: 4, maxPositions: 64 })
      const dataDir = join(root, 'node')
      const first = await run(process.execPath, [BIN, 'node', '--model', model, '--data-dir', dataDir, '--no-net-enabled', '--no-eval', '--local-groups', '2',
        '--rewards-shaper', 'hero', '--train-lora-rank', '4', '--train-lora-targets', 'q_proj,v_proj', '--rounds', '2', '--json'], { timeout: 120_000 })
      expect(first.stdout.split('\n').filter(l => l.includes('"type":"round"'))).toHaveLength(2)
      const out = join(root, 'export')
      await run(process.execPath, [BIN, 'export', '--data-dir', dataDir, '--out', out], { timeout: 120_000 })
      const trained = await readFamilyFolder(out)
      const moved = Object.keys(base.weights).filter(n => trained.weights[n].some((v, i) => v !== base.weights[n][i]))
      expect(moved.length).toBeGreaterThan(0)
      expect(moved.every(n => /self_attn\.(q|v)_proj\.weight$/.test(n))).toBe(true)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

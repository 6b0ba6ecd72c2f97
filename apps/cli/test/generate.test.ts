/** `murmur generate` as a user runs it: a child process of the built CLI on a Hugging Face folder. */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ortDeviceProbe } from '@murmur/graph'
import { charTokenizer, familyReferenceGreedy, writeFamilyFixture } from '@murmur/policy'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const run = promisify(execFile)

async function murmur (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return await murmurEnv({}, ...args)
}

async function murmurEnv (env: Record<string, string>, ...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 120_000, env: { ...process.env, ...env } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code?: number, stdout?: string, stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

describe('murmur generate', () => {
  const dirs: string[] = []
  afterAll(async () => { await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) })) })

  it('prints the greedy tokens of a Qwen3 folder, equal to the float64 reference, with log-probs, as the last JSON line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-gen-'))
    dirs.push(dir)
    const { config, weights } = await writeFamilyFixture(dir, { modelType: 'qwen3', seed: 11 })
    const res = await murmur('generate', '--model', dir, '--prompt', '7*6=', '--max-tokens', '5', '--temperature', '0', '--json')
    expect(res.code, res.stderr).toBe(0)
    const out = JSON.parse(res.stdout.trim().split('\n').at(-1) ?? '') as { tokens: number[], text: string, logprobs: number[] }
    const tok = charTokenizer()
    const prompt = [tok.bosId as number, ...tok.encode('7*6=')]
    expect(out.tokens).toEqual(familyReferenceGreedy(config, weights, prompt, 5).slice(0, out.tokens.length))
    expect(out.logprobs).toHaveLength(out.tokens.length)
    expect(out.logprobs.every(v => v <= 0 && Number.isFinite(v))).toBe(true)
    expect(out.text).toBe(tok.decode(out.tokens))
  })

  it('asking for an unavailable device is a one-line error naming the install step; MURMUR_DEVICE is read', async () => {
    const probe = ortDeviceProbe()
    if (await probe.cuda()) return // this machine has CUDA: nothing unavailable to ask for
    const res = await murmur('generate', '--prompt', '1+1=', '--device', 'cuda')
    expect(res.code).toBe(1)
    expect(res.stderr.trim().split('\n')).toHaveLength(1)
    expect(res.stderr).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm install')
    expect(res.stderr).toContain('ERR_DEVICE_UNAVAILABLE')
    const env = await murmurEnv({ MURMUR_DEVICE: 'cuda' }, 'generate', '--prompt', '1+1=')
    expect(env.stderr).toContain('ERR_DEVICE_UNAVAILABLE')
    const cpu = await murmur('generate', '--prompt', '1+1=', '--device', 'auto', '--max-tokens', '2', '--json')
    expect(JSON.parse(cpu.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ device: (await probe.webgpu()) ? 'webgpu' : 'cpu' })
  })

  it('--device webgpu generates the CPU\'s tokens where WebGPU has an adapter (a GPU, or Mesa\'s lavapipe in CI)', async () => {
    if (!await ortDeviceProbe().webgpu({ software: true })) {
      console.warn('generate.test.ts: no WebGPU adapter here; --device webgpu not exercised')
      return
    }
    const dir = await mkdtemp(join(tmpdir(), 'murmur-gen-'))
    dirs.push(dir)
    await writeFamilyFixture(dir, { modelType: 'qwen2', seed: 5 })
    const out: Array<{ tokens: number[], logprobs: number[], device: string }> = []
    for (const device of ['cpu', 'webgpu']) {
      const res = await murmur('generate', '--model', dir, '--prompt', '12+34=', '--max-tokens', '6', '--temperature', '0', '--device', device, '--json')
      expect(res.code, res.stderr).toBe(0)
      out.push(JSON.parse(res.stdout.trim().split('\n').at(-1) ?? '') as typeof out[number])
    }
    expect(out.map(o => o.device)).toEqual(['cpu', 'webgpu'])
    expect(out[1].tokens).toEqual(out[0].tokens)
    out[1].logprobs.forEach((v, i) => expect(v).toBeCloseTo(out[0].logprobs[i], 4))
  })

  it('fails in one line naming the file when the folder is broken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-gen-'))
    dirs.push(dir)
    await writeFamilyFixture(dir, { modelType: 'llama', seed: 1 })
    await unlink(join(dir, 'tokenizer.json'))
    const res = await murmur('generate', '--model', dir, '--prompt', 'x')
    expect(res.code).toBe(1)
    expect(res.stderr.trim().split('\n')).toHaveLength(1)
    expect(res.stderr).toContain('tokenizer.json')
    expect(res.stderr).toContain('ERR_INVALID_MODEL_FOLDER')
  })
})

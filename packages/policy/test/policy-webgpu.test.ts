/**
 * The policy on onnxruntime's WebGPU provider, where this machine has an adapter (CI installs
 * Mesa's CPU-only lavapipe Vulkan driver, see .ci/run): the same tokens as on the CPU, log-probs
 * equal to the float64 reference. Skipped, with a message, where WebGPU has no adapter.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ortDeviceProbe } from '@murmur/graph'
import { afterAll, describe, expect, it } from 'vitest'
import { writeFamilyFixture } from '../src/families/fixture.js'
import { loadFamilyPolicy } from '../src/families/policy.js'
import { familyReferenceForward } from '../src/families/reference.js'
import { createPolicy, type Completion } from '../src/policy.js'

const hasWebgpu = await ortDeviceProbe().webgpu({ software: true })
if (!hasWebgpu) console.warn('policy-webgpu.test.ts skipped: WebGPU has no adapter here (see DEVICE_INSTALL_HINTS.webgpu)')
const root = mkdtempSync(join(tmpdir(), 'murmur-webgpu-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe.skipIf(!hasWebgpu)('policy on WebGPU', () => {
  it('a Qwen2 folder: greedy and sampled tokens as on the CPU, log-probs equal to the float64 reference', async () => {
    const dir = join(root, 'qwen2')
    const { config, weights } = await writeFamilyFixture(dir, { modelType: 'qwen2', seed: 7, nLayer: 2, nHead: 4, nKvHead: 2 })
    const prompts = ['12+34=', 'hello', 'a']
    const runs = []
    for (const device of ['cpu', 'webgpu'] as const) {
      const policy = await loadFamilyPolicy(dir, { device })
      try {
        runs.push({
          greedy: await policy.generate(prompts, { maxTokens: 6, temperature: 0 }),
          sampled: await policy.generate(prompts, { maxTokens: 6, temperature: 1, n: 2, seed: 3 }),
          encode: (p: string) => policy.encodePrompt(p)
        })
      } finally {
        await policy.close()
      }
    }
    const [cpu, gpu] = runs
    expect(gpu.greedy.map(g => g[0].tokenIds)).toEqual(cpu.greedy.map(g => g[0].tokenIds))
    expect(gpu.sampled.map(g => g.map(c => c.tokenIds))).toEqual(cpu.sampled.map(g => g.map(c => c.tokenIds)))
    gpu.sampled.forEach((group, i) => group.forEach(c => {
      const ids = gpu.encode(prompts[i])
      const logits = familyReferenceForward(config, weights, [...ids, ...c.tokenIds])
      c.tokenIds.forEach((tok, t) => {
        const row = logits.subarray((ids.length - 1 + t) * config.vocabSize, (ids.length + t) * config.vocabSize)
        const max = Math.max(...row)
        const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0))
        expect(c.logprobs[t]).toBeCloseTo(row[tok] - lse, 4)
      })
    }))
  }, 120_000)

  it('the built-in GPT samples the same completions as on the CPU', async () => {
    const out: Completion[][][] = []
    for (const device of ['cpu', 'webgpu'] as const) {
      const policy = await createPolicy({ device })
      try {
        out.push(await policy.generate(['12+34=', '7*8='], { maxTokens: 8, temperature: 1, n: 4, seed: 1 }))
      } finally {
        await policy.close()
      }
    }
    expect(out[1].map(g => g.map(c => c.text))).toEqual(out[0].map(g => g.map(c => c.text)))
    out[1].flat().forEach((c, k) => c.logprobs.forEach((v, t) => expect(v).toBeCloseTo(out[0].flat()[k].logprobs[t], 5)))
  }, 120_000)
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AutoModelForCausalLM, Tensor as HfTensor, env } from '@huggingface/transformers'
import { afterAll, describe, expect, it } from 'vitest'
import { exportFamilyFolder } from '../src/families/export.js'
import { writeFamilyFixture } from '../src/families/fixture.js'
import { readFamilyFolder } from '../src/families/folder.js'
import { loadFamilyPolicy } from '../src/families/policy.js'

const root = mkdtempSync(join(tmpdir(), 'murmur-famexport-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('family export', () => {
  for (const modelType of ['llama', 'qwen2', 'qwen3'] as const) {
    it(`${modelType}: the exported folder reads back identically and transformers.js generates the same greedy tokens`, async () => {
      await writeFamilyFixture(join(root, 'src', modelType), { modelType, seed: 21, nKvHead: 2, maxPositions: 64 })
      const policy = await loadFamilyPolicy(join(root, 'src', modelType))
      try {
        const out = join(root, 'out', modelType)
        await exportFamilyFolder(policy, out)
        const back = await readFamilyFolder(out)
        expect(back.config).toEqual(policy.config)
        for (const [name, t] of Object.entries(policy.getWeights())) expect(back.weights[name]).toEqual(t)

        const prompts = ['12+34=', 'abc']
        const ours = await policy.generate(prompts, { maxTokens: 6, temperature: 0 })
        env.allowRemoteModels = false
        env.localModelPath = join(root, 'out')
        const model = await AutoModelForCausalLM.from_pretrained(modelType, { dtype: 'fp32' })
        try {
          for (let i = 0; i < prompts.length; i++) {
            const ids = policy.encodePrompt(prompts[i])
            const inputIds = new HfTensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length])
            const mask = new HfTensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length])
            const gen = (await model.generate({ input_ids: inputIds, attention_mask: mask, max_new_tokens: 6, do_sample: false }) as { tolist: () => bigint[][] }).tolist()[0].map(Number).slice(ids.length)
            const mine = ours[i][0].tokenIds
            expect(gen.slice(0, mine.length)).toEqual(mine)
          }
        } finally {
          await model.dispose()
        }
      } finally {
        await policy.close()
      }
    })
  }
})

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeFamilyFixture } from '../src/families/fixture.js'
import { familyReferenceForward, familyReferenceGreedy } from '../src/families/reference.js'
import { VARIANTS } from './family-variants.js'

const root = mkdtempSync(join(tmpdir(), 'murmur-famref-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const PYTHON = '/usr/bin/python3'
const SCRIPT = resolve(import.meta.dirname, '../../../scripts/torch-family-forward.py')
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0
if (!hasTorch) console.warn(`skipping the PyTorch cross-check: ${PYTHON} cannot import torch (apt-get install -y python3-torch libopenblas0-pthread)`)

describe.skipIf(!hasTorch)('float64 reference forward vs PyTorch', () => {
  for (const [label, opts] of VARIANTS) {
    it(`agrees with pure-torch float64 on ${label} (logits within 1e-9, greedy tokens identical)`, async () => {
      const dir = join(root, label.replace(/\W+/g, '-'))
      const { config, weights } = await writeFamilyFixture(dir, opts)
      const ids = [5, 17, 40, 3, 77, 12, 9, 60, 31, 2, 44]
      const out = JSON.parse(execFileSync(PYTHON, [SCRIPT, dir, JSON.stringify(ids), '4'], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } })) as { logits: number[][], greedy: number[] }
      const ours = familyReferenceForward(config, weights, ids)
      let maxDiff = 0
      out.logits.forEach((row, t) => row.forEach((v, j) => { maxDiff = Math.max(maxDiff, Math.abs(v - ours[t * config.vocabSize + j])) }))
      expect(maxDiff).toBeLessThan(1e-9)
      expect(familyReferenceGreedy(config, weights, ids, 4)).toEqual(out.greedy)
    })
  }
})

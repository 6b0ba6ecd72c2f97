// Generation is bit-identical across processes: two child Node processes load the BUILT package
// (dist/, as other packages and peers do) and must reproduce exactly what this process computes.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { listFamilies, resolveTask } from '../src/registry.js'
import { createTaskSampler } from '../src/sampler.js'

const DIST = new URL('../dist/index.js', import.meta.url).href

// Child and parent run this same program text; the parent passes its own (src) module.
const PROGRAM = `
const lines = []
for (const f of t.listFamilies()) {
  for (const format of ['compact', 'text']) {
    for (let seed = 0; seed < 100; seed++) {
      const r = t.resolveTask({ family: f.name, version: f.version, seed: seed * 2654435761 % 4294967296, params: { format } })
      lines.push(JSON.stringify([f.name, format, seed, r.prompt, r.answer, r.meta]))
    }
  }
}
lines.push(JSON.stringify(t.createTaskSampler({ seed: 77 }).sample(12, 100)))
return lines.join('\\n')
`

const run = new Function('t', PROGRAM) as (t: unknown) => string

describe('determinism across processes', () => {
  it('two child processes and this process produce identical tasks', async () => {
    const script = `import * as t from ${JSON.stringify(DIST)}\nconst out = (() => {${PROGRAM}})()\nprocess.stdout.write(out)`
    const exec = promisify(execFile)
    const child = async (): Promise<string> => (await exec(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 64 << 20 })).stdout
    const [a, b] = await Promise.all([child(), child()])
    const local = run({ listFamilies, resolveTask, createTaskSampler })
    const digest = (s: string): string => createHash('sha256').update(s).digest('hex')
    expect(a.length).toBeGreaterThan(10_000)
    expect(digest(a)).toBe(digest(b))
    expect(digest(a)).toBe(digest(local))
  })
})

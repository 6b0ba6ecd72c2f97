import { describe, expect, it } from 'vitest'
import { listFamilies, resolveTask, verify } from '../src/registry.js'
import type { TaskRef } from '../src/types.js'

const SEEDS = 1000

/** Changes the last letter or digit: digits +1 mod 10, letters to the next letter (z → a). */
function perturb (answer: string): string {
  for (let i = answer.length - 1; i >= 0; i--) {
    const c = answer.charCodeAt(i)
    let r = -1
    if (c >= 48 && c <= 57) r = 48 + ((c - 48 + 1) % 10)
    else if (c >= 97 && c <= 122) r = 97 + ((c - 97 + 1) % 26)
    else if (c >= 65 && c <= 90) r = 65 + ((c - 65 + 1) % 26)
    if (r !== -1) return answer.slice(0, i) + String.fromCharCode(r) + answer.slice(i + 1)
  }
  return answer + 'x'
}

describe.each(listFamilies().map(f => [f.name, f] as const))('family %s', (_name, info) => {
  for (const format of ['compact', 'text'] as const) {
    it(`${format}: ${SEEDS} seeds verify their own answer as 1 and a perturbed one below 1`, () => {
      const failures: string[] = []
      const answers = new Set<string>()
      for (let seed = 0; seed < SEEDS; seed++) {
        const ref: TaskRef = { family: info.name, version: info.version, seed, params: { format } }
        const task = resolveTask(ref)
        answers.add(task.answer)
        const wrapped = format === 'text' ? `Let me think.\n<answer>${task.answer}</answer>` : task.answer
        const ok = verify(task, wrapped)
        const bad = verify(task, format === 'text' ? `<answer>${perturb(task.answer)}</answer>` : perturb(task.answer))
        if (ok.score !== 1 || bad.score >= 1 || task.answer.length === 0) {
          failures.push(`${seed}: ${JSON.stringify(task.prompt)} → ${JSON.stringify(task.answer)} ok=${ok.score} bad=${bad.score}`)
        }
      }
      expect(failures.slice(0, 5)).toEqual([])
      // Tasks actually vary with the seed (not a constant generator).
      expect(answers.size).toBeGreaterThan(1)
    })
  }

  it('defaults resolve, and verify(ref) equals verify(resolved)', () => {
    const ref: TaskRef = { family: info.name, version: info.version, seed: 12345, params: info.defaultParams }
    const task = resolveTask(ref)
    expect(verify(ref, task.answer)).toEqual(verify(task, task.answer))
    expect(verify(ref, task.answer).score).toBe(1)
    expect(verify(ref, '').score).toBe(0)
  })

  it('compact prompts are short printable ASCII with default params', () => {
    for (let seed = 0; seed < 200; seed++) {
      const t = resolveTask({ family: info.name, version: info.version, seed, params: {} })
      expect(t.prompt).toMatch(/^[\x20-\x7e]+$/)
      expect(t.answer).toMatch(/^[\x20-\x7e]+$/)
      expect(t.prompt.length + t.answer.length).toBeLessThanOrEqual(64)
    }
  })
})

import type { Rng } from '@murmur/interface'
import type { TaskFamily } from '../types.js'
import { compareCanonical, squeeze, textPrompt } from '../util.js'

const ARC_OPS = ['shift', 'mirror', 'fill', 'gravity'] as const
type ArcOp = typeof ARC_OPS[number]

const TEXT_RULES: Record<ArcOp, string> = {
  shift: 'moves the colored block to the right',
  mirror: 'reverses the row',
  fill: 'fills the gap between two equal colors',
  gravity: 'pushes colored cells to the right end, keeping their order'
}

/** One input/output pair of an arc_1d rule; cells are digits, 0 is background. */
interface ArcPair { input: number[], output: number[] }

function color (rng: Rng): number { return rng.int(1, 9) }

/** Draws one example of `op` on a row of `n` cells (`k` = shift distance). */
function drawPair (rng: Rng, op: ArcOp, n: number, k: number): ArcPair {
  const input = new Array<number>(n).fill(0)
  switch (op) {
    case 'shift': {
      const len = rng.int(1, Math.min(3, n - k))
      const start = rng.int(0, n - k - len)
      const c = color(rng)
      for (let i = start; i < start + len; i++) input[i] = c
      const output = new Array<number>(n).fill(0)
      for (let i = start; i < start + len; i++) output[i + k] = c
      return { input, output }
    }
    case 'mirror': {
      for (let i = 0; i < n; i++) if (rng.chance(0.4)) input[i] = color(rng)
      return { input, output: input.slice().reverse() }
    }
    case 'fill': {
      const i = rng.int(0, n - 3)
      const j = rng.int(i + 2, n - 1)
      const c = color(rng)
      input[i] = c
      input[j] = c
      const output = input.slice()
      for (let t = i; t <= j; t++) output[t] = c
      return { input, output }
    }
    case 'gravity': {
      for (let i = 0; i < n; i++) if (rng.chance(0.35)) input[i] = color(rng)
      const colored = input.filter(v => v !== 0)
      return { input, output: [...new Array<number>(n - colored.length).fill(0), ...colored] }
    }
  }
}

const compactRow = (row: number[]): string => row.join('')
const textRow = (row: number[]): string => row.join(' ')

/** `arc_1d`: ARC-style one-dimensional row transformations ("sh2 00330000=" → "00003300"). */
export const arc1d: TaskFamily = {
  name: 'arc_1d',
  version: 1,
  description: 'Apply a 1-D ARC rule (shift a block right, mirror, fill a gap, gravity) to a row of color digits; compact prompts name the rule, text prompts show two solved examples.',
  params: {
    op: { kind: 'enum', values: [...ARC_OPS, 'mixed'], default: 'mixed', doc: 'which rule; mixed picks one per task' },
    length: { kind: 'int', min: 5, max: 20, default: 8, doc: 'cells per row' },
    maxShift: { kind: 'int', min: 1, max: 3, default: 3, doc: 'shift distances are uniform in 1..maxShift' }
  },
  generate (rng, p) {
    const op: ArcOp = p.op === 'mixed' ? rng.pick(ARC_OPS) : p.op as ArcOp
    const n = p.length as number
    const k = rng.int(1, p.maxShift as number)
    const test = drawPair(rng, op, n, k)
    if (p.format === 'compact') {
      const name = op === 'shift' ? `sh${k}` : op === 'mirror' ? 'mir' : op === 'fill' ? 'fill' : 'grav'
      return { prompt: `${name} ${compactRow(test.input)}=`, answer: compactRow(test.output), meta: { op, shift: k } }
    }
    const examples = [drawPair(rng, op, n, k), drawPair(rng, op, n, k)]
    const shown = examples.map((e, i) => `Example ${i + 1}:\nInput: ${textRow(e.input)}\nOutput: ${textRow(e.output)}`).join('\n')
    const prompt = textPrompt(`Each example maps an input row of colors (0 is background) to an output row by the same rule. Find the rule and apply it to the test input.\n${shown}\nTest input: ${textRow(test.input)}\nWrite the output row with cells separated by spaces.`)
    return { prompt, answer: textRow(test.output), meta: { op, shift: k, rule: TEXT_RULES[op] } }
  },
  check: (answer, parsed) => compareCanonical(squeeze(answer), squeeze(parsed))
}

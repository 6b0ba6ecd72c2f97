import type { Rng } from '@murmur/interface'
import type { TaskFamily } from '../types.js'
import { compareCanonical, squeeze, textPrompt } from '../util.js'

/** Options of the bf interpreter. */
export interface BfOptions {
  /** Cell modulus: 10 (digits dialect, `.` prints the digit) or 256 (ascii dialect, `.` prints the character). */
  modulus: 10 | 256
  tapeLength: number
  maxSteps: number
}

/**
 * Runs a bf program (`+ - < > [ ] .`; other characters are ignored, no input). Returns the
 * output, or null when brackets are unbalanced, the pointer leaves the tape or `maxSteps` runs out.
 */
export function runBf (program: string, opts: BfOptions): string | null {
  const jump = new Array<number>(program.length).fill(-1)
  const stack: number[] = []
  for (let i = 0; i < program.length; i++) {
    if (program[i] === '[') stack.push(i)
    else if (program[i] === ']') {
      const open = stack.pop()
      if (open === undefined) return null
      jump[open] = i
      jump[i] = open
    }
  }
  if (stack.length > 0) return null
  const tape = new Array<number>(opts.tapeLength).fill(0)
  let ptr = 0
  let out = ''
  let steps = 0
  for (let pc = 0; pc < program.length; pc++) {
    if (++steps > opts.maxSteps) return null
    switch (program[pc]) {
      case '+': tape[ptr] = (tape[ptr] + 1) % opts.modulus; break
      case '-': tape[ptr] = (tape[ptr] + opts.modulus - 1) % opts.modulus; break
      case '>': if (++ptr >= opts.tapeLength) return null; break
      case '<': if (--ptr < 0) return null; break
      case '[': if (tape[ptr] === 0) pc = jump[pc]; break
      case ']': if (tape[ptr] !== 0) pc = jump[pc]; break
      case '.': out += opts.modulus === 10 ? String(tape[ptr]) : String.fromCharCode(tape[ptr]); break
    }
  }
  return out
}

const DIGITS_TAPE = 3
const DIGITS_OPTS: BfOptions = { modulus: 10, tapeLength: DIGITS_TAPE, maxSteps: 100_000 }
const ASCII_OPTS: BfOptions = { modulus: 256, tapeLength: 8, maxSteps: 1_000_000 }

/** Digits dialect: `steps` random segments on a 3-cell tape, `outputs` prints, the last at the end. */
function digitsProgram (rng: Rng, steps: number, outputs: number): string {
  const prints = new Array<number>(steps).fill(0)
  prints[steps - 1] = 1
  for (let i = 1; i < outputs; i++) prints[rng.int(0, steps - 1)]++
  let ptr = 0
  let program = ''
  // The generator tracks the tape so transfer loops are offered only on non-zero cells (never no-ops).
  const tape = new Array<number>(DIGITS_TAPE).fill(0)
  for (let s = 0; s < steps; s++) {
    const loopable = tape[ptr] !== 0
    const kinds = ['inc', 'inc', 'dec', 'move', ...(loopable && ptr < DIGITS_TAPE - 1 ? ['add-right'] : []), ...(loopable && ptr > 0 ? ['add-left'] : [])]
    const kind = rng.pick(kinds)
    if (kind === 'inc' || kind === 'dec') {
      const n = kind === 'inc' ? rng.int(1, 4) : rng.int(1, 3)
      program += (kind === 'inc' ? '+' : '-').repeat(n)
      tape[ptr] = (tape[ptr] + (kind === 'inc' ? n : 10 - n)) % 10
    } else if (kind === 'move') {
      const canLeft = ptr > 0
      const canRight = ptr < DIGITS_TAPE - 1
      const right = canRight && (!canLeft || rng.chance(0.5))
      program += right ? '>' : '<'
      ptr += right ? 1 : -1
    } else {
      // Transfer loops add (once or twice) the current cell into a neighbour and zero it; they end
      // after at most 9 iterations because every pass decrements the current cell.
      const times = rng.int(1, 2)
      const to = kind === 'add-right' ? ptr + 1 : ptr - 1
      program += kind === 'add-right' ? `[>${'+'.repeat(times)}<-]` : `[<${'+'.repeat(times)}>-]`
      tape[to] = (tape[to] + times * tape[ptr]) % 10
      tape[ptr] = 0
    }
    program += '.'.repeat(prints[s])
  }
  return program
}

/** ASCII dialect: prints a random lowercase word using a multiplication loop, then +/− steps. */
function asciiProgram (rng: Rng, length: number): string {
  const word: number[] = []
  for (let i = 0; i < length; i++) word.push(rng.int(97, 122))
  const a = rng.int(8, 12)
  const b = Math.floor(word[0] / a)
  let program = `${'+'.repeat(a)}[>${'+'.repeat(b)}<-]>`
  let cur = a * b
  for (const code of word) {
    program += code >= cur ? '+'.repeat(code - cur) : '-'.repeat(cur - code)
    program += '.'
    cur = code
  }
  return program
}

/** `bf`: predict the output of a small generated bf program ("bf ++>+++[<+>-]<.=" → "5"). */
export const bf: TaskFamily = {
  name: 'bf',
  version: 1,
  description: 'Predict the output of a generated bf program: digits dialect (3 cells mod 10, `.` prints a digit) or ascii (8-bit cells, prints a lowercase word).',
  params: {
    dialect: { kind: 'enum', values: ['digits', 'ascii'], default: 'digits', doc: 'digits: cells mod 10, prints digits; ascii: standard 8-bit cells, prints characters' },
    steps: { kind: 'int', min: 1, max: 8, default: 3, doc: 'digits dialect: number of random program segments (ignored by ascii)' },
    outputs: { kind: 'int', min: 1, max: 6, default: 1, doc: 'characters printed (ascii: word length)' }
  },
  generate (rng, p) {
    const digits = p.dialect === 'digits'
    const program = digits ? digitsProgram(rng, p.steps as number, p.outputs as number) : asciiProgram(rng, p.outputs as number)
    const answer = runBf(program, digits ? DIGITS_OPTS : ASCII_OPTS) ?? ''
    const rules = digits
      ? 'This bf dialect has 3 cells that hold digits 0-9 (+ and - wrap around mod 10); the pointer starts at the leftmost cell and . prints the current cell as a digit.'
      : 'This is standard bf: 8-bit cells, the pointer starts at the leftmost cell and . prints the current cell as an ASCII character.'
    const prompt = p.format === 'compact'
      ? `bf ${program}=`
      : textPrompt(`${rules} What does this program print?\n${program}`)
    return { prompt, answer, meta: { program } }
  },
  check: (answer, parsed) => compareCanonical(squeeze(answer), squeeze(parsed))
}

/**
 * Preference pairs derived from task families, for training the reward model with a
 * Bradley–Terry loss. For each task murmur builds candidate completions around the reference
 * answer and orders them by three rules, strongest first:
 *   1. a correct answer beats an incorrect one (by the task's verifier when given);
 *   2. between two wrong answers, the closer one wins (numeric distance for integers,
 *      Hamming-plus-length distance for strings);
 *   3. a well-formatted answer beats the same content with junk around it.
 * Deterministic given the seed.
 */
import { InvalidArgumentError, createRng, type Rng } from '@murmur/interface'

/** The parts of a resolved task that pair derivation reads (`ResolvedTask` fits). */
export interface PreferenceTask {
  prompt: string
  answer: string
}

/** One preference pair: `chosen` should score above `rejected` for `prompt`. */
export interface PreferencePair {
  prompt: string
  chosen: string
  rejected: string
  /** Which rule ordered the pair. */
  rule: 'correct' | 'closer' | 'format'
}

/** Options of `derivePreferencePairs`. */
export interface DerivePairsOptions {
  seed: number
  /** Scores a completion for a task (e.g. `verify(task, c).score` from @murmur/tasks). */
  verify?: (task: PreferenceTask, completion: string) => number
  /** Pairs per task (default 4); one of each rule first, then random extra ones. */
  pairsPerTask?: number
}

/** Derives preference pairs for `tasks`, deterministic given `options.seed`. */
export function derivePreferencePairs (tasks: readonly PreferenceTask[], options: DerivePairsOptions): PreferencePair[] {
  const perTask = options.pairsPerTask ?? 4
  if (!Number.isInteger(perTask) || perTask < 1) throw new InvalidArgumentError('pairsPerTask', `must be a positive integer, got ${perTask}`)
  const rng = createRng(options.seed)
  const score = options.verify ?? ((task: PreferenceTask, c: string) => (c === task.answer ? 1 : 0))
  const pairs: PreferencePair[] = []
  for (const task of tasks) {
    if (task.answer.length === 0) continue
    const near = perturb(task.answer, rng, 'near')
    const far = perturb(task.answer, rng, 'far', near)
    const junky = addJunk(task.answer, task.prompt, rng)
    const candidates: PreferencePair[] = [
      { prompt: task.prompt, chosen: task.answer, rejected: rng.nextFloat() < 0.5 ? near : far, rule: 'correct' },
      { prompt: task.prompt, chosen: near, rejected: far, rule: 'closer' },
      { prompt: task.prompt, chosen: task.answer, rejected: junky, rule: 'format' },
      { prompt: task.prompt, chosen: near, rejected: addJunk(near, task.prompt, rng), rule: 'format' }
    ]
    const valid = candidates.filter(p => p.chosen !== p.rejected && isConsistent(task, p, score))
    for (let i = 0; i < perTask && valid.length > 0; i++) {
      pairs.push(i < valid.length ? valid[i] : valid[rng.int(0, valid.length - 1)])
    }
  }
  return pairs
}

/**
 * Distance of a wrong answer from the reference: |difference| for two integers, else
 * Hamming distance over the common prefix length plus the length difference.
 */
export function answerDistance (answer: string, candidate: string): number {
  if (isInteger(answer) && isInteger(candidate)) return Math.abs(Number(answer) - Number(candidate))
  let d = Math.abs(answer.length - candidate.length)
  const n = Math.min(answer.length, candidate.length)
  for (let i = 0; i < n; i++) if (answer[i] !== candidate[i]) d++
  return d
}

function isConsistent (task: PreferenceTask, p: PreferencePair, score: (t: PreferenceTask, c: string) => number): boolean {
  const sc = score(task, p.chosen)
  const sr = score(task, p.rejected)
  if (p.rule === 'correct') return sc > sr
  if (sc !== sr) return false
  if (p.rule === 'closer') return answerDistance(task.answer, p.chosen) < answerDistance(task.answer, p.rejected)
  return true
}

function isInteger (s: string): boolean {
  return /^-?\d{1,15}$/.test(s)
}

function perturb (answer: string, rng: Rng, kind: 'near' | 'far', avoid?: string): string {
  for (let attempt = 0; attempt < 16; attempt++) {
    let out: string
    if (isInteger(answer)) {
      const mag = kind === 'near' ? 1 + rng.int(0, 1) : 10 + rng.int(0, 39)
      let v = Number(answer) + (rng.nextFloat() < 0.5 ? -mag : mag)
      if (v < 0 && !answer.startsWith('-')) v = Number(answer) + mag
      out = String(v)
    } else {
      const chars = [...answer]
      const alphabet = [...new Set(chars)]
      const edits = kind === 'near' ? 1 : Math.max(2, Math.ceil(chars.length / 2))
      for (let e = 0; e < edits; e++) {
        const i = rng.int(0, chars.length - 1)
        chars[i] = alphabet.length > 1 ? alphabet[rng.int(0, alphabet.length - 1)] : (chars[i] === '0' ? '1' : '0')
      }
      out = chars.join('')
    }
    if (out !== answer && out !== avoid) return out
  }
  return answer + answer
}

function addJunk (text: string, prompt: string, rng: Rng): string {
  const alphabet = [...new Set(prompt.replace(/\s/g, ''))]
  const junk = (n: number): string => Array.from({ length: n }, () => alphabet[rng.int(0, alphabet.length - 1)] ?? '?').join('')
  switch (rng.int(0, 2)) {
    case 0: return text + junk(1 + rng.int(0, 2))
    case 1: return junk(1 + rng.int(0, 1)) + text
    default: return `${text}${text}`
  }
}

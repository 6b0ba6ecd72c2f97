import { UnknownTaskError } from './errors.js'
import { defaultParams, resolveParams, validateTaskRef } from './params.js'
import { createRng, hashSeeds } from '@murmur/interface'
import { extractAnswerDetailed } from './extract.js'
import { add, reverse, sortDigits } from './families/short.js'
import { baseConversion, basicArithmetic, decimalArithmetic, fractionSimplification } from './families/numeric.js'
import { calendarArithmetic } from './families/calendar.js'
import { propositionalLogic } from './families/logic.js'
import { binaryMatrix } from './families/matrix.js'
import { arc1d } from './families/arc1d.js'
import { bf } from './families/bf.js'
import type { FamilyInfo, ResolvedParams, ResolvedTask, TaskFamily, TaskRef, VerifyResult } from './types.js'

/** Every family this build knows, in listing order. A new version of a family is a new entry. */
const FAMILIES: readonly TaskFamily[] = Object.freeze([
  add, sortDigits, reverse,
  baseConversion, basicArithmetic, decimalArithmetic, fractionSimplification,
  calendarArithmetic, propositionalLogic, binaryMatrix, arc1d, bf
])

/** The family implementing `name`@`version`; throws UnknownTaskError naming the unknown field. */
export function getFamily (name: string, version: number): TaskFamily {
  const byName = FAMILIES.filter(f => f.name === name)
  if (byName.length === 0) {
    throw new UnknownTaskError('family', `unknown task family ${JSON.stringify(name)}; known: ${FAMILIES.map(f => f.name).join(', ')}`)
  }
  const family = byName.find(f => f.version === version)
  if (family === undefined) {
    throw new UnknownTaskError('version', `${name} has no version ${version}; known: ${byName.map(f => f.version).join(', ')}`)
  }
  return family
}

/** The latest version of the family called `name`; throws UnknownTaskError when there is none. */
export function latestFamily (name: string): TaskFamily {
  let best: TaskFamily | undefined
  for (const f of FAMILIES) if (f.name === name && (best === undefined || f.version > best.version)) best = f
  if (best === undefined) throw new UnknownTaskError('family', `unknown task family ${JSON.stringify(name)}`)
  return best
}

/** Name, version, default parameters and description of every family (each default resolves). */
export function listFamilies (): FamilyInfo[] {
  return FAMILIES.map(f => ({ name: f.name, version: f.version, defaultParams: defaultParams(f), description: f.description }))
}

/** FNV-1a hash of a string's UTF-16 code units, so each family draws from its own stream. */
function nameHash (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h
}

function resolveWith (ref: TaskRef): { task: ResolvedTask, family: TaskFamily, params: ResolvedParams } {
  const clean = validateTaskRef(ref)
  const family = getFamily(clean.family, clean.version)
  const params = resolveParams(family, clean.params)
  const rng = createRng(hashSeeds(clean.seed, nameHash(family.name), family.version))
  const generated = family.generate(rng, params)
  return { task: { ref: clean, prompt: generated.prompt, answer: generated.answer, meta: generated.meta }, family, params }
}

/**
 * Regenerates a task from its reference: the same prompt and answer on every machine. Throws
 * UnknownTaskError (unknown family/version) or InvalidTaskParamsError (bad seed, params or shape).
 * The returned `ref` is a plain copy of the input (defaults are not filled in).
 */
export function resolveTask (ref: TaskRef): ResolvedTask {
  return resolveWith(ref).task
}

function isResolvedTask (x: TaskRef | ResolvedTask): x is ResolvedTask {
  const r = x as Partial<ResolvedTask>
  return typeof r.prompt === 'string' && typeof r.answer === 'string' && typeof r.ref === 'object' && r.ref !== null
}

/**
 * Scores a completion against a task. Given a TaskRef, the task is regenerated (use this for
 * anything received from a peer); a ResolvedTask is trusted as produced by `resolveTask`.
 * Throws only for a bad task reference; never for any completion string.
 */
export function verify (task: TaskRef | ResolvedTask, completion: string): VerifyResult {
  let resolved: ResolvedTask
  let family: TaskFamily
  let params: ResolvedParams
  if (isResolvedTask(task)) {
    const ref = validateTaskRef(task.ref)
    resolved = task
    family = getFamily(ref.family, ref.version)
    params = resolveParams(family, ref.params)
  } else {
    ({ task: resolved, family, params } = resolveWith(task))
  }
  const found = extractAnswerDetailed(completion)
  if (found === null) return { score: 0, parsed: null, reason: 'no answer found' }
  let result: { score: number, reason: string }
  try {
    result = family.check(resolved.answer, found.text, params, { prompt: resolved.prompt, answer: resolved.answer, meta: resolved.meta ?? {} })
  } catch {
    // Only reachable with a hand-made ResolvedTask whose answer no generator could produce.
    result = { score: 0, reason: 'reference answer malformed' }
  }
  const score = Number.isFinite(result.score) ? Math.min(1, Math.max(0, result.score)) : 0
  return { score, parsed: found.text, reason: result.reason }
}

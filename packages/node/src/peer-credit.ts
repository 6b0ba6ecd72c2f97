/**
 * Credit for a peer's completion: the local verifier's score, but only for answers the local
 * policy could have emitted within its own limits. A peer completion gets 0 when it is longer
 * than the node's generation limit (`generate.maxTokens`, counted with the local tokenizer) or
 * is not in the task's answer format:
 *  - compact prompts (ending in `=`, for tiny policies) take the bare answer: the trimmed
 *    completion must be exactly the text the verifier extracts, in `whole` mode — so
 *    `"zqzqzqzq=<answer>"` (found after an `=`) and `"<answer>\nzqzq…"` get no credit;
 *  - text prompts ask for `<answer>…</answer>`: the answer must come from that tag.
 * The node's own completions are scored by the plain verifier (unchanged); this applies to peers.
 */
import { extractAnswerDetailed, verify, type ResolvedTask } from '@murmur/tasks'

/** The local limits a peer completion must fit. */
export interface LocalLimits {
  /** The node's `generate.maxTokens`. */
  maxTokens: number
  /** Completion tokens under the local tokenizer. */
  countTokens: (text: string) => number
}

/** True when the local policy could have emitted `completion` for `task` within `limits`. */
export function admissible (task: ResolvedTask, completion: string, limits: LocalLimits): boolean {
  if (limits.countTokens(completion) > limits.maxTokens) return false
  const found = extractAnswerDetailed(completion)
  if (found === null) return true // no answer at all: the verifier gives 0 either way
  if (task.ref.params?.format === 'text') return found.mode === 'tag' || found.mode === 'open-tag'
  return found.mode === 'whole' && found.text === completion.trim()
}

/** Local credit of each peer completion: the verifier's score where admissible, else 0. */
export function peerCredit (task: ResolvedTask, completions: readonly string[], limits: LocalLimits): { scores: number[], admissible: number } {
  let ok = 0
  const scores = completions.map(text => {
    if (!admissible(task, text, limits)) return 0
    ok++
    return verify(task, text).score
  })
  return { scores, admissible: completions.length === 0 ? 1 : ok / completions.length }
}

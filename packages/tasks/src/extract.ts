import { MAX_COMPLETION_CHARS, MAX_PARSED_CHARS } from './constants.js'

/** How an answer was found in a completion. */
export type ExtractionMode = 'tag' | 'open-tag' | 'answer-colon' | 'equals' | 'whole'

/** An extracted answer and how it was found. */
export interface Extraction { text: string, mode: ExtractionMode }

function lowerAscii (code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code
}

/** Last index `i < end` where `needle` (lowercase ASCII) occurs, ASCII case-insensitively; −1 if none. O(n·|needle|). */
function lastIndexCI (s: string, needle: string, end: number): number {
  const m = needle.length
  for (let i = Math.min(end, s.length) - m; i >= 0; i--) {
    let j = 0
    while (j < m && lowerAscii(s.charCodeAt(i + j)) === needle.charCodeAt(j)) j++
    if (j === m) return i
  }
  return -1
}

/** Text from `start` up to the first newline (or the end), trimmed. */
function restOfLine (s: string, start: number): string {
  const nl = s.indexOf('\n', start)
  return (nl === -1 ? s.slice(start) : s.slice(start, nl)).trim()
}

/**
 * Finds the answer in a free-form completion. In order: the content of the last complete
 * `<answer>…</answer>` pair (case-insensitive tags); the rest of the line after a trailing,
 * unclosed `<answer>`; the rest of the line after the last `answer:`; the rest of the line after
 * the last `=`; otherwise the trimmed completion up to its first newline. Inputs longer than
 * `MAX_COMPLETION_CHARS` are truncated first. Returns null when the result is empty or longer
 * than `MAX_PARSED_CHARS`. Never throws; linear in the (truncated) input length.
 */
export function extractAnswerDetailed (completion: unknown): Extraction | null {
  if (typeof completion !== 'string') return null
  const s = completion.length > MAX_COMPLETION_CHARS ? completion.slice(0, MAX_COMPLETION_CHARS) : completion
  let found: Extraction | undefined
  const close = lastIndexCI(s, '</answer>', s.length)
  const lastOpen = lastIndexCI(s, '<answer>', s.length)
  if (lastOpen !== -1 && lastOpen > close) {
    found = { text: restOfLine(s, lastOpen + 8), mode: 'open-tag' }
  } else if (close !== -1) {
    const open = lastIndexCI(s, '<answer>', close)
    if (open !== -1) found = { text: s.slice(open + 8, close).trim(), mode: 'tag' }
  }
  if (found === undefined) {
    const colon = lastIndexCI(s, 'answer:', s.length)
    if (colon !== -1) {
      found = { text: restOfLine(s, colon + 7), mode: 'answer-colon' }
    } else {
      const eq = s.lastIndexOf('=')
      found = eq !== -1
        ? { text: restOfLine(s, eq + 1), mode: 'equals' }
        : { text: restOfLine(s.trim(), 0), mode: 'whole' }
    }
  }
  if (found.text.length === 0 || found.text.length > MAX_PARSED_CHARS) return null
  return found
}

/** The answer text of a completion (see `extractAnswerDetailed`), or null when none is found. */
export function extractAnswer (completion: unknown): string | null {
  return extractAnswerDetailed(completion)?.text ?? null
}

import type { TaskFamily } from '../types.js'
import { compareCanonical, normalizeInteger, padInt, squeeze, stripQuotes, textPrompt } from '../util.js'

/** `add`: multi-digit addition, the default tiny-policy task ("47+85=" → "132"). */
export const add: TaskFamily = {
  name: 'add',
  version: 1,
  description: 'Add two non-negative integers of up to `digits` digits; compact operands are zero-padded when `pad`.',
  params: {
    digits: { kind: 'int', min: 1, max: 6, default: 2, doc: 'digits per operand; operands are uniform in 0..10^digits−1' },
    pad: { kind: 'bool', default: true, doc: 'zero-pad compact operands to `digits` (fixed-width prompts)' }
  },
  generate (rng, p) {
    const digits = p.digits as number
    const max = 10 ** digits - 1
    const a = rng.int(0, max)
    const b = rng.int(0, max)
    const show = (n: number): string => p.pad === true ? padInt(n, digits) : String(n)
    const prompt = p.format === 'compact' ? `${show(a)}+${show(b)}=` : textPrompt(`What is ${a} + ${b}?`)
    return { prompt, answer: String(a + b), meta: { a, b } }
  },
  check: (answer, parsed) => compareCanonical(answer, normalizeInteger(parsed))
}

/** `sort_digits`: sort a digit string ("sort 5139=" → "1359"). */
export const sortDigits: TaskFamily = {
  name: 'sort_digits',
  version: 1,
  description: 'Sort a string of random decimal digits (repeats allowed) ascending, or descending when `descending`.',
  params: {
    length: { kind: 'int', min: 2, max: 12, default: 6, doc: 'number of digits' },
    descending: { kind: 'bool', default: false, doc: 'sort largest first (compact keyword `dsort`)' }
  },
  generate (rng, p) {
    const digits: number[] = []
    for (let i = 0; i < (p.length as number); i++) digits.push(rng.int(0, 9))
    const input = digits.join('')
    const sorted = digits.slice().sort((x, y) => p.descending === true ? y - x : x - y).join('')
    const prompt = p.format === 'compact'
      ? `${p.descending === true ? 'dsort' : 'sort'} ${input}=`
      : textPrompt(`Sort the digits of ${input} in ${p.descending === true ? 'descending' : 'ascending'} order, keeping repeated digits, and write them as one string of digits.`)
    return { prompt, answer: sorted, meta: { input } }
  },
  check: (answer, parsed) => compareCanonical(answer, squeeze(stripQuotes(parsed)))
}

const ALPHABETS: Record<string, string> = {
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  alnum: 'abcdefghijklmnopqrstuvwxyz0123456789'
}

/** `reverse`: reverse a random string ("rev abcde=" → "edcba"). */
export const reverse: TaskFamily = {
  name: 'reverse',
  version: 1,
  description: 'Reverse a random string drawn from a small alphabet.',
  params: {
    length: { kind: 'int', min: 2, max: 12, default: 7, doc: 'string length' },
    alphabet: { kind: 'enum', values: ['lower', 'digits', 'alnum'], default: 'lower', doc: 'a-z, 0-9, or both' }
  },
  generate (rng, p) {
    const chars = ALPHABETS[p.alphabet as string]
    let input = ''
    for (let i = 0; i < (p.length as number); i++) input += chars[rng.int(0, chars.length - 1)]
    const answer = input.split('').reverse().join('')
    const prompt = p.format === 'compact'
      ? `rev ${input}=`
      : textPrompt(`Reverse the string "${input}" character by character.`)
    return { prompt, answer, meta: { input } }
  },
  check: (answer, parsed) => compareCanonical(answer, stripQuotes(parsed))
}

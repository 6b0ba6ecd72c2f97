import type { Rng } from '@murmur/interface'
import type { CheckResult, Generated, ResolvedParams, TaskFamily } from '../types.js'
import { compareCanonical, normalizeInteger, padInt, textPrompt } from '../util.js'

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil (y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** Proleptic Gregorian [year, month, day] of a day count since 1970-01-01 (civil_from_days). */
export function civilFromDays (z: number): [number, number, number] {
  z += 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}

/** Weekday names, index 0 = Monday. */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']

/** Weekday index (0 = Monday) of a day count since 1970-01-01 (a Thursday). */
export function weekdayOf (days: number): number {
  return (((days + 3) % 7) + 7) % 7
}

/** ISO `YYYY-MM-DD` of a day count. */
export function isoDate (days: number): string {
  const [y, m, d] = civilFromDays(days)
  return `${padInt(y, 4)}-${padInt(m, 2)}-${padInt(d, 2)}`
}

/** Day count of `YYYY-M-D` (month/day zero-padding optional), or null when malformed or not a real date. */
export function parseIsoDate (s: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s.trim())
  if (m === null) return null
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null
  const days = daysFromCivil(y, mo, d)
  const [y2, m2, d2] = civilFromDays(days)
  return y2 === y && m2 === mo && d2 === d ? days : null
}

function checkCalendar (answer: string, parsed: string): CheckResult {
  if (/^\d{4}-/.test(answer)) {
    const got = parseIsoDate(parsed)
    return compareCanonical(answer, got === null ? null : isoDate(got))
  }
  if (/^[A-Za-z]/.test(answer)) {
    const t = parsed.trim().toLowerCase()
    const idx = WEEKDAYS.findIndex(w => w.toLowerCase() === t || w.slice(0, 3).toLowerCase() === t)
    const want = WEEKDAYS.findIndex(w => w.toLowerCase() === answer.toLowerCase() || w.slice(0, 3).toLowerCase() === answer.toLowerCase())
    return compareCanonical(String(want), idx === -1 ? null : String(idx))
  }
  return compareCanonical(answer, normalizeInteger(parsed))
}

function generateCalendar (rng: Rng, p: ResolvedParams): Generated {
  const compact = p.format === 'compact'
  const mode = p.mode === 'mixed' ? rng.pick(['add', 'diff', 'weekday']) : p.mode as string
  const start = rng.int(daysFromCivil(p.minYear as number, 1, 1), daysFromCivil(p.maxYear as number, 12, 31))
  const offset = rng.int(1, p.maxDays as number)
  const date = isoDate(start)
  if (mode === 'weekday') {
    const name = WEEKDAYS[weekdayOf(start)]
    return {
      prompt: compact ? `wd ${date}=` : textPrompt(`What day of the week is ${date}? Answer with the English weekday name.`),
      answer: compact ? name.slice(0, 3).toLowerCase() : name,
      meta: { mode, date }
    }
  }
  if (mode === 'diff') {
    const end = isoDate(start + offset)
    return {
      prompt: compact ? `${date}>${end}=` : textPrompt(`How many days are there from ${date} to ${end}? Answer with a whole number.`),
      answer: String(offset),
      meta: { mode, date, end }
    }
  }
  const back = p.backward === true && rng.chance(0.5)
  const result = isoDate(back ? start - offset : start + offset)
  return {
    prompt: compact
      ? `${date}${back ? '-' : '+'}${offset}=`
      : textPrompt(`What is the date ${offset} ${offset === 1 ? 'day' : 'days'} ${back ? 'before' : 'after'} ${date}? Answer in YYYY-MM-DD format.`),
    answer: result,
    meta: { mode, date, offset: back ? -offset : offset }
  }
}

/** `calendar_arithmetic`: date + days, days between dates, weekday of a date (Gregorian, no Date object). */
export const calendarArithmetic: TaskFamily = {
  name: 'calendar_arithmetic',
  version: 1,
  description: 'Gregorian calendar questions: a date plus/minus N days, days between two dates, or a weekday.',
  params: {
    mode: { kind: 'enum', values: ['add', 'diff', 'weekday', 'mixed'], default: 'add', doc: 'question kind; mixed picks one per task' },
    maxDays: { kind: 'int', min: 1, max: 3650, default: 60, doc: 'offsets are uniform in 1..maxDays' },
    minYear: { kind: 'int', min: 1900, max: 2100, default: 2000, doc: 'earliest start year' },
    maxYear: { kind: 'int', min: 1900, max: 2100, default: 2030, doc: 'latest start year (≥ minYear)' },
    backward: { kind: 'bool', default: false, doc: 'in add mode, half of the questions subtract the offset' }
  },
  validate: (p) => (p.minYear as number) > (p.maxYear as number) ? { key: 'maxYear', message: 'must be ≥ minYear' } : undefined,
  generate: generateCalendar,
  check: (answer, parsed) => checkCalendar(answer, parsed)
}

/**
 * Flag parsing for every command. Config keys become flags automatically (`train.learningRate` →
 * `--train-learning-rate`), so the CLI cannot forget one; each command adds its own flags on top.
 */
import { parseArgs } from 'node:util'
import { NODE_CONFIG_SCHEMA, flagName, type FieldSpec } from '@murmur/node'
import { UsageError } from './errors.js'

/** A command-specific flag. */
export interface FlagSpec {
  type: 'string' | 'boolean'
  doc: string
  short?: string
  default?: string | boolean
}

/** Parsed command line: command flags, config flags by dotted key, positionals. */
export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>
  config: Record<string, string>
  positionals: string[]
}

/** Flags every command accepts. */
export const COMMON_FLAGS: Record<string, FlagSpec> = {
  help: { type: 'boolean', short: 'h', doc: 'show this help' },
  json: { type: 'boolean', doc: 'machine-readable output (JSON lines; the last line is the result)' },
  verbose: { type: 'boolean', short: 'v', doc: 'print stack traces and debug logs' },
  config: { type: 'string', short: 'c', doc: 'JSON config file' }
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1'])
const FALSE_WORDS = new Set(['false', 'no', 'off', '0'])

/**
 * Rewrites boolean flags given a value into the forms `parseArgs` understands: `--x=false` and
 * `--x false` become `--no-x`, `--x=true` and `--x true` become `--x`. A separate value is taken
 * only when it is literally true or false (anything else stays a positional); `--x=<other>` and
 * `--no-x=<anything>` are usage errors.
 */
export function normalizeBooleanFlags (argv: string[], booleans: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') { out.push(...argv.slice(i)); break }
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg)
    if (m === null) { out.push(arg); continue }
    const [, name, inline] = m
    const negated = name.startsWith('no-') && booleans.has(name.slice(3))
    if (!booleans.has(name) && !negated) { out.push(arg); continue }
    if (negated) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value, got "${inline}" (use --${name.slice(3)}=${inline} or --${name}) (see --help)`)
      out.push(arg)
      continue
    }
    let value = inline
    const next = argv[i + 1]
    if (value === undefined && next !== undefined && (next.toLowerCase() === 'true' || next.toLowerCase() === 'false')) {
      value = next
      i++
    }
    if (value === undefined) { out.push(arg); continue }
    const v = value.trim().toLowerCase()
    if (TRUE_WORDS.has(v)) out.push(`--${name}`)
    else if (FALSE_WORDS.has(v)) out.push(`--no-${name}`)
    else throw new UsageError(`--${name} expects true or false, got "${value}" (see --help)`)
  }
  return out
}

/**
 * Parses argv for a command with its own flags and, optionally, every config key as a flag.
 * At most `maxPositionals` positional arguments are accepted; a stray one is a usage error (it is
 * usually a flag value the command did not expect, e.g. `--net-mdns off`).
 */
export function parseCommandArgs (argv: string[], own: Record<string, FlagSpec>, withConfig: boolean, maxPositionals = 0): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean', short?: string }> = {}
  const configByFlag = new Map<string, string>()
  for (const [name, spec] of Object.entries({ ...COMMON_FLAGS, ...own })) {
    options[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short }
  }
  if (withConfig) {
    for (const [key, spec] of Object.entries(NODE_CONFIG_SCHEMA) as Array<[string, FieldSpec]>) {
      const flag = flagName(key)
      if (options[flag] !== undefined) continue
      configByFlag.set(flag, key)
      options[flag] = { type: spec.kind === 'bool' ? 'boolean' : 'string' }
    }
  }
  const booleans = new Set(Object.entries(options).filter(([, o]) => o.type === 'boolean').map(([name]) => name))
  let parsed
  try {
    parsed = parseArgs({ args: normalizeBooleanFlags(argv, booleans), options, allowPositionals: true, allowNegative: true, strict: true })
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see --help)`)
  }
  if (parsed.positionals.length > maxPositionals) {
    const stray = parsed.positionals[maxPositionals]
    throw new UsageError(`unexpected argument "${stray}"${maxPositionals === 0 ? '' : ` (at most ${maxPositionals} expected)`}; flags take values as --flag value or --flag=value, booleans as --flag, --no-flag or --flag=false (see --help)`)
  }
  const flags: ParsedArgs['flags'] = {}
  const config: Record<string, string> = {}
  for (const [name, value] of Object.entries(parsed.values)) {
    const key = configByFlag.get(name)
    if (key !== undefined) config[key] = String(value)
    else flags[name] = value as string | boolean
  }
  for (const [name, spec] of Object.entries(own)) if (flags[name] === undefined && spec.default !== undefined) flags[name] = spec.default
  return { flags, config, positionals: parsed.positionals }
}

/** Help text: usage line, command flags, then (optionally) every config flag with its default. */
export function formatHelp (usage: string, description: string, own: Record<string, FlagSpec>, withConfig: boolean): string {
  const lines = [`usage: ${usage}`, '', description, '', 'options (booleans: --flag, --no-flag or --flag=false):']
  for (const [name, spec] of Object.entries({ ...own, ...COMMON_FLAGS })) {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `
    const arg = spec.type === 'string' ? ' <value>' : ''
    const def = spec.default === undefined ? '' : ` (default ${String(spec.default)})`
    lines.push(column(`  ${short}--${name}${arg}`) + spec.doc + def)
  }
  if (withConfig) {
    lines.push('', 'node configuration (flag, or env MURMUR_<KEY>, or a --config JSON file):')
    for (const [key, spec] of Object.entries(NODE_CONFIG_SCHEMA) as Array<[string, FieldSpec]>) {
      const def = Array.isArray(spec.default) ? spec.default.join(',') : typeof spec.default === 'object' ? Object.entries(spec.default).map(([k, v]) => `${k}=${String(v)}`).join(',') : String(spec.default)
      const range = 'choices' in spec && spec.choices !== undefined ? ` [${spec.choices.join('|')}]` : ''
      lines.push(column(`  --${flagName(key)}`) + `${spec.doc}${range} (default ${def === '' ? '""' : def})`)
    }
  }
  return lines.join('\n')
}

/** A flag's help column: padded to 34, or followed by two spaces when longer. */
function column (text: string): string {
  return text.length >= 33 ? text + '  ' : text.padEnd(34)
}

/** Parses a positive-integer flag value or throws a `UsageError` naming the flag. */
export function positiveInt (flag: string, value: unknown): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${String(value)}"`)
  return n
}

/** Parses a TCP port flag (0 = any free port) or throws a `UsageError` naming the flag. */
export function portNumber (flag: string, value: unknown): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number 0–65535, got "${String(value)}"`)
  return n
}

/**
 * Flag parsing for every command. Config keys become flags automatically (`train.lr` →
 * `--train-lr`), so the CLI cannot forget one; each command adds its own flags on top.
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

/** Parses argv for a command with its own flags and, optionally, every config key as a flag. */
export function parseCommandArgs (argv: string[], own: Record<string, FlagSpec>, withConfig: boolean): ParsedArgs {
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
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, allowNegative: true, strict: true })
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see --help)`)
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
  const lines = [`usage: ${usage}`, '', description, '', 'options:']
  for (const [name, spec] of Object.entries({ ...own, ...COMMON_FLAGS })) {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `
    const arg = spec.type === 'string' ? ' <value>' : ''
    const def = spec.default === undefined ? '' : ` (default ${String(spec.default)})`
    lines.push(`  ${short}--${name}${arg}`.padEnd(34) + spec.doc + def)
  }
  if (withConfig) {
    lines.push('', 'node configuration (flag, or env MURMUR_<KEY>, or a --config JSON file):')
    for (const [key, spec] of Object.entries(NODE_CONFIG_SCHEMA) as Array<[string, FieldSpec]>) {
      const def = Array.isArray(spec.default) ? spec.default.join(',') : typeof spec.default === 'object' ? Object.entries(spec.default).map(([k, v]) => `${k}=${String(v)}`).join(',') : String(spec.default)
      const range = 'choices' in spec && spec.choices !== undefined ? ` [${spec.choices.join('|')}]` : ''
      lines.push(`  --${flagName(key)}`.padEnd(34) + `${spec.doc}${range} (default ${def === '' ? '""' : def})`)
    }
  }
  return lines.join('\n')
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

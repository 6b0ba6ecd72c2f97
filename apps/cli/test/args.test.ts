/** Flag parsing: boolean values in every spelling, stray positionals, config flags. */
import { describe, expect, it } from 'vitest'
import { DEFAULT_HOST as METRICS_DEFAULT_HOST } from '@murmur/metrics'
import { DEFAULT_NEW_ORIGINS_PER_MINUTE, DEFAULT_REPLAY_WINDOW_MS } from '@murmur/net'
import { NODE_CONFIG_SCHEMA } from '@murmur/node'
import { formatHelp, normalizeBooleanFlags, parseCommandArgs, type FlagSpec } from '../src/args.js'

const OWN: Record<string, FlagSpec> = {
  eval: { type: 'boolean', doc: 'x', default: true },
  out: { type: 'string', doc: 'y' }
}

function usageError (fn: () => unknown): { code?: string, message: string } {
  try {
    fn()
  } catch (err) {
    return err as { code?: string, message: string }
  }
  throw new Error('expected a usage error')
}

describe('parseCommandArgs', () => {
  it('reads --x=false, --x false, --no-x and --x=0 as false for command and config booleans', () => {
    for (const form of [['--net-mdns=false'], ['--net-mdns', 'false'], ['--no-net-mdns'], ['--net-mdns=0'], ['--net-mdns=OFF']]) {
      expect(parseCommandArgs(form, OWN, true).config['net.mdns'], form.join(' ')).toBe('false')
    }
    for (const form of [['--net-mdns'], ['--net-mdns=true'], ['--net-mdns', 'TRUE'], ['--net-mdns=yes']]) {
      expect(parseCommandArgs(form, OWN, true).config['net.mdns'], form.join(' ')).toBe('true')
    }
    expect(parseCommandArgs(['--eval', 'false'], OWN, false).flags.eval).toBe(false)
    expect(parseCommandArgs(['--no-eval'], OWN, false).flags.eval).toBe(false)
    expect(parseCommandArgs([], OWN, false).flags.eval).toBe(true)
  })

  it('does not take a following word that is not true or false as a boolean value', () => {
    expect(parseCommandArgs(['--eval', 'sapo'], OWN, false, 1)).toMatchObject({ flags: { eval: true }, positionals: ['sapo'] })
  })

  it('rejects stray positionals, a non-boolean value and a value on --no-x', () => {
    const stray = usageError(() => parseCommandArgs(['--net-mdns', 'off'], OWN, true))
    expect(stray.code).toBe('ERR_USAGE')
    expect(stray.message).toContain('unexpected argument "off"')
    expect(usageError(() => parseCommandArgs(['extra'], OWN, false)).code).toBe('ERR_USAGE')
    expect(usageError(() => parseCommandArgs(['a', 'b'], OWN, false, 1)).message).toContain('"b"')
    expect(usageError(() => parseCommandArgs(['--eval=maybe'], OWN, false)).message).toContain('--eval expects true or false')
    expect(usageError(() => parseCommandArgs(['--eval='], OWN, false)).code).toBe('ERR_USAGE')
    expect(usageError(() => parseCommandArgs(['--no-eval=true'], OWN, false)).code).toBe('ERR_USAGE')
  })

  it('leaves string flags and everything after -- alone', () => {
    expect(normalizeBooleanFlags(['--out', 'false', '--', '--eval', 'false'], new Set(['eval']))).toEqual(['--out', 'false', '--', '--eval', 'false'])
    expect(parseCommandArgs(['--out', 'false'], OWN, false).flags.out).toBe('false')
  })
})

describe('defaults the CLI shows', () => {
  it('takes metrics.host from @murmur/metrics (which depends on @murmur/node, so the schema repeats it)', () => {
    expect(NODE_CONFIG_SCHEMA['metrics.host'].default).toBe(METRICS_DEFAULT_HOST)
  })

  it('lists the neighbour-level defences of net with their net defaults in node --help', () => {
    const help = formatHelp('murmur node', 'x', {}, true)
    expect(help).toContain('--net-new-origins-per-minute')
    expect(help).toMatch(new RegExp(`--net-new-origins-per-minute .*\\(default ${DEFAULT_NEW_ORIGINS_PER_MINUTE}\\)`))
    expect(help).toMatch(new RegExp(`--net-replay-window-ms .*\\(default ${DEFAULT_REPLAY_WINDOW_MS}\\)`))
    expect(help).toContain('--pool-max-entries')
  })
})
